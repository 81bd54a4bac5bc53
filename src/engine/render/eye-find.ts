/**
 * The eyes of a photo as the eye layer (eye-layer.ts) needs them, found once per render session on the photo's own
 * pixels: each eye's frame (its corners), the mesh's lid contours, where the real upper lid margin lies (the mesh's
 * ring sits inside it, on the eyeball), the iris (centre and radius: the mesh has no iris) and how dark the lid's
 * shadow makes the eyeball just under it.
 *
 * Eye coordinates: an eye's frame has its origin at the corner with the smaller image x, s along the corners (0 at
 * that corner, 1 at the other), t perpendicular to them, downward; both in units of the corners' distance.
 */
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point2, Point3, RGBAImage } from '../types';

export interface EyeFrame {
  origin: Point2;
  /** Unit vector along the corners (toward larger image x) and the one perpendicular to it (downward). */
  u: Point2;
  v: Point2;
  /** Corners' distance, image pixels. */
  width: number;
}

/** A lid contour: t at increasing s (eye coordinates), corner to corner. */
export interface LidCurve {
  s: number[];
  t: number[];
}

export interface EyeOnPhoto {
  frame: EyeFrame;
  upper: LidCurve;
  lower: LidCurve;
  /** How far above the mesh's upper ring the lid margin (the lashes' dark edge) lies, eye units. */
  margin: number;
  /** How far below the mesh's lower ring the lower lid's margin lies (negative: above it), eye units. */
  lowMargin: number;
  /** Iris centre (s, t) and radius, eye units. */
  iris: { s: number; t: number; r: number };
  /** Luminance (0..255) above which an iris pixel is a catchlight, not iris. */
  highlight: number;
  /** The iris's median colour (RGB 0..255): the fill when no visible iris can lend a pixel. */
  irisColour: [number, number, number];
  /** Darkening of the eyeball at the lid margin (0..0.5), fading with distance below it (lidShade). */
  shade: number;
}

/** The eye rings (outer corner, upper lid to the inner corner, back along the lower lid), right eye then left. */
const EYE_RINGS = [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing] as const;

/** How far below the lid margin its shadow fades, eye units. */
const SHADE_FALLOFF = 0.05;
/** The most a lid's shadow darkens the eyeball at its margin: more than this is lashes or a wrong margin. */
const MAX_SHADE = 0.2;
/** Steps within this share of the steepest count as one plateau (findMargin). */
const PLATEAU = 0.1;

/** The eyeball's darkening by the lid's shadow at `d` below the margin (eye units): 1 - shade e^(-d / falloff). */
export const lidShade = (shade: number, d: number) => 1 - shade * Math.exp(-Math.max(0, d) / SHADE_FALLOFF);

/** The frame of an eye from its two corners. */
function eyeFrame(a: Point2 | Point3, b: Point2 | Point3): EyeFrame {
  const [p, q] = a[0] <= b[0] ? [a, b] : [b, a];
  const width = Math.max(1e-6, Math.hypot(q[0] - p[0], q[1] - p[1]));
  const u: Point2 = [(q[0] - p[0]) / width, (q[1] - p[1]) / width];
  return { origin: [p[0], p[1]], u, v: [-u[1], u[0]], width };
}

export const toEye = (f: EyeFrame, x: number, y: number): Point2 => {
  const dx = x - f.origin[0];
  const dy = y - f.origin[1];
  return [(dx * f.u[0] + dy * f.u[1]) / f.width, (dx * f.v[0] + dy * f.v[1]) / f.width];
};

export const toImage = (f: EyeFrame, s: number, t: number): Point2 => [
  f.origin[0] + f.width * (s * f.u[0] + t * f.v[0]),
  f.origin[1] + f.width * (s * f.u[1] + t * f.v[1]),
];

const EYE_CREASES = [LANDMARK_SETS.rightEyeCrease, LANDMARK_SETS.leftEyeCrease] as const;

/** Eye `e`'s frame (0: right, 1: left), its upper and lower lid curves and its lid crease, from landmarks `points`. */
export function eyeContours(points: readonly Point3[], e: number): { frame: EyeFrame; upper: LidCurve; lower: LidCurve; crease: LidCurve } {
  const ring = EYE_RINGS[e];
  const half = ring.length / 2;
  const frame = eyeFrame(points[ring[0]], points[ring[half]]);
  const curve = (idx: readonly number[]): LidCurve => {
    const pts = idx.map((i) => toEye(frame, points[i][0], points[i][1])).sort((a, b) => a[0] - b[0]);
    return { s: pts.map((p) => p[0]), t: pts.map((p) => p[1]) };
  };
  return { frame, upper: curve(ring.slice(0, half + 1)), lower: curve([...ring.slice(half), ring[0]]), crease: curve(EYE_CREASES[e]) };
}

/** The lid curve's t at `s` (linear between its points, held beyond its ends). */
export function lidAt(c: LidCurve, s: number): number {
  const n = c.s.length;
  if (s <= c.s[0]) return c.t[0];
  if (s >= c.s[n - 1]) return c.t[n - 1];
  let k = 1;
  while (c.s[k] < s) k++;
  const w = (s - c.s[k - 1]) / Math.max(1e-9, c.s[k] - c.s[k - 1]);
  return c.t[k - 1] + w * (c.t[k] - c.t[k - 1]);
}

/** Catmull-Rom bicubic sample of `img` at image point (x, y) (pixel centres at integers), RGB into `out`. */
export function sampleCubic(img: RGBAImage, x: number, y: number, out: Float32Array | number[]): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const wx = cubicWeights(fx);
  const wy = cubicWeights(fy);
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  const W = img.width;
  const H = img.height;
  for (let j = 0; j < 4; j++) {
    const yy = Math.min(H - 1, Math.max(0, y0 - 1 + j));
    for (let i = 0; i < 4; i++) {
      const xx = Math.min(W - 1, Math.max(0, x0 - 1 + i));
      const w = wx[i] * wy[j];
      const o = (yy * W + xx) * 4;
      out[0] += w * img.data[o];
      out[1] += w * img.data[o + 1];
      out[2] += w * img.data[o + 2];
    }
  }
}

function cubicWeights(f: number): [number, number, number, number] {
  const f2 = f * f;
  const f3 = f2 * f;
  return [-0.5 * f3 + f2 - 0.5 * f, 1.5 * f3 - 2.5 * f2 + 1, -1.5 * f3 + 2 * f2 + 0.5 * f, 0.5 * f3 - 0.5 * f2];
}

export const luma = (c: ArrayLike<number>) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/** Luminance of `img` at eye point (s, t) (nearest pixel: the searches below only compare means). */
function lumAt(img: RGBAImage, f: EyeFrame, s: number, t: number): number {
  const [x, y] = toImage(f, s, t);
  const xi = Math.min(img.width - 1, Math.max(0, Math.round(x)));
  const yi = Math.min(img.height - 1, Math.max(0, Math.round(y)));
  const o = (yi * img.width + xi) * 4;
  return 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
}

/**
 * An eye narrower than this (pixels) or opened less than this share of its width is left to the warp (and a closing
 * one to the refiner): on a few pixels the margins and the iris are not found well enough to draw from (the sample
 * portrait's eyes, 19 px wide, came out with a flat white sclera).
 */
const MIN_WIDTH = 28;
const MIN_OPEN = 0.12;

/**
 * Each eye of the photo (right, then left) as found on its pixels; null for an eye too small or too closed to
 * show an iris (the layer then leaves it to the warp).
 */
export function findEyes(img: RGBAImage, points: readonly Point3[]): (EyeOnPhoto | null)[] {
  return EYE_RINGS.map((_, e) => {
    const { frame, upper, lower } = eyeContours(points, e);
    const open = lidAt(lower, 0.5) - lidAt(upper, 0.5);
    if (frame.width < MIN_WIDTH || open < MIN_OPEN) return null;
    const px = 1 / frame.width;
    const visible = (s: number, t: number, margin: number) => t >= lidAt(upper, s) - margin + px && t <= lidAt(lower, s) - px;
    const iris0 = findIris(img, frame, upper, lower, (s, t) => visible(s, t, 0));
    const margin = findMargin(img, frame, upper, iris0, -1);
    const low = findMargin(img, frame, lower, iris0, 1);
    const lowerReal = { s: lower.s, t: lower.t.map((t) => t + low) };
    // found again between the real margins
    const iris = findIris(img, frame, upper, lowerReal, (s, t) => visible(s, t, margin) && t <= lidAt(lowerReal, s) - px);
    const stats = irisStats(img, frame, iris, (s, t) => visible(s, t, margin) && t <= lidAt(lowerReal, s) - px);
    return { frame, upper, lower, margin, lowMargin: low, iris, ...stats, shade: findShade(img, frame, upper, lowerReal, margin, iris) };
  });
}

/**
 * The iris: the disc (radius 0.16-0.25 of the eye's width, as human irises are) whose visible edge is the steepest
 * step from dark inside to bright outside (the limbus), its inside dark against the sclera beside it, searched
 * over the opening on a coarse grid, then refined.
 */
function findIris(img: RGBAImage, f: EyeFrame, upper: LidCurve, lower: LidCurve, visible: (s: number, t: number) => boolean) {
  const px = 1 / f.width;
  const score = (cs: number, ct: number, r: number) => {
    if (ct < lidAt(upper, cs) - 0.05 || ct > lidAt(lower, cs) - 0.08) return -Infinity;
    let edge = 0;
    let ne = 0;
    let inner = 0;
    let ni = 0;
    for (let a = 0; a < 32; a++) {
      const th = (a / 32) * 2 * Math.PI;
      const c = Math.cos(th);
      const sn = Math.sin(th);
      for (const k of [0.35, 0.7]) {
        if (!visible(cs + k * r * c, ct + k * r * sn)) continue;
        inner += lumAt(img, f, cs + k * r * c, ct + k * r * sn);
        ni++;
      }
      const a0: Point2 = [cs + (r - 2 * px) * c, ct + (r - 2 * px) * sn];
      const a1: Point2 = [cs + (r + 2 * px) * c, ct + (r + 2 * px) * sn];
      if (!visible(...a0) || !visible(...a1)) continue;
      edge += lumAt(img, f, ...a1) - lumAt(img, f, ...a0);
      ne++;
    }
    return ni < 12 || ne < 6 ? -Infinity : edge / ne - 0.25 * (inner / ni);
  };
  let best = { s: 0.5, t: 0, r: 0.2, v: -Infinity };
  const search = (s0: number, s1: number, t0: number, t1: number, r0: number, r1: number, step: number) => {
    for (let r = r0; r <= r1 + 1e-9; r += step)
      for (let s = s0; s <= s1 + 1e-9; s += step)
        for (let t = t0; t <= t1 + 1e-9; t += step) {
          const v = score(s, t, r);
          if (v > best.v) best = { s, t, r, v };
        }
  };
  search(0.25, 0.75, -0.2, 0.15, 0.16, 0.25, 0.015);
  const b = best;
  const fine = Math.max(0.004, px / 2);
  search(b.s - 0.015, b.s + 0.015, b.t - 0.015, b.t + 0.015, Math.max(0.15, b.r - 0.015), Math.min(0.26, b.r + 0.015), fine);
  return { s: best.s, t: best.t, r: best.r };
}

/**
 * How far outside the mesh's lid contour the lid margin lies (`dir` -1: the upper lid, above the ring; 1: the lower
 * lid, below it): where luminance steps most steeply from the bright eyeball to the darker lid, over the columns of
 * sclera beside the iris. The lid's shadow makes a soft margin a plateau of near-equal steps running from the lashes'
 * edge into the eyeball; the margin is the plateau's end at the lid (its steepest point wandered along it with a few
 * pixels of landmark noise, and a margin placed inside the eyeball lends lashes as eyeball).
 */
function findMargin(img: RGBAImage, f: EyeFrame, lid: LidCurve, iris: { s: number; r: number }, dir: -1 | 1): number {
  const px = 1 / f.width;
  const cols: number[] = [];
  for (let s = 0.12; s <= 0.88; s += px) if (Math.abs(s - iris.s) > iris.r + 2 * px) cols.push(s);
  if (cols.length < 3) return 0;
  const ms: number[] = [];
  const gs: number[] = [];
  for (let m = dir < 0 ? -0.06 : -0.08; m <= (dir < 0 ? 0.08 : 0.06) + 1e-9; m += Math.min(0.005, px / 2)) {
    let g = 0;
    for (const s of cols) {
      const t = lidAt(lid, s) + dir * m;
      for (const d of [1, 2]) g += lumAt(img, f, s, t - dir * d * px) - lumAt(img, f, s, t + dir * d * px);
    }
    ms.push(m);
    gs.push(g);
  }
  let k = 0;
  for (let i = 1; i < gs.length; i++) if (gs[i] > gs[k]) k = i;
  const near = gs[k] - PLATEAU * Math.abs(gs[k]);
  while (k < gs.length - 1 && gs[k + 1] >= near) k++;
  return ms[k];
}

/** The visible iris's median colour and its catchlight threshold (well above the median luminance). */
function irisStats(img: RGBAImage, f: EyeFrame, iris: { s: number; t: number; r: number }, visible: (s: number, t: number) => boolean) {
  const px = 1 / f.width;
  const ls: number[] = [];
  const rgb: number[][] = [[], [], []];
  const c = [0, 0, 0];
  for (let s = iris.s - iris.r; s <= iris.s + iris.r; s += px)
    for (let t = iris.t - iris.r; t <= iris.t + iris.r; t += px) {
      if (Math.hypot(s - iris.s, t - iris.t) > iris.r - 1.5 * px || !visible(s, t)) continue;
      const [x, y] = toImage(f, s, t);
      sampleCubic(img, x, y, c);
      ls.push(luma(c));
      for (let k = 0; k < 3; k++) rgb[k].push(c[k]);
    }
  const med = (a: number[]) => (a.length ? [...a].sort((p, q) => p - q)[a.length >> 1] : 0);
  const m = med(ls);
  const mad = med(ls.map((v) => Math.abs(v - m)));
  return { highlight: m + Math.max(15, 2.5 * mad), irisColour: [med(rgb[0]), med(rgb[1]), med(rgb[2])] as [number, number, number] };
}

/**
 * The lid's shadow on the sclera: how much darker it is just under the margin than further down (0..MAX_SHADE), the
 * median over the columns of sclera beside the iris. One column on lashes, on the caruncle or on a corner's darker
 * sclera must not set it: an eye the lids open wider shows its new iris under this shadow, and the lashes' soft edge
 * read as shadow made the revealed iris far darker than the visible one.
 */
function findShade(img: RGBAImage, f: EyeFrame, upper: LidCurve, lower: LidCurve, margin: number, iris: { s: number; r: number }): number {
  const ratios: number[] = [];
  const px = 1 / f.width;
  for (let s = 0.15; s <= 0.85; s += px) {
    if (Math.abs(s - iris.s) < iris.r + 3 * px) continue;
    const top = lidAt(upper, s) - margin;
    const bottom = lidAt(lower, s);
    if (bottom - top < 3 * SHADE_FALLOFF) continue;
    const far = lumAt(img, f, s, top + 2.5 * SHADE_FALLOFF);
    if (far > 0) ratios.push(lumAt(img, f, s, top + 2 * px + SHADE_FALLOFF / 2) / far);
  }
  if (ratios.length < 3) return 0.2;
  ratios.sort((a, b) => a - b);
  return Math.min(MAX_SHADE, Math.max(0, 1 - ratios[ratios.length >> 1]) / Math.exp(-0.5));
}
