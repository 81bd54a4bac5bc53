/// <reference lib="webworker" />
/**
 * The camera as the reference, in the worker (worker.ts; camera.ts drives it): one call per camera frame finds the
 * performer's face and edits a face of the photo toward it, with the performer's own neutral once it is learned
 * (performer.ts).
 */
import * as Comlink from 'comlink';
import { type Edit, type Editor, expressionToJSON, type Face, type FaceBox, type Photo, type Point2, type Point3 } from '../engine/index';
import { createPerformer } from './performer';
import type { LiveOptions, LiveResult, RawPixels, RenderedFrame } from './protocol';

export interface LiveDeps {
  editor(): Editor;
  face(faceId: number): Face;
  /** Keeps an edit of face `faceId` under a new id (worker.ts's edits: rendered, exported, released like any). */
  addEdit(edit: Edit, faceId: number): number;
}

type Render = (editId: number, a: number, kind: 'preview' | 'full') => Promise<RenderedFrame>;

/**
 * Tracks the performer's face from frame to frame, as a camera face tracker does: the face detector runs on a frame
 * only when there is no face to follow; otherwise the next frame's face box is this frame's landmarks' bounding box
 * with their outer eye corners (a TrackedFrame's box), so a frame costs one mesh pass.
 */
function createTracker() {
  let next: FaceBox | null = null;
  return {
    /** The box to look for the face in on the next frame; null: search (run the detector). */
    get box() {
      return next;
    },
    /** The face's landmarks in this frame. */
    follow(points: readonly Point3[]) {
      let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const p of points) {
        x0 = Math.min(x0, p[0]);
        y0 = Math.min(y0, p[1]);
        x1 = Math.max(x1, p[0]);
        y1 = Math.max(y1, p[1]);
      }
      // MediaPipe face mesh: outer eye corners 33 (right) and 263 (left), nose tip 1, lips 13, beside the ears 234, 454
      const keypoints = [33, 263, 1, 13, 234, 454].map((i): Point2 => [points[i][0], points[i][1]]);
      next = { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0), score: 1, keypoints };
    },
    lost() {
      next = null;
    },
  };
}

/** The performer's face in a camera frame: followed from the last frame's box, else searched for (the largest face). */
async function findPerformer(editor: Editor, pixels: RawPixels, tracker: ReturnType<typeof createTracker>): Promise<{ photo: Photo; cam: Face } | null> {
  const box = tracker.box;
  if (box) {
    const photo = await editor.open({ ...pixels, faces: [box] });
    try {
      const cam = await photo.face(0);
      tracker.follow(cam.landmarks.points);
      return { photo, cam };
    } catch {
      // the face moved out of its box (or away): search the frame
      photo.dispose();
    }
  }
  const photo = await editor.open(pixels);
  if (photo.faces.length === 0) {
    photo.dispose();
    tracker.lost();
    return null;
  }
  let best = 0;
  for (let i = 1; i < photo.faces.length; i++) if (photo.faces[i].width * photo.faces[i].height > photo.faces[best].width * photo.faces[best].height) best = i;
  try {
    const cam = await photo.face(best);
    tracker.follow(cam.landmarks.points);
    return { photo, cam };
  } catch (e) {
    photo.dispose();
    tracker.lost();
    throw e;
  }
}

export function createLive(deps: LiveDeps) {
  const performer = createPerformer();
  const tracker = createTracker();
  return {
    /** The frame's edit, rendered by `render` (worker.ts's); the frame's bitmap is transferred. */
    async live(faceId: number, pixels: RawPixels, o: LiveOptions, render: Render): Promise<LiveResult> {
      if (o.restart) {
        performer.reset();
        tracker.lost();
      }
      const target = deps.face(faceId);
      const found = await findPerformer(deps.editor(), pixels, tracker);
      if (!found) {
        performer.lost();
        return { frame: null, editId: -1, units: null, points: null, box: null, calibrating: performer.calibrating };
      }
      const { photo, cam } = found;
      try {
        const reference = performer.reference(cam);
        // a preview needs no expression texture: its network run would only hold the GPU from the next frame
        const edit = await target.edit(reference, { regions: o.regions, units: o.units, prepareTexture: o.kind === 'full' });
        const editId = deps.addEdit(edit, faceId);
        const frame = await render(editId, o.a, o.kind);
        const result: LiveResult = { frame, editId, units: { ...edit.units }, points: cam.landmarks.points, box: cam.box, calibrating: performer.calibrating };
        // the units and the displacement they leave, in template space: nothing of the camera frame (its teeth included)
        if (o.record) result.expression = expressionToJSON(edit.expression('recorded'));
        return Comlink.transfer(result, [frame.patch]);
      } finally {
        photo.dispose();
      }
    },
  };
}
