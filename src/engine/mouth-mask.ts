/**
 * The refiner's second input (v2 models): where the inside of the mouth will be. 1 at the aligned-crop
 * pixels whose centre lies inside the target's inner lip contour (even-odd rule), else 0. Mirrors
 * training/refiner_common.py `inner_mouth_mask` exactly (checked against tests/fixtures/refiner-golden.json),
 * so the network sees at run time the mask it was trained with.
 */
import { applyAffine, type AlignedCropRect } from './composite';
import type { Point2, Point3 } from './types';

/** Inner lip contour: corner 78, over the upper inner lip to corner 308, back under the lower inner lip. */
export const INNER_MOUTH_RING: readonly number[] = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95];

/** S x S mask (row-major) of the polygon `ring` given in crop pixel units (pixel u's centre at u + 0.5). */
export function polygonMask(ring: readonly Point2[], S: number): Float32Array {
  const out = new Float32Array(S * S);
  const n = ring.length;
  for (let v = 0; v < S; v++) {
    const py = v + 0.5;
    for (let i = 0; i < n; i++) {
      const [x1, y1] = ring[i];
      const [x2, y2] = ring[(i + 1) % n];
      if (y1 === y2 || (y1 > py) === (y2 > py)) continue;
      const xc = x1 + ((py - y1) * (x2 - x1)) / (y2 - y1);
      // toggle every pixel of this row whose centre lies left of the crossing
      const end = Math.min(S, Math.max(0, Math.ceil(xc - 0.5)));
      for (let u = 0; u < end; u++) if (u + 0.5 < xc) out[v * S + u] = 1 - out[v * S + u];
    }
  }
  return out;
}

/** The inner-mouth mask of image-space landmarks `points` in the S x S aligned crop `rect`. */
export function innerMouthMask(points: readonly (Point2 | Point3)[], rect: AlignedCropRect, S: number): Float32Array {
  const ring = INNER_MOUTH_RING.map((i) => {
    const [s, t] = applyAffine(rect.fromImage, [points[i][0], points[i][1]]);
    return [s * S, t * S] as Point2;
  });
  return polygonMask(ring, S);
}
