/**
 * The mouth's own frame, in which the mouth-interior stage (mouth-interior.ts) maps one mouth onto another: u along
 * the line of the inner mouth corners (0 at one corner, 1 at the other), v across it in pixels (positive toward the
 * chin), and the inner lips' contours as curves v(u). With the pixel walks the stage's steps share.
 */
import { interOcular } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3, RGBAImage } from '../types';
import { sampleCubicInto } from './interpolate';
import { ringBox, type Rect } from './warp';

const ring = LANDMARK_SETS.innerMouthRing;
const [CORNER_A, CORNER_B] = LANDMARK_SETS.mouthCorners.inner;
/** The ring runs from corner A over the upper contour to corner B, then back under the lower one. */
const UPPER = ring.slice(0, ring.indexOf(CORNER_B) + 1);
const LOWER = [...ring.slice(ring.indexOf(CORNER_B)), CORNER_A];

/** A contour as v(u), sorted by u. */
export type Curve = { u: Float64Array; v: Float64Array };

/** A mouth's frame: origin at inner corner A, the axis toward corner B, and the inner lips' contours in it. */
export interface MouthFrame {
  ox: number;
  oy: number;
  /** unit vector from corner A to corner B */
  ax: number;
  ay: number;
  /** corner distance, pixels */
  len: number;
  upper: Curve;
  lower: Curve;
  iod: number;
}

type FrameAxis = Pick<MouthFrame, 'ox' | 'oy' | 'ax' | 'ay' | 'len'>;

/** Where image point (x, y) lies along frame `f`: 0 at corner A, 1 at corner B. */
export function frameU(f: FrameAxis, x: number, y: number): number {
  return ((x - f.ox) * f.ax + (y - f.oy) * f.ay) / f.len;
}

/** Where image point (x, y) lies across frame `f`: pixels from the corners' line, positive toward the chin. */
export function frameV(f: FrameAxis, x: number, y: number): number {
  return -(x - f.ox) * f.ay + (y - f.oy) * f.ax;
}

/** The contour of `points` numbered in `idx` as a curve in `frame`. */
function curve(frame: FrameAxis, points: readonly Point3[], idx: readonly number[]): Curve {
  const uv = idx.map((i) => [frameU(frame, points[i][0], points[i][1]), frameV(frame, points[i][0], points[i][1])] as const);
  uv.sort((p, q) => p[0] - q[0]);
  return { u: Float64Array.from(uv, (p) => p[0]), v: Float64Array.from(uv, (p) => p[1]) };
}

/** Piecewise-linear v(u), constant beyond the ends. */
export function curveAt(c: Curve, u: number): number {
  const n = c.u.length;
  if (u <= c.u[0]) return c.v[0];
  if (u >= c.u[n - 1]) return c.v[n - 1];
  let k = 1;
  while (c.u[k] < u) k++;
  const t = (u - c.u[k - 1]) / Math.max(c.u[k] - c.u[k - 1], 1e-9);
  return c.v[k - 1] + t * (c.v[k] - c.v[k - 1]);
}

/** The mouth frame of a face's landmarks (468 points, image pixels). */
export function mouthFrame(points: readonly Point3[]): MouthFrame {
  const a = points[CORNER_A];
  const b = points[CORNER_B];
  const len = Math.max(Math.hypot(b[0] - a[0], b[1] - a[1]), 1e-6);
  const base = { ox: a[0], oy: a[1], ax: (b[0] - a[0]) / len, ay: (b[1] - a[1]) / len, len };
  // v grows toward the lower lip: the frame's second axis is the first turned +90° in image coordinates (y down)
  return { ...base, upper: curve(base, points, UPPER), lower: curve(base, points, LOWER), iod: interOcular(points) };
}

/** Samples `img` bicubically at (u, v) of frame `f` (u in corner distances, v in pixels) into `out` (RGBA). */
export function sampleInFrame(img: RGBAImage, f: MouthFrame, u: number, v: number, out: Float32Array): Float32Array {
  const uu = u * f.len;
  sampleCubicInto(img.data, img.height, img.width, 4, f.ox + uu * f.ax - v * f.ay, f.oy + uu * f.ay + v * f.ax, out, 0);
  return out;
}

/** Median of each value and its two neighbours on each side (fewer at the ends). */
export function median5(raw: Float64Array): Float64Array {
  return raw.map((_, k) => {
    const w = Array.from(raw.subarray(Math.max(0, k - 2), Math.min(raw.length, k + 3))).sort((a, b) => a - b);
    return w[w.length >> 1];
  });
}

/** The tallest gap between the inner lips, in IOD. */
export function mouthOpening(points: readonly Point3[]): number {
  return openingOf(mouthFrame(points));
}

/** The tallest gap between the inner lips of frame `f`, in IOD. */
export function openingOf(f: MouthFrame): number {
  let h = 0;
  for (let k = 1; k < 20; k++) h = Math.max(h, curveAt(f.lower, k / 20) - curveAt(f.upper, k / 20));
  return h / f.iod;
}

/** The whole pixels covering the box of a ring of `points`. */
export function bounds(points: readonly Point3[], idx: readonly number[]) {
  const b = ringBox(points, idx);
  return { x0: Math.floor(b.x0), y0: Math.floor(b.y0), x1: Math.ceil(b.x1), y1: Math.ceil(b.y1) };
}

/**
 * Calls `visit(x, y, k)` for every pixel of box `b` (bounds) that lies in `roi`, k being its RGBA offset in the
 * roi's values; returns how many calls returned true (the pixels written).
 */
export function eachPixel(roi: Rect, b: ReturnType<typeof bounds>, visit: (x: number, y: number, k: number) => boolean): number {
  let written = 0;
  for (let y = Math.max(b.y0, roi.y); y <= Math.min(b.y1, roi.y + roi.height - 1); y++) {
    for (let x = Math.max(b.x0, roi.x); x <= Math.min(b.x1, roi.x + roi.width - 1); x++) {
      if (visit(x, y, ((y - roi.y) * roi.width + (x - roi.x)) * 4)) written++;
    }
  }
  return written;
}

export const [OUTER_A, OUTER_B] = LANDMARK_SETS.mouthCorners.outer;
const outerRing = LANDMARK_SETS.outerLipRing;
/** outerLipRing runs from corner A under the lower lip to corner B, then back over the upper one. */
const OUTER_LOWER = outerRing.slice(0, outerRing.indexOf(OUTER_B) + 1);
const OUTER_UPPER = [...outerRing.slice(outerRing.indexOf(OUTER_B)), OUTER_A];

/** The lips' outer contours in `f`'s frame. */
export function outerCurves(f: MouthFrame, points: readonly Point3[]): { upper: Curve; lower: Curve } {
  return { upper: curve(f, points, OUTER_UPPER), lower: curve(f, points, OUTER_LOWER) };
}
