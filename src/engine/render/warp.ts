/**
 * Stage 7a, warp: dense 2-D motion from the source landmarks to the target landmarks, and the
 * resampling of the photo with it.
 *
 * The motion is a backward map (target pixel -> source pixel) interpolated over a Delaunay
 * triangulation of the target points plus a ring of zero-motion anchors around the face. Inside the
 * face hull it is plain barycentric interpolation; between the hull and the ring the face vertices'
 * weight s (1 on the hull, 0 on the ring) is eased with smoothstep, so the motion fades to zero with
 * zero slope at the ring and hair, ears, collar and background do not tear. Outside the ring the
 * motion is exactly zero, so those pixels come out bit-identical.
 *
 * The map is evaluated on a coarse grid of nodes over the region of interest (ROI) in plain
 * JavaScript (a loop over grid nodes, never over photo pixels), upsampled to the ROI with
 * tf.image.resizeBilinear (align corners: node (i, j) sits exactly on ROI pixel
 * (i (w-1)/(cols-1), j (h-1)/(rows-1))) and applied with a bilinear gather sampler written in tfjs ops,
 * which runs on whichever backend is active (WebGL; CPU and WebGPU have faster paths: a typed-array
 * loop, and one fused WGSL kernel doing both the upsampling and the sampling, webgpu-kernels.ts).
 *
 * Coordinates: image pixel coordinates put the centre of pixel (i, j) at (i, j), as tf.image.transform
 * and crop.ts do. Landmarks (Point3) are in those coordinates; z is ignored here.
 */
import * as tf from '@tensorflow/tfjs-core';
import Delaunator from 'delaunator';
import { EditorError, ErrorCode } from '../errors';
import type { Point2, Point3 } from '../types';
import { warpPixelsWebGPU } from './webgpu-kernels';

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
}

export const DEFAULT_WARP_CONFIG: Readonly<WarpConfig> = {
  ringMin: 1.45,
  ringMax: 1.8,
  ringSlack: 1.2,
  anchors: 48,
  maxNodes: 128,
  nodeSpacing: 3,
};

export function warpConfig(partial: Partial<WarpConfig> = {}): WarpConfig {
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
export function warpRegion(points: readonly Point3[], width: number, height: number, extra: readonly Point2[] = [], config: Partial<WarpConfig> = {}): WarpRegion {
  const cfg = warpConfig(config);
  if (points.length < 3) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'warpRegion needs landmarks');
  let minX = Infinity; let maxX = -Infinity; let minY = Infinity; let maxY = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'landmark is not a finite number');
    minX = Math.min(minX, p[0]); maxX = Math.max(maxX, p[0]); minY = Math.min(minY, p[1]); maxY = Math.max(maxY, p[1]);
  }
  const centre: Point2 = [(minX + maxX) / 2, (minY + maxY) / 2];
  let r = 0;
  for (const p of points) r = Math.max(r, Math.hypot(p[0] - centre[0], p[1] - centre[1]));
  if (!(r >= 2)) throw new EditorError(ErrorCode.FACE_TOO_SMALL, 'landmarks span less than 4 pixels');
  const R = r * cfg.ringMax + 2;
  let x0 = centre[0] - R; let x1 = centre[0] + R; let y0 = centre[1] - R; let y1 = centre[1] + R;
  for (const p of extra) { x0 = Math.min(x0, p[0] - 2); x1 = Math.max(x1, p[0] + 2); y0 = Math.min(y0, p[1] - 2); y1 = Math.max(y1, p[1] + 2); }
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

/** Grid size for a ROI: about `nodeSpacing` pixels apart, at most `maxNodes` along the longer side. */
export function gridSize(roi: Rect, cfg: WarpConfig): { cols: number; rows: number } {
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
  const n = source.length;
  for (const p of target) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'target point is not a finite number');
  }
  // Motion that would carry a point past what the ROI holds is scaled down (the edit saturates).
  const reach = (f: number): number => {
    let far = 0;
    for (let i = 0; i < n; i++) {
      far = Math.max(far, Math.hypot(source[i][0] + f * (target[i][0] - source[i][0]) - centre[0], source[i][1] + f * (target[i][1] - source[i][1]) - centre[1]));
    }
    return far;
  };
  const limit = (cfg.ringMax * faceRadius) / cfg.ringSlack;
  let motionScale = 1;
  if (reach(1) > limit) {
    let lo = 0; let hi = 1; // reach(0) = faceRadius < limit
    for (let it = 0; it < 30; it++) { const mid = (lo + hi) / 2; if (reach(mid) > limit) hi = mid; else lo = mid; }
    motionScale = lo;
  }
  const ringRadius = Math.min(cfg.ringMax * faceRadius, Math.max(cfg.ringMin * faceRadius, cfg.ringSlack * reach(motionScale)));
  const m = cfg.anchors;
  const coords = new Float64Array(2 * (n + m));
  const ux = new Float64Array(n); // backward displacement at the face vertices
  const uy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ux[i] = motionScale * (source[i][0] - target[i][0]); uy[i] = motionScale * (source[i][1] - target[i][1]);
    coords[2 * i] = source[i][0] - ux[i]; coords[2 * i + 1] = source[i][1] - uy[i];
  }
  for (let k = 0; k < m; k++) {
    const a = (2 * Math.PI * (k + 0.5)) / m;
    coords[2 * (n + k)] = centre[0] + ringRadius * Math.cos(a);
    coords[2 * (n + k) + 1] = centre[1] + ringRadius * Math.sin(a);
  }
  const tri = new Delaunator(coords).triangles;

  const { cols, rows } = gridSize(roi, cfg);
  const sx = (roi.width - 1) / (cols - 1);
  const sy = (roi.height - 1) / (rows - 1);
  const dx = new Float32Array(cols * rows);
  const dy = new Float32Array(cols * rows);
  const done = new Uint8Array(cols * rows);
  const eps = 1e-9;
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t]; const b = tri[t + 1]; const c = tri[t + 2];
    const ax = coords[2 * a] - roi.x; const ay = coords[2 * a + 1] - roi.y;
    const bx = coords[2 * b] - roi.x; const by = coords[2 * b + 1] - roi.y;
    const cx = coords[2 * c] - roi.x; const cy = coords[2 * c + 1] - roi.y;
    const det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
    if (Math.abs(det) < 1e-12) continue;
    const fa = a < n ? 1 : 0; const fb = b < n ? 1 : 0; const fc = c < n ? 1 : 0;
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
          vx *= w; vy *= w;
        }
        dx[g] = vx; dy[g] = vy;
      }
    }
  }
  return { cols, rows, dx, dy, ringRadius, motionScale };
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

/**
 * How the bilinear sampler runs: 'ops' = tfjs ops (gather), which any backend runs on the device;
 * 'js' = one typed-array loop, for the CPU backend, whose generic gather and broadcasting kernels
 * are some 50x slower than a direct loop; 'webgpu' = fused WGSL kernels (webgpu-kernels.ts), only on
 * the tfjs WebGPU backend; 'auto' = 'js' on the CPU backend, 'webgpu' on WebGPU, 'ops' elsewhere (WebGL).
 */
export type SamplerImpl = 'auto' | 'ops' | 'js' | 'webgpu';

export function resolveImpl(impl: SamplerImpl): 'ops' | 'js' | 'webgpu' {
  const backend = tf.getBackend();
  if (impl === 'auto') return backend === 'cpu' ? 'js' : backend === 'webgpu' ? 'webgpu' : 'ops';
  if (impl === 'webgpu' && backend !== 'webgpu') throw new EditorError(ErrorCode.BAD_ARGUMENT, `the 'webgpu' sampler needs the WebGPU backend, not ${backend}`);
  return impl;
}

/** Bilinear interpolation of `src` ([h*w, C]) at (x, y), clamped to the image, into out[o .. o+C). */
export function sampleInto(src: ArrayLike<number>, h: number, w: number, C: number, x: number, y: number, out: Float32Array, o: number): void {
  x = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  y = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.floor(x); const y0 = Math.floor(y);
  const fx = x - x0; const fy = y - y0;
  const x1 = x0 + 1 < w ? x0 + 1 : w - 1;
  const y1 = y0 + 1 < h ? y0 + 1 : h - 1;
  const i00 = (y0 * w + x0) * C; const i10 = (y0 * w + x1) * C;
  const i01 = (y1 * w + x0) * C; const i11 = (y1 * w + x1) * C;
  for (let c = 0; c < C; c++) {
    const top = src[i00 + c] + (src[i10 + c] - src[i00 + c]) * fx;
    const bottom = src[i01 + c] + (src[i11 + c] - src[i01 + c]) * fx;
    out[o + c] = top + (bottom - top) * fy;
  }
}

/**
 * Bilinear gather: samples `flat` (an h x w image with C channels, as [h*w, C]) at the points
 * (xs[k], ys[k]) (pixel coordinates, clamped to the image) -> [N, C]. Where a point is an exact
 * pixel, the result is that pixel's value exactly.
 */
export function bilinearSample(flat: tf.Tensor2D, h: number, w: number, xs: tf.Tensor1D, ys: tf.Tensor1D, impl: SamplerImpl = 'auto'): tf.Tensor2D {
  const C = flat.shape[1];
  if (resolveImpl(impl) === 'js') { // ('webgpu' has no kernel for a gather of arbitrary points: tfjs ops)
    const src = flat.dataSync(); const X = xs.dataSync(); const Y = ys.dataSync();
    const out = new Float32Array(X.length * C);
    for (let k = 0; k < X.length; k++) sampleInto(src, h, w, C, X[k], Y[k], out, k * C);
    return tf.tensor2d(out, [X.length, C]);
  }
  return tf.tidy(() => {
    const x = tf.clipByValue(xs, 0, w - 1);
    const y = tf.clipByValue(ys, 0, h - 1);
    const x0f = tf.floor(x);
    const y0f = tf.floor(y);
    const fx = tf.expandDims(tf.sub(x, x0f), 1);
    const fy = tf.expandDims(tf.sub(y, y0f), 1);
    const x0 = tf.cast(x0f, 'int32');
    const y0 = tf.cast(y0f, 'int32');
    // int32 scalars: a plain number would promote the indices to float32
    const one = tf.scalar(1, 'int32');
    const wi = tf.scalar(w, 'int32');
    const x1 = tf.minimum(tf.add(x0, one), tf.scalar(w - 1, 'int32'));
    const row0 = tf.mul(y0, wi);
    const row1 = tf.mul(tf.minimum(tf.add(y0, one), tf.scalar(h - 1, 'int32')), wi);
    const v00 = tf.gather(flat, tf.add(row0, x0));
    const v10 = tf.gather(flat, tf.add(row0, x1));
    const v01 = tf.gather(flat, tf.add(row1, x0));
    const v11 = tf.gather(flat, tf.add(row1, x1));
    const top = tf.add(v00, tf.mul(tf.sub(v10, v00), fx));
    const bottom = tf.add(v01, tf.mul(tf.sub(v11, v01), fx));
    return tf.add(top, tf.mul(tf.sub(bottom, top), fy)) as tf.Tensor2D;
  });
}

/** The flow grid as a [rows, cols, 2] tensor (x, y displacement per node). */
function gridTensor(grid: FlowGrid): tf.Tensor3D {
  const inter = new Float32Array(2 * grid.cols * grid.rows);
  for (let k = 0; k < grid.cols * grid.rows; k++) { inter[2 * k] = grid.dx[k]; inter[2 * k + 1] = grid.dy[k]; }
  return tf.tensor3d(inter, [grid.rows, grid.cols, 2]);
}

/** Warps the ROI pixels `flat` ([h*w, C], float) with the flow grid -> [h*w, C]. */
export function warpPixels(flat: tf.Tensor2D, h: number, w: number, grid: FlowGrid, impl: SamplerImpl = 'auto'): tf.Tensor2D {
  const which = resolveImpl(impl);
  if (which === 'js') return warpPixelsJS(flat, h, w, grid);
  if (which === 'webgpu') {
    // one fused kernel: grid upsampling + sampling, no full-resolution flow or index tensors
    return tf.tidy(() => warpPixelsWebGPU(flat, h, w, tf.reshape(gridTensor(grid), [-1]) as tf.Tensor1D, grid.cols, grid.rows));
  }
  return tf.tidy(() => {
    const up = tf.image.resizeBilinear(gridTensor(grid), [h, w], true); // [h, w, 2], exact at the nodes
    const [ux, uy] = tf.split(up, 2, 2);
    const xs = tf.add(tf.reshape(ux, [h, w]), tf.reshape(tf.range(0, w, 1, 'float32'), [1, w]));
    const ys = tf.add(tf.reshape(uy, [h, w]), tf.reshape(tf.range(0, h, 1, 'float32'), [h, 1]));
    return bilinearSample(flat, h, w, tf.reshape(xs, [h * w]) as tf.Tensor1D, tf.reshape(ys, [h * w]) as tf.Tensor1D, 'ops');
  });
}

/**
 * The same on the CPU: the grid is upsampled inline exactly as resizeBilinear(alignCorners) does, and
 * pixels whose four surrounding nodes carry no motion are copied.
 */
function warpPixelsJS(flat: tf.Tensor2D, h: number, w: number, grid: FlowGrid): tf.Tensor2D {
  const C = flat.shape[1];
  const src = flat.dataSync();
  const out = new Float32Array(src.length);
  const { cols, rows, dx, dy } = grid;
  const kx = w > 1 ? (cols - 1) / (w - 1) : 0;
  const ky = h > 1 ? (rows - 1) / (h - 1) : 0;
  for (let j = 0; j < h; j++) {
    const gy = j * ky;
    const r0 = Math.floor(gy); const r1 = Math.min(r0 + 1, rows - 1); const fy = gy - r0;
    for (let i = 0; i < w; i++) {
      const k = j * w + i;
      const gx = i * kx;
      const c0 = Math.floor(gx); const c1 = Math.min(c0 + 1, cols - 1); const fx = gx - c0;
      const a = r0 * cols + c0; const b = r0 * cols + c1; const c = r1 * cols + c0; const d = r1 * cols + c1;
      if (dx[a] === 0 && dy[a] === 0 && dx[b] === 0 && dy[b] === 0 && dx[c] === 0 && dy[c] === 0 && dx[d] === 0 && dy[d] === 0) {
        for (let ch = 0; ch < C; ch++) out[k * C + ch] = src[k * C + ch];
        continue;
      }
      const tx = dx[a] + (dx[b] - dx[a]) * fx; const bx = dx[c] + (dx[d] - dx[c]) * fx;
      const ty = dy[a] + (dy[b] - dy[a]) * fx; const by = dy[c] + (dy[d] - dy[c]) * fx;
      sampleInto(src, h, w, C, i + tx + (bx - tx) * fy, j + ty + (by - ty) * fy, out, k * C);
    }
  }
  return tf.tensor2d(out, [h * w, C]);
}
