/**
 * Stage 7a, warp: dense 2-D motion from the source landmarks to the target landmarks. Pure
 * calculators; the resampling of the photo with the motion is the sampler's (sampler.ts).
 *
 * The motion is a backward map (target pixel -> source pixel) interpolated over a Delaunay
 * triangulation of the target points plus a ring of zero-motion anchors around the face. Inside the
 * face hull it is plain barycentric interpolation; between the hull and the ring the face vertices'
 * weight s (1 on the hull, 0 on the ring) is eased with smoothstep, so the motion fades to zero with
 * zero slope at the ring and hair, ears, collar and background do not tear. Outside the ring the
 * motion is exactly zero, so those pixels come out bit-identical.
 *
 * The map is evaluated on a coarse grid of nodes over the region of interest (ROI) in plain
 * JavaScript (a loop over grid nodes, never over photo pixels). The sampler upsamples it to the ROI
 * with align-corners bilinear interpolation (node (i, j) sits exactly on ROI pixel
 * (i (w-1)/(cols-1), j (h-1)/(rows-1))) and samples the ROI where it points with bicubic Catmull-Rom
 * interpolation (4 x 4 taps), which keeps a sub-pixel shift sharp where bilinear sampling would blur it.
 *
 * Coordinates: image pixel coordinates put the centre of pixel (i, j) at (i, j), as tf.image.transform
 * and analyse/rotated-crop.ts do. Landmarks (Point3) are in those coordinates; z is ignored here.
 */
import Delaunator from 'delaunator';
import { EditorError, ErrorCode } from '../errors';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point2, Point3 } from '../types';

/** Integer pixel rectangle. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WarpConfig {
  /** Smallest anchor-ring radius, in face radii (the face radius is the largest distance of a source landmark from the face centre). */
  ringMin: number;
  /** Largest anchor-ring radius, in face radii; the ROI holds a ring this big. */
  ringMax: number;
  /** The ring is at least this many times the farthest target landmark's distance from the centre. */
  ringSlack: number;
  /** Number of anchors on the ring. */
  anchors: number;
  /** Grid nodes along the ROI's longer side, at most. */
  maxNodes: number;
  /** Desired grid spacing in ROI pixels (fewer nodes for small faces). */
  nodeSpacing: number;
  /**
   * Motion under about this many pixels is dropped: |flow| is scaled by smoothstep from 0.5 * still (0) to
   * 1.5 * still (1), so what would move by a fraction of a pixel is not resampled at all and keeps its exact
   * pixels and sharpness (eyes and skin that barely move are not softened by sub-pixel resampling),
   * while motion of more than 1.5 * still pixels is kept exactly.
   */
  still: number;
}

const DEFAULT_WARP_CONFIG: Readonly<WarpConfig> = {
  ringMin: 1.45,
  ringMax: 1.8,
  ringSlack: 1.2,
  anchors: 48,
  maxNodes: 128,
  nodeSpacing: 3,
  still: 0.5,
};

function warpConfig(partial: Partial<WarpConfig> = {}): WarpConfig {
  const c = { ...DEFAULT_WARP_CONFIG, ...partial };
  if (!(c.ringMin > 1 && c.ringMax >= c.ringMin && c.ringSlack >= 1 && c.anchors >= 8 && c.maxNodes >= 4 && c.nodeSpacing > 0)) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, 'invalid warp configuration');
  }
  return c;
}

/** Where the warp works: the ROI (clipped to the image) and the face circle the anchor ring is built on. */
export interface WarpRegion {
  roi: Rect;
  /** Face centre in image pixels (centre of the source landmarks' bounding box). */
  centre: Point2;
  /** Largest distance of a source landmark from `centre`, image pixels. */
  faceRadius: number;
  config: WarpConfig;
}

/**
 * The warp region of a face: a square around the face holding the largest anchor ring (and any
 * `extra` points, e.g. the aligned crop's corners), clipped to the `width` x `height` image.
 */
export function warpRegion(
  points: readonly Point3[],
  width: number,
  height: number,
  extra: readonly Point2[] = [],
  config: Partial<WarpConfig> = {},
): WarpRegion {
  const cfg = warpConfig(config);
  if (points.length < 3) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'warpRegion needs landmarks');
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'landmark is not a finite number');
    minX = Math.min(minX, p[0]);
    maxX = Math.max(maxX, p[0]);
    minY = Math.min(minY, p[1]);
    maxY = Math.max(maxY, p[1]);
  }
  const centre: Point2 = [(minX + maxX) / 2, (minY + maxY) / 2];
  let r = 0;
  for (const p of points) r = Math.max(r, Math.hypot(p[0] - centre[0], p[1] - centre[1]));
  if (!(r >= 2)) throw new EditorError(ErrorCode.FACE_TOO_SMALL, 'landmarks span less than 4 pixels');
  const R = r * cfg.ringMax + 2;
  let x0 = centre[0] - R;
  let x1 = centre[0] + R;
  let y0 = centre[1] - R;
  let y1 = centre[1] + R;
  for (const p of extra) {
    x0 = Math.min(x0, p[0] - 2);
    x1 = Math.max(x1, p[0] + 2);
    y0 = Math.min(y0, p[1] - 2);
    y1 = Math.max(y1, p[1] + 2);
  }
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(width, Math.ceil(x1) + 1);
  const bottom = Math.min(height, Math.ceil(y1) + 1);
  if (right - left < 2 || bottom - top < 2) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'the face lies outside the image');
  return { roi: { x: left, y: top, width: right - left, height: bottom - top }, centre, faceRadius: r, config: cfg };
}

/** Backward displacement (source - target, image pixels) on a grid of nodes spanning the ROI corner to corner. */
export interface FlowGrid {
  cols: number;
  rows: number;
  /** Row-major, rows x cols. Node (i, j) is at ROI pixel (i (w-1)/(cols-1), j (h-1)/(rows-1)). */
  dx: Float32Array;
  dy: Float32Array;
  /** Radius of the zero-motion anchor ring used, image pixels. */
  ringRadius: number;
  /**
   * 1 when the target was reached; below 1 when the motion was scaled down by this factor because
   * the target carried landmarks beyond what the ROI holds (an exaggerated edit saturates, not fails).
   */
  motionScale: number;
}

/** The warp's backward map at image point (x, y): where the warp takes that pixel from. */
export function warpSource(grid: FlowGrid, roi: Rect, x: number, y: number): Point2 {
  const gx = Math.min(grid.cols - 1, Math.max(0, ((x - roi.x) * (grid.cols - 1)) / Math.max(1, roi.width - 1)));
  const gy = Math.min(grid.rows - 1, Math.max(0, ((y - roi.y) * (grid.rows - 1)) / Math.max(1, roi.height - 1)));
  const i = Math.min(grid.cols - 2, Math.floor(gx));
  const j = Math.min(grid.rows - 2, Math.floor(gy));
  const fx = gx - i;
  const fy = gy - j;
  const at = (a: Float32Array) => {
    const o = j * grid.cols + i;
    return (1 - fy) * ((1 - fx) * a[o] + fx * a[o + 1]) + fy * ((1 - fx) * a[o + grid.cols] + fx * a[o + grid.cols + 1]);
  };
  return [x + at(grid.dx), y + at(grid.dy)];
}

/** Grid size for a ROI: about `nodeSpacing` pixels apart, at most `maxNodes` along the longer side. */
function gridSize(roi: Rect, cfg: WarpConfig): { cols: number; rows: number } {
  const long = Math.max(roi.width, roi.height);
  const n = Math.max(4, Math.min(cfg.maxNodes, Math.ceil((long - 1) / cfg.nodeSpacing) + 1));
  const step = (long - 1) / (n - 1);
  return {
    cols: Math.max(2, Math.min(roi.width, Math.round((roi.width - 1) / step) + 1)),
    rows: Math.max(2, Math.min(roi.height, Math.round((roi.height - 1) / step) + 1)),
  };
}

/**
 * The dense motion from `source` to `target` (both image pixels, same length and order) sampled on
 * the region's grid. Targets beyond what the ROI can hold are approached as far as it allows
 * (`motionScale` < 1); non-finite or mismatched targets throw BAD_ARGUMENT.
 */
export function flowGrid(source: readonly Point3[], target: readonly Point3[], region: WarpRegion): FlowGrid {
  if (source.length !== target.length) throw new EditorError(ErrorCode.BAD_ARGUMENT, `${target.length} target points for ${source.length} source points`);
  const { roi, centre, faceRadius, config: cfg } = region;
  for (const p of target) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'target point is not a finite number');
  }
  // Motion that would carry a point past what the ROI holds is scaled down (the edit saturates).
  const motionScale = saturation(source, target, centre, (cfg.ringMax * faceRadius) / cfg.ringSlack);
  const ringRadius = Math.min(cfg.ringMax * faceRadius, Math.max(cfg.ringMin * faceRadius, cfg.ringSlack * reach(source, target, centre, motionScale)));
  const mesh = anchoredMesh(source, target, motionScale, centre, ringRadius, cfg.anchors);
  const { cols, rows } = gridSize(roi, cfg);
  const grid: NodeGrid = { roi, cols, rows, sx: (roi.width - 1) / (cols - 1), sy: (roi.height - 1) / (rows - 1) };
  const { dx, dy } = interpolateMotion(mesh, grid, cfg.still);
  keepEyeballs(source, mesh.coords, grid, dx, dy);
  return { cols, rows, dx, dy, ringRadius, motionScale };
}

/** The farthest any point gets from `centre` when moved the fraction `f` of the way from `source` to `target`. */
function reach(source: readonly Point3[], target: readonly Point3[], centre: Point2, f: number): number {
  let far = 0;
  for (let i = 0; i < source.length; i++) {
    far = Math.max(far, Math.hypot(source[i][0] + f * (target[i][0] - source[i][0]) - centre[0], source[i][1] + f * (target[i][1] - source[i][1]) - centre[1]));
  }
  return far;
}

/** The largest fraction of the motion (1 = all of it) that keeps every point within `limit` of `centre` (bisection). */
function saturation(source: readonly Point3[], target: readonly Point3[], centre: Point2, limit: number): number {
  if (!(reach(source, target, centre, 1) > limit)) return 1;
  let lo = 0;
  let hi = 1; // reach(0) = faceRadius < limit
  for (let it = 0; it < 30; it++) {
    const mid = (lo + hi) / 2;
    if (reach(source, target, centre, mid) > limit) hi = mid;
    else lo = mid;
  }
  return lo;
}

/** The moved face vertices (n of them, then the zero-motion anchors), their backward displacement, and their Delaunay triangles. */
interface AnchoredMesh {
  /** x, y of each vertex: the n target points, then the ring's anchors. */
  coords: Float64Array;
  /** Backward displacement at the face vertices. */
  ux: Float64Array;
  uy: Float64Array;
  /** Number of face vertices. */
  n: number;
  triangles: Uint32Array;
}

/** The target points (source moved by `motionScale` of the motion) and `anchors` points on a ring of `ringRadius` around `centre`, triangulated. */
function anchoredMesh(
  source: readonly Point3[],
  target: readonly Point3[],
  motionScale: number,
  centre: Point2,
  ringRadius: number,
  anchors: number,
): AnchoredMesh {
  const n = source.length;
  const m = anchors;
  const coords = new Float64Array(2 * (n + m));
  const ux = new Float64Array(n); // backward displacement at the face vertices
  const uy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ux[i] = motionScale * (source[i][0] - target[i][0]);
    uy[i] = motionScale * (source[i][1] - target[i][1]);
    coords[2 * i] = source[i][0] - ux[i];
    coords[2 * i + 1] = source[i][1] - uy[i];
  }
  for (let k = 0; k < m; k++) {
    const a = (2 * Math.PI * (k + 0.5)) / m;
    coords[2 * (n + k)] = centre[0] + ringRadius * Math.cos(a);
    coords[2 * (n + k) + 1] = centre[1] + ringRadius * Math.sin(a);
  }
  return { coords, ux, uy, n, triangles: new Delaunator(coords).triangles };
}

/** The flow grid's nodes over the ROI: cols x rows, `sx` x `sy` ROI pixels apart. */
interface NodeGrid {
  roi: Rect;
  cols: number;
  rows: number;
  sx: number;
  sy: number;
}

/**
 * The mesh's motion at every grid node, triangle by triangle: barycentric inside the face hull, eased to zero by
 * smoothstep between the hull and the ring, and motion under about `still` pixels dropped (WarpConfig.still).
 */
function interpolateMotion(mesh: AnchoredMesh, grid: NodeGrid, still: number): { dx: Float32Array; dy: Float32Array } {
  const { coords, ux, uy, n, triangles: tri } = mesh;
  const { roi, cols, rows, sx, sy } = grid;
  const dx = new Float32Array(cols * rows);
  const dy = new Float32Array(cols * rows);
  const done = new Uint8Array(cols * rows);
  const eps = 1e-9;
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t];
    const b = tri[t + 1];
    const c = tri[t + 2];
    const ax = coords[2 * a] - roi.x;
    const ay = coords[2 * a + 1] - roi.y;
    const bx = coords[2 * b] - roi.x;
    const by = coords[2 * b + 1] - roi.y;
    const cx = coords[2 * c] - roi.x;
    const cy = coords[2 * c + 1] - roi.y;
    const det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
    if (Math.abs(det) < 1e-12) continue;
    const fa = a < n ? 1 : 0;
    const fb = b < n ? 1 : 0;
    const fc = c < n ? 1 : 0;
    if (fa + fb + fc === 0) continue; // anchors only: zero motion, already zero
    const i0 = Math.max(0, Math.ceil(Math.min(ax, bx, cx) / sx - eps));
    const i1 = Math.min(cols - 1, Math.floor(Math.max(ax, bx, cx) / sx + eps));
    const j0 = Math.max(0, Math.ceil(Math.min(ay, by, cy) / sy - eps));
    const j1 = Math.min(rows - 1, Math.floor(Math.max(ay, by, cy) / sy + eps));
    for (let j = j0; j <= j1; j++) {
      const py = j * sy;
      for (let i = i0; i <= i1; i++) {
        const g = j * cols + i;
        if (done[g]) continue;
        const px = i * sx;
        const la = ((by - cy) * (px - cx) + (cx - bx) * (py - cy)) / det;
        const lb = ((cy - ay) * (px - cx) + (ax - cx) * (py - cy)) / det;
        const lc = 1 - la - lb;
        if (la < -eps || lb < -eps || lc < -eps) continue;
        done[g] = 1;
        let vx = (fa ? la * ux[a] : 0) + (fb ? lb * ux[b] : 0) + (fc ? lc * ux[c] : 0);
        let vy = (fa ? la * uy[a] : 0) + (fb ? lb * uy[b] : 0) + (fc ? lc * uy[c] : 0);
        const s = fa * la + fb * lb + fc * lc; // weight of the face vertices: 1 inside the hull, 0 on the ring
        if (s < 1) {
          // smoothstep(s) times the face vertices' weighted mean = s (3 - 2 s) times the plain sum
          const w = s > 0 ? s * (3 - 2 * s) : 0;
          vx *= w;
          vy *= w;
        }
        const z = Math.min(1, Math.max(0, Math.hypot(vx, vy) / still - 0.5));
        const keep = z * z * (3 - 2 * z);
        dx[g] = vx * keep;
        dy[g] = vy * keep;
      }
    }
  }
  return { dx, dy };
}

/**
 * The eyeballs stay: lids slide over them, they do not stretch with them. Grid nodes inside an eye's opening both
 * in the target (`coords`) and in the photo (`source`) get zero motion, so iris, catchlights and sclera keep their
 * exact pixels while the lids around them move (a squint lowers the upper lid over a still iris).
 * (FaceMesh points only: synthetic point sets in tests have no eyes.)
 */
function keepEyeballs(source: readonly Point3[], coords: Float64Array, grid: NodeGrid, dx: Float32Array, dy: Float32Array): void {
  const { roi, cols, rows, sx, sy } = grid;
  for (const rim of source.length >= 468 ? EYE_RIMS : []) {
    const tx = rim.map((i) => coords[2 * i] - roi.x);
    const ty = rim.map((i) => coords[2 * i + 1] - roi.y);
    const sxs = rim.map((i) => source[i][0] - roi.x);
    const sys = rim.map((i) => source[i][1] - roi.y);
    const i0 = Math.max(0, Math.ceil(Math.min(...tx) / sx));
    const i1 = Math.min(cols - 1, Math.floor(Math.max(...tx) / sx));
    const j0 = Math.max(0, Math.ceil(Math.min(...ty) / sy));
    const j1 = Math.min(rows - 1, Math.floor(Math.max(...ty) / sy));
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        if (!insidePolygon(tx, ty, i * sx, j * sy) || !insidePolygon(sxs, sys, i * sx, j * sy)) continue;
        dx[j * cols + i] = 0;
        dy[j * cols + i] = 0;
      }
    }
  }
}

/** MediaPipe FaceMesh eye rims (landmark-sets.json rightEyeRing, leftEyeRing). */
const EYE_RIMS = [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing];

/** The bounding box of the points of `points` numbered in `idx`. */
export function ringBox(points: readonly (readonly number[])[], idx: readonly number[]): { x0: number; y0: number; x1: number; y1: number } {
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
  return { x0, y0, x1, y1 };
}

/** Even-odd test of (x, y) against the polygon (xs[k], ys[k]). */
export function insidePolygon(xs: readonly number[], ys: readonly number[], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
    if (ys[i] > y !== ys[j] > y && x < xs[i] + ((y - ys[i]) * (xs[j] - xs[i])) / (ys[j] - ys[i])) c = !c;
  }
  return c;
}

/** Largest change of the displacement between neighbouring grid nodes, per ROI pixel of node spacing. */
export function maxFlowGradient(grid: FlowGrid, roi: Rect): number {
  const sx = (roi.width - 1) / (grid.cols - 1);
  const sy = (roi.height - 1) / (grid.rows - 1);
  let g = 0;
  for (let j = 0; j < grid.rows; j++) {
    for (let i = 0; i < grid.cols; i++) {
      const k = j * grid.cols + i;
      if (i + 1 < grid.cols) g = Math.max(g, Math.hypot(grid.dx[k + 1] - grid.dx[k], grid.dy[k + 1] - grid.dy[k]) / sx);
      if (j + 1 < grid.rows) g = Math.max(g, Math.hypot(grid.dx[k + grid.cols] - grid.dx[k], grid.dy[k + grid.cols] - grid.dy[k]) / sy);
    }
  }
  return g;
}

/**
 * Smallest determinant of the backward map's Jacobian (I + grad d) over the grid cells (forward
 * differences). 1 = no change of area, 0 = a region collapses (the mouth gap being stretched from the
 * lips' line), below 0 = the map folds over (content mirrored): what a warp must not do.
 */
export function minJacobian(grid: FlowGrid, roi: Rect): number {
  const sx = (roi.width - 1) / (grid.cols - 1);
  const sy = (roi.height - 1) / (grid.rows - 1);
  let m = Infinity;
  for (let j = 0; j + 1 < grid.rows; j++) {
    for (let i = 0; i + 1 < grid.cols; i++) {
      const k = j * grid.cols + i;
      const a = 1 + (grid.dx[k + 1] - grid.dx[k]) / sx;
      const b = (grid.dx[k + grid.cols] - grid.dx[k]) / sy;
      const c = (grid.dy[k + 1] - grid.dy[k]) / sx;
      const d = 1 + (grid.dy[k + grid.cols] - grid.dy[k]) / sy;
      m = Math.min(m, a * d - b * c);
    }
  }
  return m;
}
