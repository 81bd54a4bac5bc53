import type { RGBAImage } from '../types';

/** A new image with `pad` pixels of grey on every side (tight face crops need context for the detector). */
export function padImage(img: RGBAImage, pad: number, grey = 128): RGBAImage {
  const w = img.width + 2 * pad;
  const h = img.height + 2 * pad;
  const out = new Uint8ClampedArray(w * h * 4).fill(grey);
  for (let i = 3; i < out.length; i += 4) out[i] = 255;
  for (let y = 0; y < img.height; y++) out.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), ((y + pad) * w + pad) * 4);
  return { width: w, height: h, data: out };
}
