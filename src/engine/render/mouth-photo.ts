/**
 * What a mouth in a photo shows, read off its pixels for the mouth-interior stage (mouth-interior.ts): the lips'
 * colour, the photo's white point and grain, where the lips really end (the face mesh's inner lip line lies inside the
 * teeth on a toothy smile), whether teeth show, and where the upper teeth end.
 */
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3, RGBAImage } from '../types';
import { bounds, curveAt, type Curve, eachPixel, frameU, frameV, median5, mouthFrame, type MouthFrame, outerCurves, sampleInFrame } from './mouth-frame';
import { insidePolygon, type Rect } from './warp';

/** A photo and the landmarks of a face in it (468 points, that photo's pixels). */
export interface MouthPhoto {
  readonly image: RGBAImage;
  readonly points: readonly Point3[];
}

const ring = LANDMARK_SETS.innerMouthRing;

/**
 * Median RGB (0..255, per channel) of the lips (inside the outer lip ring, outside the inner mouth ring) in `values`
 * over `roi`. The median, not the mean: on a smile the mesh's inner lip contour often lies a little inside the
 * teeth, so the lips' ring holds some bright tooth pixels.
 */
export function lipColour(values: Float32Array, roi: Rect, points: readonly Point3[]): number[] | null {
  const b = bounds(points, LANDMARK_SETS.outerLipRing);
  const [ox, oy] = [0, 1].map((k) => LANDMARK_SETS.outerLipRing.map((i) => points[i][k]));
  const [ix, iy] = [0, 1].map((k) => ring.map((i) => points[i][k]));
  const ch: number[][] = [[], [], []];
  eachPixel(roi, b, (x, y, k) => {
    if (!insidePolygon(ox, oy, x, y) || insidePolygon(ix, iy, x, y)) return false;
    for (let c = 0; c < 3; c++) ch[c].push(values[k + c]);
    return true;
  });
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

const scleras = new WeakMap<readonly Point3[], [number, number, number] | null>();
/**
 * When the whites of the eyes can be read: each eye at least `width` pixels wide (smaller, the band takes in lid and
 * lashes), at least `pixels` inside the rings, and the band no more coloured than `chroma` (largest channel over
 * smallest): skin in the band, or tinted glasses, read as a dim, coloured "white".
 */
const SCLERA_READABLE = { width: 28, pixels: 12, chroma: 1.35 } as const;

/**
 * The white of the eyes of the face at `points` in `img`: per channel, the mean of the pixels inside both eye rings
 * whose luma lies between the rings' 70th and 97th percentile (the sclera is brighter than the iris, the lashes and
 * the lid's shadow; the catchlight is brighter still). The eyes are lit as the face is, where the photo's white point
 * may be a shirt or a window: teeth from another photo take the face's exposure from it. Null where it cannot be
 * read (SCLERA_READABLE: small, closed or covered eyes). Cached per landmark array.
 */
export function scleraWhite(img: RGBAImage, points: readonly Point3[]): [number, number, number] | null {
  const cached = scleras.get(points);
  if (cached !== undefined) return cached;
  const px: number[][] = [];
  for (const r of [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing]) {
    const xs = r.map((i) => points[i][0]);
    const ys = r.map((i) => points[i][1]);
    if (Math.max(...xs) - Math.min(...xs) < SCLERA_READABLE.width) {
      scleras.set(points, null);
      return null;
    }
    const [x0, x1] = [Math.max(0, Math.floor(Math.min(...xs))), Math.min(img.width - 1, Math.ceil(Math.max(...xs)))];
    const [y0, y1] = [Math.max(0, Math.floor(Math.min(...ys))), Math.min(img.height - 1, Math.ceil(Math.max(...ys)))];
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (!insidePolygon(xs, ys, x + 0.5, y + 0.5)) continue;
        const k = (y * img.width + x) * 4;
        px.push([img.data[k], img.data[k + 1], img.data[k + 2], 0.299 * img.data[k] + 0.587 * img.data[k + 1] + 0.114 * img.data[k + 2]]);
      }
    }
  }
  let out: [number, number, number] | null = null;
  if (px.length >= SCLERA_READABLE.pixels) {
    px.sort((a, b) => a[3] - b[3]);
    const band = px.slice(Math.floor(0.7 * px.length), Math.max(Math.floor(0.97 * px.length), Math.floor(0.7 * px.length) + 1));
    const white = [0, 1, 2].map((c) => Math.max(band.reduce((s, p) => s + p[c], 0) / band.length, 1)) as [number, number, number];
    if (Math.max(...white) / Math.min(...white) <= SCLERA_READABLE.chroma) out = white;
  }
  scleras.set(points, out);
  return out;
}

/** How far past the mesh's inner lip line lipEdges looks for the lips' real edge, in IOD. */
const EDGE_SEARCH = 0.06;
/** A found lip edge is moved this much further out (IOD, at least 1.5 px): the pixels where lip blends into tooth. */
const EDGE_MARGIN = 0.01;
/** Teeth show between the lips when the bright half of what lies between is this much brighter than the lips (luma, 0..255). */
const TEETH_OVER_LIPS = 25;
const edgeCache = new WeakMap<readonly Point3[], MouthFrame | null>();
const teethCache = new WeakMap<readonly Point3[], boolean>();

/** Teeth show between the lips of `source` (the bright half of the inside is TEETH_OVER_LIPS brighter than the lips). */
export function showsTeeth(source: MouthPhoto): boolean {
  if (!teethCache.has(source.points)) lipEdges(source.image, source.points);
  return teethCache.get(source.points) ?? false;
}

/**
 * The mouth frame of `points` on `img` with its inner lip curves moved to where the lips really end. On a toothy
 * smile the face mesh puts its inner lip line a few pixels inside the teeth; lips drawn from there carry a strip
 * of teeth. Along 40 columns of the frame, each curve is walked outward
 * from the mesh's line while the pixel looks like the mouth's inside (nearer in colour to the bright half of the
 * inside than to the lips' median), then median-filtered across 5 columns. Curves only ever move outward. When no
 * teeth show (the bright half of the inside is not TEETH_OVER_LIPS brighter than the lips: parted lips, a dark gap)
 * the mesh's lines stand (walking there moved them onto the lips). Null when the mouth is too closed to tell.
 */
export function lipEdges(img: RGBAImage, points: readonly Point3[]): MouthFrame | null {
  const cached = edgeCache.get(points);
  if (cached !== undefined) return cached;
  const f = mouthFrame(points);
  const px = (u: number, v: number, out: Float32Array) => sampleInFrame(img, f, u, v, out);
  // reference colours, in a space where chroma counts twice: the lips (between the lines, just outside them) and
  // the bright half of what lies between the inner lines
  const ycc = (c: ArrayLike<number>): [number, number, number] => {
    const y = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    return [y, 2 * (c[2] - y), 2 * (c[0] - y)];
  };
  const inside: [number, number, number][] = [];
  const lips: [number, number, number][] = [];
  const t = new Float32Array(4);
  const lipDepth = 0.04 * f.iod;
  for (let k = 1; k < 40; k++) {
    const u = k / 40;
    const up = curveAt(f.upper, u);
    const lo = curveAt(f.lower, u);
    for (let v = up + 1; v < lo - 1; v += 1) inside.push(ycc(px(u, v, t)));
    for (let d = 0.5 * lipDepth; d <= lipDepth; d += 1) {
      lips.push(ycc(px(u, up - d, t)));
      lips.push(ycc(px(u, lo + d, t)));
    }
  }
  if (inside.length < 20 || lips.length < 20) {
    edgeCache.set(points, null);
    return null;
  }
  const median = (xs: [number, number, number][]) => [0, 1, 2].map((c) => xs.map((x) => x[c]).sort((a, b) => a - b)[xs.length >> 1]);
  inside.sort((a, b) => b[0] - a[0]);
  const mouth = median(inside.slice(0, Math.max(1, inside.length >> 1)));
  const lip = median(lips);
  teethCache.set(points, mouth[0] > lip[0] + TEETH_OVER_LIPS);
  if (!(mouth[0] > lip[0] + TEETH_OVER_LIPS)) {
    // no teeth between the lips (parted lips, a dark gap): the mesh's lines stand
    edgeCache.set(points, f);
    return f;
  }
  const d2 = (a: readonly number[], b: readonly number[]) => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
  const inMouth = (u: number, v: number) => {
    const c = ycc(px(u, v, t));
    return d2(c, mouth) < d2(c, lip);
  };
  const reach = EDGE_SEARCH * f.iod;
  const margin = Math.max(1.5, EDGE_MARGIN * f.iod);
  const walk = (c: Curve, dir: -1 | 1): Curve => {
    const n = 40;
    const us = new Float64Array(n - 1);
    const raw = new Float64Array(n - 1);
    for (let k = 1; k < n; k++) {
      const u = k / n;
      const v0 = curveAt(c, u);
      let edge = v0;
      // start a pixel inside the line; step outward while the pixel still looks like the inside
      for (let s = -1; s <= reach; s++) {
        if (!inMouth(u, v0 + dir * s)) break;
        edge = v0 + dir * (s + 1);
      }
      us[k - 1] = u;
      // past the last pixel that looks like the inside lie a pixel or two of blend (and the cubic's reach)
      if (edge !== v0) edge += dir * margin;
      raw[k - 1] = dir < 0 ? Math.min(edge, v0) : Math.max(edge, v0);
    }
    const vs = median5(raw).map((m, k) => (dir < 0 ? Math.min(m, curveAt(c, us[k])) : Math.max(m, curveAt(c, us[k]))));
    return { u: us, v: vs };
  };
  const edges = { ...f, upper: walk(f.upper, -1), lower: walk(f.lower, 1) };
  edgeCache.set(points, edges);
  return edges;
}

const splitCache = new WeakMap<readonly Point3[], Curve>();

/**
 * Where the upper teeth end in `source`'s open mouth: per column of the mouth frame (40), the darkest row between
 * 30 % and 85 % of the opening's height (luma, smoothed over 3 rows and 3 columns; the gap between upper and lower
 * teeth, or the shade over the lower lip), to a sub-pixel by a parabola, median-filtered across 5 columns and
 * averaged across 7; v = distance below the upper inner lip, source pixels. Openings under 4 px split in the middle.
 */
export function teethSplit(source: MouthPhoto): Curve {
  const cached = splitCache.get(source.points);
  if (cached) return cached;
  const f = mouthFrame(source.points);
  const img = source.image;
  const t = new Float32Array(4);
  const luma = (u: number, v: number) => {
    sampleInFrame(img, f, u, v, t);
    return 0.299 * t[0] + 0.587 * t[1] + 0.114 * t[2];
  };
  const n = 40;
  const us = new Float64Array(n - 1);
  const raw = new Float64Array(n - 1);
  for (let k = 1; k < n; k++) {
    const u = k / n;
    const up = curveAt(f.upper, u);
    const h = curveAt(f.lower, u) - up;
    us[k - 1] = u;
    raw[k - 1] = h / 2;
    if (!(h >= 4)) continue;
    const rows = Math.floor(h);
    const prof = new Float64Array(rows + 1);
    for (let j = 0; j <= rows; j++) prof[j] = (luma(u - 0.5 / n, up + j) + luma(u, up + j) + luma(u + 0.5 / n, up + j)) / 3;
    let best = Infinity;
    const sum = (j: number) => prof[Math.max(j - 1, 0)] + prof[j] + prof[Math.min(j + 1, rows)];
    for (let j = Math.max(1, Math.ceil(0.3 * h)); j <= Math.min(rows - 1, Math.floor(0.85 * h)); j++) {
      const l = sum(j);
      if (l < best) {
        best = l;
        raw[k - 1] = j;
      }
    }
    // sub-pixel: the vertex of the parabola through the darkest row and its neighbours
    const j = raw[k - 1];
    if (Number.isInteger(j) && j >= 1 && j < rows) {
      const a = sum(j - 1);
      const c = sum(j + 1);
      const den = a - 2 * best + c;
      if (den > 0) raw[k - 1] = j + Math.min(Math.max((0.5 * (a - c)) / den, -0.5), 0.5);
    }
  }
  // median (a tooth's dark edge in one column is not the split), then a 7-column triangular mean: the split is a
  // smooth line; whole-pixel steps from column to column drew the mouth's dark inside as a staircase across the teeth
  const med = median5(raw);
  const smooth = new Float64Array(med.length);
  for (let k = 0; k < med.length; k++) {
    let s = 0;
    let w = 0;
    for (let d = -3; d <= 3; d++) {
      const i = k + d;
      if (i < 0 || i >= med.length) continue;
      const wt = 4 - Math.abs(d);
      s += wt * med[i];
      w += wt;
    }
    smooth[k] = s / w;
  }
  const out = { u: us, v: smooth };
  splitCache.set(source.points, out);
  return out;
}

const grainCache = new WeakMap<readonly Point3[], number>();
/**
 * The skin band grainOf reads: from `gap` IOD (at least 2 px) to `below` / `above` IOD outside the lips' outer
 * contours, u from `ends` to 1 - `ends`.
 */
const GRAIN_BAND = { gap: 0.03, below: 0.15, above: 0.12, ends: 0.1 } as const;

/**
 * The photo's grain near the mouth of the face at `points`: the RMS of luminance minus its 3 x 3 mean that the skin
 * around the lips shows (under the lower lip, over the upper one), estimated robustly as 1.4826 times the median
 * absolute value, so pores, stubble and the edges of a crease count little. Grey levels (0..255). Cached per points.
 */
export function grainOf(img: RGBAImage, points: readonly Point3[]): number {
  const cached = grainCache.get(points);
  if (cached !== undefined) return cached;
  const f = mouthFrame(points);
  const out = outerCurves(f, points);
  const { width: W, height: H, data } = img;
  const luma = (k: number) => 0.299 * data[k] + 0.587 * data[k + 1] + 0.114 * data[k + 2];
  const b = bounds(points, LANDMARK_SETS.outerLipRing);
  const pad = Math.ceil(GRAIN_BAND.below * f.iod);
  const gap = Math.max(GRAIN_BAND.gap * f.iod, 2); // the lips' edge is out of every 3 x 3 neighbourhood
  const res: number[] = [];
  for (let y = Math.max(1, b.y0 - pad); y <= Math.min(H - 2, b.y1 + pad); y++) {
    for (let x = Math.max(1, b.x0); x <= Math.min(W - 2, b.x1); x++) {
      const u = frameU(f, x, y);
      if (u < GRAIN_BAND.ends || u > 1 - GRAIN_BAND.ends) continue;
      const v = frameV(f, x, y);
      const below = v - curveAt(out.lower, u);
      const above = curveAt(out.upper, u) - v;
      if (!((below > gap && below < GRAIN_BAND.below * f.iod) || (above > gap && above < GRAIN_BAND.above * f.iod))) continue;
      const k = (y * W + x) * 4;
      let m = 0;
      for (let j = -W; j <= W; j += W) m += luma(k + 4 * (j - 1)) + luma(k + 4 * j) + luma(k + 4 * (j + 1));
      res.push(Math.abs(luma(k) - m / 9));
    }
  }
  res.sort((p, q) => p - q);
  const grain = res.length > 20 ? 1.4826 * res[res.length >> 1] : 0;
  grainCache.set(points, grain);
  return grain;
}
