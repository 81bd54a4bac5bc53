/**
 * The refiner's second input (v2 models): where the inside of the mouth will be. 1 at the aligned-crop
 * pixels whose centre lies inside the target's inner lip contour (even-odd rule), else 0. Mirrors
 * training/refiner_common.py `inner_mouth_mask` exactly (checked against tests/fixtures/refiner-golden.json),
 * so the network sees at run time the mask it was trained with.
 */
import { applyAffine, type AlignedCropRect } from './aligned-crop';
import type { Point2, Point3 } from '../types';
import { LANDMARK_SETS } from '../landmark-sets';

/** Inner lip contour: corner 78, over the upper inner lip to corner 308, back under the lower inner lip (landmark-sets.json). */
export const INNER_MOUTH_RING: readonly number[] = LANDMARK_SETS.innerMouthRing;

/** S x S mask (row-major) of the polygon `ring` given in crop pixel units (pixel u's centre at u + 0.5). */
export function polygonMask(ring: readonly Point2[], S: number): Float32Array {
  const out = new Float32Array(S * S);
  const n = ring.length;
  for (let v = 0; v < S; v++) {
    const py = v + 0.5;
    for (let i = 0; i < n; i++) {
      const [x1, y1] = ring[i];
      const [x2, y2] = ring[(i + 1) % n];
      if (y1 === y2 || y1 > py === y2 > py) continue;
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

/** How dark the seam between stretched lips gets half-way (training samples 0.45..1; the render session uses the middle). */
export const STRETCH_DARK = 0.7;

/**
 * Stretched lips: what the warp leaves inside a mouth that opens from closed lips, in the form the refiner was
 * trained on (training/refiner_common.py `fill_mouth`, dark STRETCH_DARK, no streaks; the parity fixture holds its
 * output). Inside the mask dilated 2 px (5 x 5), each pixel becomes a blend, down its column, of the last pixel
 * above the dilated mask and the first one below it, darkest half-way:
 *   fill = (crop[above] * (1 - t) + crop[below] * t) * (1 - (1 - dark) * sin(pi t)).
 * Returned as gather indices and weights (pixel k = row * S + column) so a tensor crop can be filled without
 * reading it back; pixels outside the dilated mask map to themselves with weight 0.
 */
export interface LipStretch {
  size: number;
  /** 1 inside the dilated mask, else 0. */
  inside: Float32Array;
  above: Int32Array;
  below: Int32Array;
  t: Float32Array;
  bow: Float32Array;
}

export function lipStretchPlan(mask: ArrayLike<number>, S: number, dark = STRETCH_DARK): LipStretch {
  const inside = new Float32Array(S * S);
  for (let v = 0; v < S; v++)
    for (let u = 0; u < S; u++) {
      if (!(mask[v * S + u] > 0.5)) continue;
      for (let y = Math.max(0, v - 2); y <= Math.min(S - 1, v + 2); y++)
        for (let x = Math.max(0, u - 2); x <= Math.min(S - 1, u + 2); x++) inside[y * S + x] = 1;
    }
  const above = new Int32Array(S * S);
  const below = new Int32Array(S * S);
  const t = new Float32Array(S * S);
  const bow = new Float32Array(S * S).fill(1);
  for (let k = 0; k < S * S; k++) above[k] = below[k] = k;
  for (let u = 0; u < S; u++) {
    for (let v = 0; v < S; v++) {
      if (!inside[v * S + u]) continue;
      let v1 = v;
      while (v1 + 1 < S && inside[(v1 + 1) * S + u]) v1++;
      const a = Math.max(v - 1, 0);
      const b = Math.min(v1 + 1, S - 1);
      for (let y = v; y <= v1; y++) {
        const k = y * S + u;
        above[k] = a * S + u;
        below[k] = b * S + u;
        t[k] = Math.min(1, Math.max(0, (y - a) / Math.max(b - a, 1)));
        bow[k] = 1 - (1 - dark) * Math.sin(Math.PI * t[k]);
      }
      v = v1;
    }
  }
  return { size: S, inside, above, below, t, bow };
}

/** How much of the stretched lips' colour the fill keeps (the refiner sees luminance only; see stretchLips). */
export const STRETCH_CHROMA = 0.5;

/**
 * `lipStretchPlan` applied to a crop held as an array, `channels` values per pixel (1: luminance; 3: RGB, as the
 * render session does it). In RGB the fill keeps STRETCH_CHROMA of the lips' colour around its BT.601
 * luminance: the refiner paints luminance only and carries half the colour where it paints, so a painted
 * interior ends with a quarter of the lips' colour (on the sample it still looks nearly grey).
 */
export function stretchLips(crop: ArrayLike<number>, plan: LipStretch, channels: 1 | 3): Float32Array {
  const out = Float32Array.from(crop);
  const px = [0, 0, 0];
  for (let k = 0; k < plan.size * plan.size; k++) {
    if (!plan.inside[k]) continue;
    for (let c = 0; c < channels; c++) {
      const va = crop[plan.above[k] * channels + c];
      const vb = crop[plan.below[k] * channels + c];
      px[c] = (va + plan.t[k] * (vb - va)) * plan.bow[k];
    }
    if (channels === 1) {
      out[k] = px[0];
      continue;
    }
    const y = 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
    for (let c = 0; c < 3; c++) out[3 * k + c] = y + STRETCH_CHROMA * (px[c] - y);
  }
  return out;
}

/**
 * How much of a target mouth is a new opening, 0..1, from the inner-mouth areas (crop pixels) of the source
 * and of the target. A mouth that opens from (nearly) closed lips shows only stretched lips after the warp;
 * the render session then hands the refiner stretched lips there (weight 1), as training did, and the refiner
 * paints a mouth. A mouth that was already open keeps what the warp stretched of its real interior, teeth
 * included (weight 0). Linear for source / target area 0.15..0.35, so the slider never jumps. Measured on
 * "surprise" at 1.3: closed neutral dataset mouths 0.07-0.27; open ones 0.54-0.69; the sample's open smile
 * with the jaw dropped 0.3 IOD 0.48.
 */
export function newOpeningWeight(sourceArea: number, targetArea: number): number {
  if (targetArea <= 0) return 0;
  const r = sourceArea / targetArea;
  return Math.min(1, Math.max(0, (0.35 - r) / 0.2));
}

/** Separable box maximum (dilation, op 'max') or box mean (op 'mean') of an S x S mask, radius r pixels. */
function boxFilter(src: Float32Array, S: number, r: number, op: 'max' | 'mean'): Float32Array {
  const pass = (a: Float32Array, horizontal: boolean) => {
    const out = new Float32Array(S * S);
    for (let v = 0; v < S; v++) {
      for (let u = 0; u < S; u++) {
        let acc = op === 'max' ? 0 : 0;
        let n = 0;
        for (let k = -r; k <= r; k++) {
          const uu = horizontal ? u + k : u;
          const vv = horizontal ? v : v + k;
          if (uu < 0 || uu >= S || vv < 0 || vv >= S) continue;
          const x = a[vv * S + uu];
          if (op === 'max') acc = Math.max(x, acc);
          else acc += x;
          n++;
        }
        out[v * S + u] = op === 'max' ? acc : acc / n;
      }
    }
    return out;
  };
  return pass(pass(src, true), false);
}

/** Half-width (fraction of the crop side) of the feathered edge of a region to paint. */
const PAINT_FEATHER = 0.016;

/** The feather's half-width in pixels of an S x S crop: paintRegion is > 0 only this close to its mask. */
export const paintFeatherRadius = (S: number): number => Math.max(1, Math.round(PAINT_FEATHER * S));

/**
 * Where the refiner may paint, S x S in 0..1: `mask` (a region whose content is new: the target's inner
 * mouth, eyes that close) with its edge feathered: 0.5 on the region's outline, 1 a feather's width inside,
 * 0 a feather's width outside, so the lips' inner rim still comes from the photo. Everywhere else the photo's
 * own pixels, warped at full resolution, are kept exactly.
 */
export function paintRegion(mask: Float32Array, S: number): Float32Array {
  const r = paintFeatherRadius(S);
  return boxFilter(mask, S, r, 'mean').map((m) => Math.min(1, Math.max(0, (m - 0.25) / 0.5)));
}

/** Opening of an eye (mean distance of the upper lid's middle points to the lower lid's), image units. */
export function eyeOpening(points: readonly (Point2 | Point3)[], ring: readonly number[]): number {
  // ring: outer corner, 7 upper-lid points, inner corner, 7 lower-lid points back (landmark-sets.json)
  const half = ring.length / 2;
  let s = 0;
  for (let k = 2; k <= half - 2; k++) {
    const up = points[ring[k]];
    const low = points[ring[ring.length - k]];
    s += Math.hypot(up[0] - low[0], up[1] - low[1]);
  }
  return s / (half - 3);
}

/** Smooth 0 -> 1 as x goes from e0 to e1 (either way round): clamped, 3t^2 - 2t^3. */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
}

/** 1 when an eye closes to under a fifth of its opening in the source, 0 when it keeps over half of it. */
export function closingWeight(sourceOpening: number, targetOpening: number): number {
  if (!(sourceOpening > 0)) return 0;
  return smoothstep(0.5, 0.2, targetOpening / sourceOpening);
}

/** The eye ring polygons of image-space landmarks in the S x S crop, each weighted by `weights` (right, left). */
export function eyeMask(points: readonly (Point2 | Point3)[], rect: AlignedCropRect, S: number, weights: readonly [number, number]): Float32Array {
  const out = new Float32Array(S * S);
  [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing].forEach((ringIdx, e) => {
    if (!(weights[e] > 0)) return;
    const ring = ringIdx.map((i) => {
      const [s, t] = applyAffine(rect.fromImage, [points[i][0], points[i][1]]);
      return [s * S, t * S] as Point2;
    });
    const m = polygonMask(ring, S);
    for (let k = 0; k < m.length; k++) if (m[k] > 0) out[k] = Math.max(out[k], weights[e]);
  });
  return out;
}

/** The lips of image-space landmarks in the S x S crop: inside the outer lip contour, outside the inner one (`inner`, its mask). */
export function lipMask(points: readonly (Point2 | Point3)[], rect: AlignedCropRect, S: number, inner: Float32Array): Float32Array {
  const ring = LANDMARK_SETS.outerLipRing.map((i) => {
    const [s, t] = applyAffine(rect.fromImage, [points[i][0], points[i][1]]);
    return [s * S, t * S] as Point2;
  });
  const outer = polygonMask(ring, S);
  return outer.map((x, k) => (x > 0 && !(inner[k] > 0) ? 1 : 0));
}
