/** The Photo handle: an opened photo, its faces found; each face is analysed once, when first asked for. */
import type { AnalysedPhoto } from '../analyse/analyser';
import { EditorError, ErrorCode } from '../errors';
import type { RenderSession } from '../render/session';
import type { EditorContext } from './context';
import { createFace, type FacePhoto } from './face';
import type { Face, Photo } from './types';

/** The Photo over `analysed`; `onDispose` is called when it is closed. */
export function createPhoto(ctx: EditorContext, analysed: AnalysedPhoto, onDispose: () => void): Photo {
  const faces = new Map<number, Promise<Face>>();
  const sessions: RenderSession[] = [];
  let closed = false;
  const host: FacePhoto = {
    image: analysed.image,
    closed: () => closed,
    adopt(session) {
      if (closed) session.dispose();
      else sessions.push(session);
    },
  };
  return {
    image: analysed.image,
    faces: analysed.faces,
    analysisScale: analysed.analysisScale,
    face(index) {
      if (closed) return Promise.reject(new EditorError(ErrorCode.DISPOSED, 'the photo was closed'));
      let f = faces.get(index);
      if (!f) {
        f = ctx.guard(async () => {
          const face = createFace(ctx, host, index, await analysed.face(index));
          // Its neutral (the disentangler: a network run), which every edit of the face needs, starts now, while the
          // user picks a reference, not when the first edit is made; before the refiner's warm-up.
          if (ctx.capabilities.expression) face.neutral().catch(() => {});
          ctx.warmRefinerSoon();
          return face;
        });
        faces.set(index, f);
        f.catch(() => faces.delete(index));
      }
      return f;
    },
    dispose() {
      if (closed) return;
      closed = true;
      for (const s of sessions) s.dispose();
      sessions.length = 0;
      analysed.dispose();
      onDispose();
    },
  };
}
