/// <reference lib="webworker" />
/**
 * The preset thumbnails in the worker (worker.ts): a face under a preset at intensity 1, as the cheapest render there
 * is (the preview: warp at half resolution, no refiner, no expression texture), cropped around the face; then, if
 * the user is still at rest, the preset's expression texture (Edit.prepare), kept on the face, so that picking the
 * preset waits for no network run. They come last: a thumbnail gives way (null, nothing rendered) when any other call
 * is in flight or came in since it was asked, so the user's frames wait at most for the one preview render or
 * texture run already on the GPU.
 */
import * as Comlink from 'comlink';
import { EditorError, ErrorCode, type Face, type Patch, type RGBAImage } from '../engine/index';
import type { RawPixels, ThumbnailReference } from './protocol';

/** The crop around the face box: this many times its larger side (the reference thumbnail's margin, a bit tighter). */
const MARGIN = 1.3;

const imageDataOf = (img: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }) =>
  new ImageData(new Uint8ClampedArray(img.data.buffer as ArrayBuffer, img.data.byteOffset, img.data.byteLength), img.width, img.height);

/** Preview patch `p` over the photo, cropped to a square around the face box, `size` px. */
async function compose(image: RGBAImage, box: Face['box'], p: Patch, size: number): Promise<RawPixels> {
  const side = Math.max(1, Math.round(Math.min(Math.max(box.width, box.height) * MARGIN, image.width, image.height)));
  const sx = Math.round(Math.min(Math.max(0, box.x + box.width / 2 - side / 2), image.width - side));
  const sy = Math.round(Math.min(Math.max(0, box.y + box.height / 2 - side / 2), image.height - side));
  const base = await createImageBitmap(imageDataOf(image), sx, sy, side, side, { resizeWidth: size, resizeHeight: size, resizeQuality: 'medium' });
  const patch = await createImageBitmap(imageDataOf({ data: p.data, width: p.dataWidth, height: p.dataHeight }));
  const ctx = new OffscreenCanvas(size, size).getContext('2d');
  if (!ctx) throw new EditorError(ErrorCode.INTERNAL, 'no 2D canvas in the worker');
  const k = size / side;
  ctx.drawImage(base, 0, 0);
  ctx.drawImage(patch, (p.x - sx) * k, (p.y - sy) * k, p.width * k, p.height * k);
  base.close();
  patch.close();
  const data = ctx.getImageData(0, 0, size, size).data;
  return Comlink.transfer({ width: size, height: size, data }, [data.buffer]);
}

/** The calls that are the user's work (every call but the thumbnails' own and the supervisor's ping). */
export function createThumbnails(faceOf: (faceId: number) => { face: Face; image: RGBAImage }) {
  let calls = 0;
  let inFlight = 0;
  return {
    /** Runs a call of the user's work, counted (a thumbnail asked before it gives way). */
    async user<T>(fn: () => Promise<T>): Promise<T> {
      calls++;
      inFlight++;
      try {
        return await fn();
      } finally {
        inFlight--;
      }
    },
    async thumbnail(faceId: number, ref: ThumbnailReference, size: number): Promise<RawPixels | null> {
      const asked = calls;
      const yields = () => inFlight > 0 || calls !== asked;
      if (yields()) return null;
      const { face, image } = faceOf(faceId);
      const edit = await face.edit(ref.kind === 'neutral' ? 'neutral' : { preset: ref.preset }, { prepareTexture: false });
      try {
        if (yields()) return null;
        const pixels = await compose(image, face.box, await edit.render(1, { refiner: false, preview: true }), size);
        // Still at rest: the preset's expression texture too, so that picking it waits for no network run.
        if (!yields()) await edit.prepare();
        return pixels;
      } finally {
        edit.dispose();
      }
    },
  };
}
