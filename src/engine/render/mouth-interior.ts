/**
 * The inside of an open mouth at the photo's own resolution, taken from a photo that shows one.
 *
 * The refiner paints a mouth interior on its 128 px aligned crop; on a face 600 px wide that is upscaled about 5x:
 * soft teeth with no edges. When a photo of an open mouth is at hand (the reference photo the user picked, or the
 * source photo itself when its mouth is already open), its interior is carried into the target's opening instead,
 * sampled from that photo's full-resolution pixels.
 *
 * The mapping moves teeth the way a mouth does. In a frame along the inner mouth corners (u: 0 at one corner, 1 at
 * the other; v: across, toward the lower lip), a target pixel in the upper half of the opening keeps its distance
 * below the upper inner lip (the upper teeth stay with the upper lip), one in the lower half its distance above the
 * lower lip (the lower teeth go with the lower lip and jaw). Where the target opening is taller than the source's,
 * the rows between are the source's middle row drawn out (the dark gap between the teeth); where it is shorter, the
 * middle of the source is cut out. Nothing is stretched vertically, so teeth keep their shape.
 *
 * Colour and light: teeth from another photo are scaled per channel by the ratio of the two photos' white points
 * (whitePoint), so they take this photo's white balance; nothing is matched to the lips or skin, whose colour is the
 * person's, not the light's (matching lips turned one person's teeth green under another's darker lips). A thin
 * feather at the inner lip line blends the two.
 */
import { interOcular } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3, RGBAImage } from '../types';
import { sampleCubicInto } from './sampler';
import { insidePolygon, type Rect } from './warp';

/** A photo showing an open mouth, and its landmarks (468 points, that photo's pixels). */
export interface InteriorSource {
  readonly image: RGBAImage;
  readonly points: readonly Point3[];
}

/** Openings (tallest inner-lip gap, in IOD) below `closed` count as closed (a seam, no teeth); teeth in full from `open` on. */
export const INTERIOR_OPENING = { closed: 0.03, open: 0.07 } as const;
/** A closed mouth's seam, as a fraction of the lips' mean colour (where the lips meet, they are in shadow). */
export const SEAM = 0.55;
/** Per-channel white-balance gains between two photos are kept within this range. */
const GAIN_RANGE = [0.8, 1.25] as const;
/** Feather at the inner lip line, as a fraction of the target's IOD (at least 1 px). */
const FEATHER_IOD = 0.012;

const ring = LANDMARK_SETS.innerMouthRing;
const [CORNER_A, CORNER_B] = LANDMARK_SETS.mouthCorners.inner;
/** The ring runs from corner A over the upper contour to corner B, then back under the lower one. */
const UPPER = ring.slice(0, ring.indexOf(CORNER_B) + 1);
const LOWER = [...ring.slice(ring.indexOf(CORNER_B)), CORNER_A];

type Curve = { u: Float64Array; v: Float64Array };

interface MouthFrame {
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

function curve(frame: Omit<MouthFrame, 'upper' | 'lower' | 'iod'>, points: readonly Point3[], idx: readonly number[]): Curve {
  const uv = idx.map((i) => {
    const dx = points[i][0] - frame.ox;
    const dy = points[i][1] - frame.oy;
    return [(dx * frame.ax + dy * frame.ay) / frame.len, -dx * frame.ay + dy * frame.ax] as const;
  });
  uv.sort((p, q) => p[0] - q[0]);
  return { u: Float64Array.from(uv, (p) => p[0]), v: Float64Array.from(uv, (p) => p[1]) };
}

/** Piecewise-linear v(u), constant beyond the ends. */
function at(c: Curve, u: number): number {
  const n = c.u.length;
  if (u <= c.u[0]) return c.v[0];
  if (u >= c.u[n - 1]) return c.v[n - 1];
  let k = 1;
  while (c.u[k] < u) k++;
  const t = (u - c.u[k - 1]) / Math.max(c.u[k] - c.u[k - 1], 1e-9);
  return c.v[k - 1] + t * (c.v[k] - c.v[k - 1]);
}

export function mouthFrame(points: readonly Point3[]): MouthFrame {
  const a = points[CORNER_A];
  const b = points[CORNER_B];
  const len = Math.max(Math.hypot(b[0] - a[0], b[1] - a[1]), 1e-6);
  const base = { ox: a[0], oy: a[1], ax: (b[0] - a[0]) / len, ay: (b[1] - a[1]) / len, len };
  // v grows toward the lower lip: the frame's second axis is the first turned +90° in image coordinates (y down)
  return { ...base, upper: curve(base, points, UPPER), lower: curve(base, points, LOWER), iod: interOcular(points) };
}

/** `source` shows an open mouth: transferInterior paints every target opening from it (teeth, or a closed seam). */
export function carriesInterior(source: InteriorSource): boolean {
  return mouthOpening(source.points) >= INTERIOR_OPENING.closed;
}

/** The tallest gap between the inner lips, in IOD. */
export function mouthOpening(points: readonly Point3[]): number {
  const f = mouthFrame(points);
  let h = 0;
  for (let k = 1; k < 20; k++) h = Math.max(h, at(f.lower, k / 20) - at(f.upper, k / 20));
  return h / f.iod;
}

const smoothstep = (e0: number, e1: number, x: number) => {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
};

function bounds(points: readonly Point3[], idx: readonly number[]) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const i of idx) {
    x0 = Math.min(x0, points[i][0]);
    y0 = Math.min(y0, points[i][1]);
    x1 = Math.max(x1, points[i][0]);
    y1 = Math.max(y1, points[i][1]);
  }
  return { x0: Math.floor(x0), y0: Math.floor(y0), x1: Math.ceil(x1), y1: Math.ceil(y1) };
}

/**
 * Median RGB (0..255, per channel) of the lips (inside the outer lip ring, outside the inner mouth ring) in `values`
 * over `roi`. The median, not the mean: on a smile the mesh's inner lip contour often lies a little inside the
 * teeth, so the lips' ring holds some bright tooth pixels.
 */
function lipColour(values: Float32Array, roi: Rect, points: readonly Point3[]): number[] | null {
  const b = bounds(points, LANDMARK_SETS.outerLipRing);
  const [ox, oy] = [0, 1].map((k) => LANDMARK_SETS.outerLipRing.map((i) => points[i][k]));
  const [ix, iy] = [0, 1].map((k) => ring.map((i) => points[i][k]));
  const ch: number[][] = [[], [], []];
  for (let y = Math.max(b.y0, roi.y); y <= Math.min(b.y1, roi.y + roi.height - 1); y++) {
    for (let x = Math.max(b.x0, roi.x); x <= Math.min(b.x1, roi.x + roi.width - 1); x++) {
      if (!insidePolygon(ox, oy, x, y) || insidePolygon(ix, iy, x, y)) continue;
      const k = ((y - roi.y) * roi.width + (x - roi.x)) * 4;
      for (let c = 0; c < 3; c++) ch[c].push(values[k + c]);
    }
  }
  if (ch[0].length <= 8) return null;
  return ch.map((v) => v.sort((p, q) => p - q)[v.length >> 1]);
}

const whitePoints = new WeakMap<RGBAImage, [number, number, number]>();

/**
 * The photo's white point: per channel, the 98th percentile of every 4th pixel ("white patch": the brightest
 * surfaces of a photo are close to white, so their colour is the light's). Cached per image.
 */
export function whitePoint(img: RGBAImage): [number, number, number] {
  const cached = whitePoints.get(img);
  if (cached) return cached;
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  for (let k = 0; k < img.data.length; k += 16) {
    for (let c = 0; c < 3; c++) hist[c][img.data[k + c]]++;
    n++;
  }
  const wp = hist.map((h) => {
    let acc = 0;
    for (let v = 255; v >= 0; v--) {
      acc += h[v];
      if (acc >= 0.02 * n) return Math.max(v, 1);
    }
    return 1;
  }) as [number, number, number];
  whitePoints.set(img, wp);
  return wp;
}

/**
 * Writes the interior of `source`'s open mouth into the target's opening in `values` (float RGBA 0..255 of the
 * region `roi` of the edited photo, target landmarks `target` in photo pixels), in place. Returns the number of
 * pixels written (0 when either mouth is closed).
 */
export function transferInterior(values: Float32Array, roi: Rect, target: readonly Point3[], here: RGBAImage, source: InteriorSource): number {
  const ft = mouthFrame(target);
  const fs = mouthFrame(source.points);
  const openS = mouthOpening(source.points);
  const openT = mouthOpening(target);
  if (!carriesInterior(source) || !(openT > 0)) return 0;
  // Teeth in full from `open` (or from 80 % of the source's own opening, so a slightly parted source shows what it
  // shows); toward a closed target the lips meet over them: the seam (SEAM of the lips' colour) takes their place.
  const full = Math.max(Math.min(INTERIOR_OPENING.open, 0.8 * openS), INTERIOR_OPENING.closed + 0.005);
  const teeth = smoothstep(INTERIOR_OPENING.closed, full, openT);
  const lips = teeth < 1 ? lipColour(values, roi, target) : null;
  const seam = lips ? lips.map((v) => v * SEAM) : null;

  const src = source.image;
  const gain = [1, 1, 1];
  if (src !== here) {
    const a = whitePoint(here);
    const b = whitePoint(src);
    for (let c = 0; c < 3; c++) gain[c] = Math.min(Math.max(a[c] / b[c], GAIN_RANGE[0]), GAIN_RANGE[1]);
  }

  const scale = fs.iod / ft.iod; // source pixels per target pixel across the mouth
  const feather = 1 + teeth * Math.max(0, FEATHER_IOD * ft.iod - 1); // a seam is a sharp line
  const b = bounds(target, ring);
  const rgb = new Float32Array(4);
  let written = 0;
  for (let y = Math.max(b.y0, roi.y); y <= Math.min(b.y1, roi.y + roi.height - 1); y++) {
    for (let x = Math.max(b.x0, roi.x); x <= Math.min(b.x1, roi.x + roi.width - 1); x++) {
      const dx = x - ft.ox;
      const dy = y - ft.oy;
      const u = (dx * ft.ax + dy * ft.ay) / ft.len;
      if (!(u > 0 && u < 1)) continue;
      const v = -dx * ft.ay + dy * ft.ax;
      const up = at(ft.upper, u);
      const lo = at(ft.lower, u);
      const dUp = v - up;
      const dLo = lo - v;
      if (!(dUp > 0 && dLo > 0)) continue;
      const hT = lo - up;
      const upS = at(fs.upper, u);
      const loS = at(fs.lower, u);
      const hS = Math.max(loS - upS, 0);
      let vS: number;
      if (dUp <= hT / 2) vS = dUp * scale <= hS / 2 ? upS + dUp * scale : upS + hS / 2;
      else vS = dLo * scale <= hS / 2 ? loS - dLo * scale : upS + hS / 2;
      const uS = u * fs.len;
      // bicubic: teeth land at sub-pixel offsets, where bilinear sampling softened them by a fifth (London own-smile
      // edits: sharpness 0.83 of the real photo's with bilinear)
      sampleCubicInto(src.data, src.height, src.width, 4, fs.ox + uS * fs.ax - vS * fs.ay, fs.oy + uS * fs.ay + vS * fs.ax, rgb, 0);
      const edge = Math.min(dUp, dLo, u * ft.len, (1 - u) * ft.len);
      const w = Math.min(edge / feather, 1);
      const k = ((y - roi.y) * roi.width + (x - roi.x)) * 4;
      for (let c = 0; c < 3; c++) {
        const carried = Math.min(Math.max(rgb[c] * gain[c], 0), 255);
        const want = seam ? seam[c] + teeth * (carried - seam[c]) : carried;
        values[k + c] += w * (want - values[k + c]);
      }
      written++;
    }
  }
  return written;
}
