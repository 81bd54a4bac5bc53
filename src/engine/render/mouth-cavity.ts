/**
 * The inside of an opened mouth where no photo shows it (mouth-interior.ts draws it past the teeth a photo gives):
 * a cavity with depth, the tongue, and the photo's grain, all from the lips' own colour (so they take the photo's
 * light and white balance).
 *
 * In the mouth frame (u along the mouth, v across; mouth-frame.ts), between the visible edges of the upper and lower
 * teeth (or the inner lip lines where none show):
 * - depth: darkest at the back, across the middle and toward the top (the throat, in the shadow of the upper lip),
 *   lighter toward the lips all round;
 * - the lips' inner surfaces along the inner lip lines: the lower one faces up into the light (lit, moist), the upper
 *   one faces down (in shade);
 * - the tongue, low in the opening behind the lower lip or teeth: a rounded top, soft, a darker red than the lips,
 *   lit a little more just under its top; it grows with the opening, and shows only where the cavity is taller than
 *   TONGUE.from / TONGUE.share IOD (a barely open mouth shows none);
 * - the corners in shade (the cheeks' inside);
 * - grain: a deterministic noise (a hash of the pixel's position, smoothed by a 3 x 3 tent as a photo's grain is)
 *   at the photo's own level (mouth-photo.ts grainOf).
 */
import { type Curve, curveAt, type MouthFrame } from './mouth-frame';
import { smoothstep } from './mouth-mask';

/**
 * Depth, as fractions of the lips' colour: `throat` at the back (u 0.5, `centre` of the way down the cavity), rising
 * with an elliptic distance from there (to the power 1.3) to `wall` by the lips; toward the top the distance grows
 * only `upper` as fast (that side lies in the upper lip's and teeth's shadow).
 */
const DEPTH = { throat: 0.12, wall: 0.44, centre: 0.38, upper: 0.5 } as const;
/**
 * The lips' inner surfaces: toward the inner lip line the colour goes to the lips' times `lower` (facing up, lit)
 * or `upper` (facing down, in shade), over `lowerWidth` / `upperWidth` IOD, and toward the ends of the opening (the
 * corners, where the lips meet) to `side` over `sideWidth` IOD; each over at most `share` of the opening.
 */
const RIM = { lower: 0.68, upper: 0.42, side: 0.55, lowerWidth: 0.04, upperWidth: 0.022, sideWidth: 0.06, share: 0.3 } as const;
/** The corners in shade: times `shade` at the corner, none from `width` of the mouth's length in. */
const CORNERS = { shade: 0.5, width: 0.2 } as const;
/**
 * The tongue: its top `share` of the cavity's height less `from` IOD above the lower teeth or lip in the middle, a
 * half-ellipse `half` of the length wide either side of the middle (a rounded tip; lower at the sides, so that
 * where the lower lip curves up the lip covers it); the lips' colour times `shade` (and `tint`),
 * `lit` more just under its top, darker toward its sides; its top edge `soft` IOD (at least a pixel) soft.
 */
const TONGUE = { share: 0.42, from: 0.03, half: 0.3, shade: 0.56, lit: 0.12, soft: 0.015, tint: [1.04, 0.94, 0.98] } as const;
/**
 * The inside of a smile opened wider than its teeth (not an "O"): the tongue close behind the teeth, lit through the
 * wide opening, fills most of the gap (`share`, from the lower teeth or lip up), over a shallower depth (`throat`),
 * leaving a shadow under the upper teeth and at the corners. Measured (training/mouth_interior_stats.py, inside
 * luminance over the lips'): of 374 happy colour-set photos with lips apart, the 10th percentile is 0.63 (quartiles
 * 0.43-0.77) and the share under 0.2 is 0 (upper quartile 0.009); of the 318 laughing, lips apart by 0.2 IOD or more,
 * 0.48 (0.25-0.70) and 0.003 (0-0.063). The happy preset at 1.5 on neutral photos was 0.27 and 0.035 with the "O"'s
 * deep throat: a black band under the upper teeth.
 */
export const SMILE_TONGUE = { share: 0.9, from: 0, shade: 0.75, throat: 0.3 } as const;

/** What cavityAt paints from: the target's mouth frame, the lips' colour, and the grain to give (RMS, grey levels). */
export interface CavityPaint {
  readonly ft: MouthFrame;
  readonly lips: readonly number[];
  readonly grain: number;
  /** The tongue's height, start and shade and the throat's level (TONGUE's, DEPTH's) where they differ: SMILE_TONGUE. */
  readonly tongue?: { readonly share: number; readonly from: number; readonly shade: number; readonly throat: number };
}

/** The cosine of curve `c`'s slope at `u` in frame `f`: a distance across (v) times it is the distance to the line. */
export function acrossCos(f: MouthFrame, c: Curve, u: number): number {
  const s = (curveAt(c, u + 0.01) - curveAt(c, u - 0.01)) / (0.02 * f.len);
  return 1 / Math.sqrt(1 + s * s);
}

/**
 * The cavity's colour at target pixel (x, y), at (u, v) in the frame, into `out` (RGB, 0..255, grain included):
 * `top` and `bottom` are how far (pixels, across) the upper teeth reach below the upper inner lip and the lower teeth
 * above the lower one (0 where none show).
 */
export function cavityAt(p: CavityPaint, x: number, y: number, u: number, v: number, top: number, bottom: number, out: Float32Array): void {
  const { ft, lips } = p;
  const up = curveAt(ft.upper, u);
  const lo = curveAt(ft.lower, u);
  const c0 = up + top;
  const c1 = lo - bottom;
  const hc = Math.max(c1 - c0, 1e-6);
  // depth: an elliptic distance from the throat
  const a = (v - c0) / hc;
  const ry = a < DEPTH.centre ? (DEPTH.upper * (DEPTH.centre - a)) / DEPTH.centre : (a - DEPTH.centre) / (1 - DEPTH.centre);
  const r2 = Math.min(1, ((u - 0.5) / 0.5) ** 2 + ry * ry);
  const throat = p.tongue?.throat ?? DEPTH.throat;
  const k = throat + (DEPTH.wall - throat) * r2 ** 0.65;
  for (let c = 0; c < 3; c++) out[c] = k;
  // the tongue, over the depth: its top a half-ellipse over the middle of the lower teeth or lip, behind the lower
  // lip where that curves up toward the corners
  const xu = (u - 0.5) / TONGUE.half;
  const dome = xu * xu < 1 ? Math.sqrt(1 - xu * xu) : 0;
  const mid = curveAt(ft.lower, 0.5) - bottom;
  const tg = p.tongue ?? TONGUE;
  const th = Math.max(0, tg.share * (mid - curveAt(ft.upper, 0.5) - top) - tg.from * ft.iod);
  if (th > 0 && dome > 0) {
    const soft = Math.max(1, TONGUE.soft * ft.iod);
    const vt = mid - th * dome;
    const cover = smoothstep(vt - soft, vt + soft, v) * smoothstep(0, 2 * soft, th);
    const t = Math.min(Math.max((v - vt) / th, 0), 1);
    const kt = (tg.shade + TONGUE.lit * Math.exp(-(((t - 0.15) / 0.2) ** 2)) - 0.06 * t) * (0.6 + 0.4 * dome);
    for (let c = 0; c < 3; c++) out[c] += cover * (kt * TONGUE.tint[c] - out[c]);
  }
  // the corners in shade (the cheeks' inside), then the lips' inner surfaces over it all (the lower lip is in front
  // of the tongue), at the ends too (where the lips meet)
  const corner = CORNERS.shade + (1 - CORNERS.shade) * smoothstep(0, CORNERS.width, Math.min(u, 1 - u));
  const h = lo - up;
  const rim = (level: number, width: number, e: number) => {
    const t = 1 - smoothstep(0, Math.min(width * ft.iod, RIM.share * h), e);
    for (let c = 0; c < 3; c++) out[c] += t * (level - out[c]);
  };
  for (let c = 0; c < 3; c++) out[c] *= corner;
  rim(RIM.side, RIM.sideWidth, Math.min(u, 1 - u) * ft.len);
  rim(RIM.upper, RIM.upperWidth, (v - up) * acrossCos(ft, ft.upper, u));
  rim(RIM.lower, RIM.lowerWidth, (lo - v) * acrossCos(ft, ft.lower, u));
  const grain = p.grain * grainAt(x, y);
  for (let c = 0; c < 3; c++) out[c] = Math.min(Math.max(out[c] * lips[c] + grain, 0), 255);
}

/** A hash of (x, y, s) to -0.5..0.5. */
function hash(x: number, y: number, s: number): number {
  let h = Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(s, 982451653);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296 - 0.5;
}

/** The grain's 3 x 3 tent: a photo's grain is not independent from pixel to pixel (demosaicking, JPEG). */
const TENT = [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25];

/** The RMS of the tent-smoothed noise (each tap the sum of two hashes) minus its own 3 x 3 mean. */
const UNIT = (() => {
  // the residual's kernel: (identity - 3 x 3 box / 9) convolved with the tent, 5 x 5
  const k = new Float64Array(25);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      const w = TENT[j * 3 + i];
      k[(j + 1) * 5 + i + 1] += w;
      for (let b = 0; b < 3; b++) for (let a = 0; a < 3; a++) k[(j + b) * 5 + i + a] -= w / 9;
    }
  }
  return Math.sqrt(k.reduce((s, w) => s + w * w, 0) / 6); // a sum of two uniform hashes has variance 1/6
})();

/** Noise at pixel (x, y) whose RMS minus its own 3 x 3 mean is 1. */
function grainAt(x: number, y: number): number {
  let n = 0;
  for (let j = -1; j <= 1; j++) {
    for (let i = -1; i <= 1; i++) n += TENT[(j + 1) * 3 + i + 1] * (hash(x + i, y + j, 0) + hash(x + i, y + j, 1));
  }
  return n / UNIT;
}
