/**
 * The inside of an opened mouth at the photo's own sharpness. A stock mouth comes from a sharp 1350 px studio photo;
 * carried into a soft photo (a small or compressed one) its teeth keep their crisp edges and stand out as pasted.
 * Measured with training/mouth_interior_stats.py on the colour set's 250 px photos: the inside of real open smiles
 * has a mean |Laplacian| 1.47 times their lips' (quartiles 1.24-1.75), the happy preset's 3.02 (2.34-3.32).
 *
 * So once the inside is drawn, when its mean |Laplacian| (luminance, 4 neighbours) is more than MAX_RATIO times the
 * lips' around it in the same frame, the opening is blurred by the least Gaussian of SIGMAS that brings it there.
 */
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3 } from '../types';
import { bounds } from './mouth-frame';
import { insidePolygon, type Rect } from './warp';

/**
 * Teeth carried from a photo at this many times the face's resolution or more are matched: a sharp photo scaled
 * down is sharper than one taken at that size (its lens, demosaicking and compression soften it). At about the same
 * resolution (the photo's own teeth; the London fixtures with a stock) they are left as they are: there the edit's
 * mouth was already a little softer than the person's real smile (London pairs, docs/results.md). Nor is an "O" (the
 * upper lip over the teeth): its inside is painted at the photo's own grain (mouth-cavity.ts), the teeth's edges a
 * thin band.
 */
export const DOWNSCALED = 1.3;
/** The most the opening's mean |Laplacian| may be over the lips': real smiles' upper quartile. */
const MAX_RATIO = 1.75;
/** Blurs tried, pixels, least first; the last is taken when none gets there. */
const SIGMAS = [0.5, 0.7, 1, 1.4, 2] as const;

const lum = (v: Float32Array, k: number) => 0.299 * v[k] + 0.587 * v[k + 1] + 0.114 * v[k + 2];

/** Separable Gaussian blur of the RGB of a w x h RGBA float box, edges clamped. */
function blur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.ceil(2.5 * sigma);
  const kern = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = kern.reduce((a, b) => a + b, 0);
  const pass = (a: Float32Array, dx: number, dy: number) => {
    const out = new Float32Array(a.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let i = -r; i <= r; i++) {
            const xx = Math.min(w - 1, Math.max(0, x + i * dx));
            const yy = Math.min(h - 1, Math.max(0, y + i * dy));
            s += kern[i + r] * a[(yy * w + xx) * 4 + c];
          }
          out[(y * w + x) * 4 + c] = s / sum;
        }
    return out;
  };
  return pass(pass(src, 1, 0), 0, 1);
}

/** Mean |Laplacian| of luminance over the box pixels in `mask` whose four neighbours are in the box. */
function sharpness(box: Float32Array, w: number, h: number, mask: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      const k = i * 4;
      s += Math.abs(4 * lum(box, k) - lum(box, k - 4) - lum(box, k + 4) - lum(box, k - 4 * w) - lum(box, k + 4 * w));
      n++;
    }
  return n ? s / n : 0;
}

/**
 * Blurs the opening of the mouth at landmarks `target` (pixels) in `values` (float RGBA of region `roi`) down to the
 * lips' sharpness (MAX_RATIO); returns the blur's sigma in pixels (0: none needed).
 */
export function matchSharpness(values: Float32Array, roi: Rect, target: readonly Point3[]): number {
  const ring = (idx: readonly number[]) => [idx.map((i) => target[i][0]), idx.map((i) => target[i][1])] as const;
  const [ix, iy] = ring(LANDMARK_SETS.innerMouthRing);
  const [ox, oy] = ring(LANDMARK_SETS.outerLipRing);
  const b = bounds(target, LANDMARK_SETS.outerLipRing);
  const x0 = Math.max(b.x0 - 3, roi.x);
  const y0 = Math.max(b.y0 - 3, roi.y);
  const w = Math.min(b.x1 + 3, roi.x + roi.width - 1) - x0 + 1;
  const h = Math.min(b.y1 + 3, roi.y + roi.height - 1) - y0 + 1;
  if (!(w > 4 && h > 4)) return 0;
  const box = new Float32Array(w * h * 4);
  const opening = new Uint8Array(w * h);
  const lips = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const k = ((y0 + y - roi.y) * roi.width + (x0 + x - roi.x)) * 4;
      box.set(values.subarray(k, k + 4), (y * w + x) * 4);
      const inner = insidePolygon(ix, iy, x0 + x, y0 + y);
      opening[y * w + x] = inner ? 1 : 0;
      lips[y * w + x] = !inner && insidePolygon(ox, oy, x0 + x, y0 + y) ? 1 : 0;
    }
  const limit = MAX_RATIO * sharpness(box, w, h, lips);
  if (!(limit > 0) || sharpness(box, w, h, opening) <= limit) return 0;
  for (const sigma of SIGMAS) {
    const soft = blur(box, w, h, sigma);
    if (sharpness(soft, w, h, opening) > limit && sigma !== SIGMAS[SIGMAS.length - 1]) continue;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (!opening[y * w + x]) continue;
        const k = ((y0 + y - roi.y) * roi.width + (x0 + x - roi.x)) * 4;
        for (let c = 0; c < 3; c++) values[k + c] = soft[(y * w + x) * 4 + c];
      }
    return sigma;
  }
  return 0;
}
