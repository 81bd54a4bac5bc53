/**
 * Pixel measures of a painted mouth's inside, for tests/stock-mouths.test.ts (and scratch checks): the dark crescent
 * under the upper teeth and the raggedness of the upper teeth's lower edge, read across the mouth frame of a target.
 */
import type { Point3, RGBAImage } from '../src/engine/index';
import { curveAt, LANDMARK_SETS, mouthFrame } from '../src/engine/tools';

const luma = (d: ArrayLike<number>, k: number) => 0.299 * d[k] + 0.587 * d[k + 1] + 0.114 * d[k + 2];

/** Bilinear luma of `img` at (x, y). */
function lumaAt(img: RGBAImage, x: number, y: number): number {
  const x0 = Math.max(0, Math.min(img.width - 2, Math.floor(x)));
  const y0 = Math.max(0, Math.min(img.height - 2, Math.floor(y)));
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => luma(img.data, (yy * img.width + xx) * 4);
  return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}

/**
 * Pixel offsets (RGBA) in an image `width` wide of the mouth of `pts`: its lips (inside the outer lip ring, outside the
 * inner mouth ring) and its opening (inside the inner mouth ring).
 */
export function mouthPixels(pts: readonly Point3[], width: number): { lips: number[]; opening: number[] } {
  const inside = (idx: readonly number[], x: number, y: number) => {
    let c = false;
    for (let i = 0, j = idx.length - 1; i < idx.length; j = i++) {
      const [xi, yi] = pts[idx[i]];
      const [xj, yj] = pts[idx[j]];
      if (yi > y !== yj > y && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) c = !c;
    }
    return c;
  };
  const outer = LANDMARK_SETS.outerLipRing;
  const xs = outer.map((i) => pts[i][0]);
  const ys = outer.map((i) => pts[i][1]);
  const out = { lips: [] as number[], opening: [] as number[] };
  for (let y = Math.floor(Math.min(...ys)); y <= Math.ceil(Math.max(...ys)); y++)
    for (let x = Math.floor(Math.min(...xs)); x <= Math.ceil(Math.max(...xs)); x++) {
      if (!inside(outer, x, y)) continue;
      (inside(LANDMARK_SETS.innerMouthRing, x, y) ? out.opening : out.lips).push((y * width + x) * 4);
    }
  return out;
}

/** Pixel offsets (RGBA) of the lips of `pts` in an image `width` wide: inside the outer lip ring, outside the inner mouth ring. */
export const lipPixels = (pts: readonly Point3[], width: number): number[] => mouthPixels(pts, width).lips;

/** Mean |4-neighbour Laplacian| of luminance over the pixel offsets `px` (RGBA) of an image `width` wide. */
export function meanLaplacian(d: ArrayLike<number>, width: number, px: readonly number[]): number {
  let s = 0;
  for (const k of px) s += Math.abs(4 * luma(d, k) - luma(d, k - 4) - luma(d, k + 4) - luma(d, k - 4 * width) - luma(d, k + 4 * width));
  return s / px.length;
}

/** Median luma of the lips of `pts`. */
function lipLuma(img: RGBAImage, pts: readonly Point3[]): number {
  const out = lipPixels(pts, img.width).map((k) => luma(img.data, k));
  out.sort((a, b) => a - b);
  return out[out.length >> 1];
}

export interface InsideMeasures {
  /**
   * Share of the columns (u 0.15-0.85) with a run of pixels darker than DARK x the column's brightest (the teeth) at
   * least CRESCENT_IOD tall: a dark band across the opening under bright teeth.
   */
  crescent: number;
  /** RMS (px, over IOD) of the upper teeth's lower edge about a quadratic across the columns: a ragged row is high. */
  ragged: number;
  /** 1st percentile of the inside's luma over the lips'. */
  darkest: number;
  /** Columns where teeth were found. */
  columns: number;
}

const DARK = 0.3;
const CRESCENT_IOD = 0.015;

/** The measures of the opening of `target` (landmarks, photo pixels) painted in `img`. */
export function insideMeasures(img: RGBAImage, target: readonly Point3[]): InsideMeasures {
  const f = mouthFrame(target);
  const lips = lipLuma(img, target);
  const at = (u: number, v: number) => lumaAt(img, f.ox + u * f.len * f.ax - v * f.ay, f.oy + u * f.len * f.ay + v * f.ax);
  const all: number[] = [];
  let dark = 0;
  let n = 0;
  const us: number[] = [];
  const edges: number[] = [];
  for (let k = 6; k <= 34; k++) {
    const u = k / 40;
    const up = curveAt(f.upper, u);
    const lo = curveAt(f.lower, u);
    if (!(lo - up > 4)) continue;
    n++;
    const col: number[] = [];
    for (let v = up + 1; v <= lo - 1; v += 0.5) col.push(at(u, v));
    all.push(...col);
    let run = 0;
    let best = 0;
    const teeth = Math.max(...col);
    for (const l of col) {
      run = l < DARK * teeth ? run + 0.5 : 0;
      best = Math.max(best, run);
    }
    if (best >= Math.max(1, CRESCENT_IOD * f.iod)) dark++;
    // the upper teeth's lower edge: past the brightest sample of the upper half, the first below the midpoint
    const half = col.slice(0, Math.max(1, col.length >> 1));
    const top = half.indexOf(Math.max(...half));
    const low = Math.min(...col.slice(top));
    const mid = (col[top] + low) / 2;
    const j = col.findIndex((l, i) => i > top && l < mid);
    if (col[top] > 1.2 * lips && j > 0) {
      us.push(u);
      edges.push(j * 0.5);
    }
  }
  all.sort((a, b) => a - b);
  return {
    crescent: n ? dark / n : 0,
    ragged: edges.length > 5 ? quadraticRms(us, edges) / f.iod : 0,
    darkest: all[Math.floor(0.01 * all.length)] / lips,
    columns: edges.length,
  };
}

/** RMS of `y` about its least-squares quadratic in `x`. */
function quadraticRms(x: number[], y: number[]): number {
  // normal equations for y = a + b x + c x^2
  const s = (p: number, q = 0) => x.reduce((acc, xi, i) => acc + xi ** p * (q ? y[i] : 1), 0);
  const m = [
    [s(0), s(1), s(2)],
    [s(1), s(2), s(3)],
    [s(2), s(3), s(4)],
  ];
  const r = [s(0, 1), s(1, 1), s(2, 1)];
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  const coef = [0, 1, 2].map((c) => det(m.map((row, i) => row.map((v, j) => (j === c ? r[i] : v)))) / d);
  const res = x.map((xi, i) => y[i] - (coef[0] + coef[1] * xi + coef[2] * xi * xi));
  return Math.sqrt(res.reduce((a, v) => a + v * v, 0) / res.length);
}
