/**
 * Stage 7b, composite: the aligned face crop the refiner works on, and pasting its result back.
 *
 * The ALIGNED CROP is shared with the refiner's training and the evaluation: a square in the
 * canonical frame centred at canonical (x = 0, y = 0.45), 3.0 IOD units a side, axis-aligned in
 * canonical x / y. Its place in the image follows from the face's canonical -> image similarity,
 * reduced to 2-D: image = scale * R[0..1][0..1] * (x, y) + translation[0..1]. With yaw or pitch the
 * 2x2 block is not a rotation, so in the image the crop is a parallelogram: a general 2-D affine.
 *
 * Conventions (the refiner's training code must use the same):
 * - normalised crop coordinates (s, t) in [0, 1]^2, s to the right, t down; 0 and 1 are the crop's
 *   outer edges: canonical x = 0 + (s - 0.5) * 3, y = 0.45 + (t - 0.5) * 3;
 * - crop pixel (u, v) of an S x S crop has its centre at s = (u + 0.5) / S, t = (v + 0.5) / S;
 * - image pixel coordinates put the centre of pixel (i, j) at (i, j) (tf.image.transform, crop.ts).
 *
 * Paste-back is residual: the refiner's change (refined - crop) is warped back into image space with
 * the inverse affine, weighted by a feathered mask (1 over the face, 0 before the crop edge) and added
 * to the full-resolution warp. Where the refiner changes nothing the full-resolution detail is kept
 * exactly; where it repaints (its attention mask A near 0, or without A a change above
 * DEFAULT_DETAIL_GATE) the warp's fine detail is dropped there, so streaks of stretched lips do not
 * show through painted teeth; where the feathered mask is 0 the pixels are exactly the warp's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import type { Point2, Similarity } from '../types';
import { bilinearSample, resolveImpl, sampleInto, type Rect, type SamplerImpl } from './warp';
import { extractCropWebGPU, pasteWebGPU, type PasteGeometry } from './webgpu-kernels';

/** The aligned crop in canonical units (IOD). Shared with the refiner's training: do not change. */
export const ALIGNED_CROP: Readonly<{ centre: Readonly<Point2>; side: number }> = { centre: [0, 0.45], side: 3.0 };

/** 2-D affine map: x' = m[0] x + m[1] y + m[2], y' = m[3] x + m[4] y + m[5]. */
export type Affine2 = [number, number, number, number, number, number];

export function applyAffine(m: Affine2, p: readonly number[]): Point2 {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

export function invertAffine(m: Affine2): Affine2 {
  const det = m[0] * m[4] - m[1] * m[3];
  if (!(Math.abs(det) > 1e-12)) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'singular affine map');
  const a = m[4] / det; const b = -m[1] / det; const d = -m[3] / det; const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

export interface AlignedCropRect {
  /** Normalised crop coordinates (s, t) -> image pixels. */
  toImage: Affine2;
  /** Image pixels -> normalised crop coordinates (s, t). */
  fromImage: Affine2;
  /** Image position of the crop centre (canonical (0, 0.45)). */
  centre: Point2;
  /** Side of the crop in image pixels (square root of the affine's area scale). */
  size: number;
  /** Angle of the crop's x axis in the image, radians (the face's roll). */
  angle: number;
}

/** Where the aligned crop lies in the image of a face whose canonical -> image transform is `transform`. Pure. */
export function alignedCropRect(transform: Similarity): AlignedCropRect {
  const R = transform.rotation;
  const k = transform.scale;
  const m00 = k * R[0]; const m01 = k * R[1]; const m10 = k * R[3]; const m11 = k * R[4];
  const side = ALIGNED_CROP.side;
  const x0 = ALIGNED_CROP.centre[0] - side / 2;
  const y0 = ALIGNED_CROP.centre[1] - side / 2;
  const toImage: Affine2 = [
    m00 * side, m01 * side, m00 * x0 + m01 * y0 + transform.translation[0],
    m10 * side, m11 * side, m10 * x0 + m11 * y0 + transform.translation[1],
  ];
  return {
    toImage,
    fromImage: invertAffine(toImage),
    centre: applyAffine(toImage, [0.5, 0.5]),
    size: Math.sqrt(Math.abs(toImage[0] * toImage[4] - toImage[1] * toImage[3])),
    angle: Math.atan2(toImage[3], toImage[0]),
  };
}

/** Crop pixel index (u, v) of an S x S crop -> image pixels. */
export function cropPixelToImage(rect: AlignedCropRect, S: number): Affine2 {
  const m = rect.toImage;
  return [m[0] / S, m[1] / S, m[2] + (m[0] + m[1]) * 0.5 / S, m[3] / S, m[4] / S, m[5] + (m[3] + m[4]) * 0.5 / S];
}

/** The 8 tf.image.transform parameters that sample the S x S aligned crop from the image (output pixel -> input pixel). */
export function cropTransformParams(rect: AlignedCropRect, S: number): number[] {
  const m = cropPixelToImage(rect, S);
  return [m[0], m[1], m[2], m[3], m[4], m[5], 0, 0];
}

/** The crop's four corners in image pixels: (s, t) = (0,0), (1,0), (1,1), (0,1). */
export function cropCorners(rect: AlignedCropRect): Point2[] {
  return [[0, 0], [1, 0], [1, 1], [0, 1]].map((p) => applyAffine(rect.toImage, p));
}

export interface FeatherConfig {
  /** Superellipse exponent of the mask's shape in normalised crop coordinates (2 = circle, large = square). */
  power: number;
  /** The mask is 1 up to this radius and 0 from `outer` on (radius 1 = the crop edge's midpoints). */
  inner: number;
  outer: number;
}

export const DEFAULT_FEATHER: Readonly<FeatherConfig> = { power: 4, inner: 0.78, outer: 0.96 };

/** The feathered mask at normalised crop coordinates (s, t): 1 over the face, smoothly 0 before the crop edge. */
export function featherWeight(s: number, t: number, cfg: FeatherConfig = DEFAULT_FEATHER): number {
  const r = Math.pow(Math.abs(2 * s - 1) ** cfg.power + Math.abs(2 * t - 1) ** cfg.power, 1 / cfg.power);
  const z = Math.min(1, Math.max(0, (r - cfg.inner) / (cfg.outer - cfg.inner)));
  return 1 - z * z * (3 - 2 * z);
}

/**
 * Where the refiner's change (0..255 units, largest channel) passes from `lo` to `hi`, the paste goes
 * smoothly from "warp + change" (keeps the full-resolution detail) to "refined crop, upsampled".
 */
export const DEFAULT_DETAIL_GATE: [number, number] = [12, 40];

export interface Compositor {
  /** Crop size S (the refiner's input size). */
  readonly size: number;
  /** Bounding box (ROI pixels) of the pixels the paste-back can change (mask > 0). */
  readonly pasteRect: Rect;
  /** The S x S aligned crop of the warped ROI ([h*w, 4], 0..255) as [1, S, S, 3], RGB 0..1. */
  extractCrop(roiPixels: tf.Tensor2D): tf.Tensor4D;
  /**
   * The warped ROI ([h*w, 4], 0..255) with the refiner's change (refined - crop) pasted in -> [h*w, 4].
   * `attention` ([1, S, S, 1], 1 = kept, 0 = painted), when the refiner gives it, says where the warp's
   * fine detail is dropped (1 - attention); without it the size of the change says so (DEFAULT_DETAIL_GATE).
   */
  paste(roiPixels: tf.Tensor2D, crop: tf.Tensor4D, refined: tf.Tensor4D, attention?: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/**
 * Precomputes, for one face and ROI, where the crop samples the ROI and where each ROI pixel lands
 * in the crop (and its mask weight). `roi` is in image pixels.
 */
export function createCompositor(roi: Rect, rect: AlignedCropRect, size: number, options: { feather?: FeatherConfig; detailGate?: [number, number]; impl?: SamplerImpl } = {}): Compositor {
  if (!(Number.isInteger(size) && size >= 8)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `crop size ${size}`);
  const feather = options.feather ?? DEFAULT_FEATHER;
  const impl = resolveImpl(options.impl ?? 'auto');
  const { width: w, height: h } = roi;
  // Crop sampling: box-filter the ROI first when the crop shrinks it by 2x or more, so bilinear sampling does not alias.
  const pool = Math.max(1, Math.floor(rect.size / size));
  const ph = Math.floor(h / pool);
  const pw = Math.floor(w / pool);
  if (ph < 2 || pw < 2) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'ROI too small for the crop');
  const m = cropPixelToImage(rect, size);
  const cxs = new Float32Array(size * size);
  const cys = new Float32Array(size * size);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const [x, y] = applyAffine(m, [u, v]);
      // pooled pixel j covers ROI pixels j*pool .. j*pool+pool-1, centred at j*pool + (pool-1)/2
      cxs[v * size + u] = (x - roi.x - (pool - 1) / 2) / pool;
      cys[v * size + u] = (y - roi.y - (pool - 1) / 2) / pool;
    }
  }
  // Paste-back: where each ROI pixel with a non-zero mask lands in the crop, and its weight.
  // One pass over the ROI at session start, not per render.
  const n = w * h;
  const inv = rect.fromImage;
  const active: number[] = [];
  const weights: number[] = [];
  const us: number[] = [];
  const vs: number[] = [];
  let x0 = w; let x1 = -1; let y0 = h; let y1 = -1;
  for (let j = 0; j < h; j++) {
    // s, t along the row: affine, so start at the row's first pixel and step
    let s = inv[0] * roi.x + inv[1] * (roi.y + j) + inv[2];
    let t = inv[3] * roi.x + inv[4] * (roi.y + j) + inv[5];
    for (let i = 0; i < w; i++, s += inv[0], t += inv[3]) {
      if (!(s >= 0 && s <= 1 && t >= 0 && t <= 1)) continue;
      const wt = featherWeight(s, t, feather);
      if (wt > 0) {
        active.push(j * w + i); weights.push(wt); us.push(s * size - 0.5); vs.push(t * size - 0.5);
        x0 = Math.min(x0, i); x1 = Math.max(x1, i); y0 = Math.min(y0, j); y1 = Math.max(y1, j);
      }
    }
  }
  const pasteRect: Rect = x1 >= x0 ? { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } : { x: 0, y: 0, width: 0, height: 0 };
  const activeIdx = Int32Array.from(active);
  const activeW = Float32Array.from(weights);
  const activeU = Float32Array.from(us);
  const activeV = Float32Array.from(vs);
  // tfjs-ops path: full-ROI tensors so the per-render work is same-shape ops and one gather
  let tensors: tf.Tensor[] = [];
  let ops: { cropX: tf.Tensor1D; cropY: tf.Tensor1D; pasteU: tf.Tensor1D; pasteV: tf.Tensor1D; pasteMask: tf.Tensor2D } | null = null;
  if (impl === 'ops') {
    const pus = new Float32Array(n); const pvs = new Float32Array(n); const mask = new Float32Array(n);
    for (let j = 0; j < h; j++) {
      const [s0, t0] = applyAffine(inv, [roi.x, roi.y + j]);
      for (let i = 0; i < w; i++) {
        pus[j * w + i] = (s0 + i * inv[0]) * size - 0.5; pvs[j * w + i] = (t0 + i * inv[3]) * size - 0.5;
      }
    }
    activeIdx.forEach((k, a) => { mask[k] = activeW[a]; });
    ops = { cropX: tf.tensor1d(cxs), cropY: tf.tensor1d(cys), pasteU: tf.tensor1d(pus), pasteV: tf.tensor1d(pvs), pasteMask: tf.tensor2d(mask, [n, 1]) };
    tensors = Object.values(ops);
  }
  // WebGPU path: the WGSL kernels compute the crop and paste positions inline (affine maps); only the
  // mask over the paste rectangle is a tensor
  let gpu: PasteGeometry | null = null;
  let cropMap: Affine2 | null = null;
  if (impl === 'webgpu') {
    const mask = new Float32Array(pasteRect.width * pasteRect.height);
    activeIdx.forEach((k, a) => { mask[(Math.floor(k / w) - pasteRect.y) * pasteRect.width + (k % w) - pasteRect.x] = activeW[a]; });
    // ROI pixel (i, j) -> crop pixel (u, v) = S (s, t) - 0.5, with (s, t) = inv(roi.x + i, roi.y + j)
    const toCrop: Affine2 = [
      size * inv[0], size * inv[1], size * (inv[0] * roi.x + inv[1] * roi.y + inv[2]) - 0.5,
      size * inv[3], size * inv[4], size * (inv[3] * roi.x + inv[4] * roi.y + inv[5]) - 0.5,
    ];
    gpu = { rect: pasteRect, mask: tf.tensor1d(mask.length ? mask : new Float32Array(1)), toCrop };
    tensors = [gpu.mask];
    // crop pixel (u, v) -> pooled ROI coordinates, as cxs / cys above
    cropMap = [m[0] / pool, m[1] / pool, (m[2] - roi.x - (pool - 1) / 2) / pool, m[3] / pool, m[4] / pool, (m[5] - roi.y - (pool - 1) / 2) / pool];
  }
  let disposed = false;
  const live = () => { if (disposed) throw new EditorError(ErrorCode.DISPOSED); };

  function extractJS(roiPixels: tf.Tensor2D): tf.Tensor4D {
    const src = roiPixels.dataSync();
    let pooled: ArrayLike<number> = src;
    if (pool > 1) {
      const p = new Float32Array(ph * pw * 4);
      const norm = 1 / (pool * pool);
      for (let j = 0; j < ph; j++) for (let dy = 0; dy < pool; dy++) {
        const row = (j * pool + dy) * w * 4;
        for (let i = 0; i < pw; i++) for (let dx = 0; dx < pool; dx++) {
          const o = row + (i * pool + dx) * 4; const q = (j * pw + i) * 4;
          p[q] += src[o] * norm; p[q + 1] += src[o + 1] * norm; p[q + 2] += src[o + 2] * norm;
        }
      }
      pooled = p;
    }
    const out = new Float32Array(size * size * 3);
    const px = new Float32Array(4);
    for (let k = 0; k < size * size; k++) {
      sampleInto(pooled, ph, pw, 4, cxs[k], cys[k], px, 0);
      out[3 * k] = px[0] / 255; out[3 * k + 1] = px[1] / 255; out[3 * k + 2] = px[2] / 255;
    }
    return tf.tensor4d(out, [1, size, size, 3]);
  }

  const [gateLo, gateHi] = options.detailGate ?? DEFAULT_DETAIL_GATE;
  const gate = (mag: number): number => {
    const z = Math.min(1, Math.max(0, (mag - gateLo) / (gateHi - gateLo)));
    return z * z * (3 - 2 * z);
  };

  function pasteJS(roiPixels: tf.Tensor2D, crop: tf.Tensor4D, refined: tf.Tensor4D, attention?: tf.Tensor4D): tf.Tensor2D {
    const out = Float32Array.from(roiPixels.dataSync());
    const c = crop.dataSync(); const r = refined.dataSync();
    const att = attention?.dataSync();
    // per crop pixel: the change (3) and the crop itself (3), both in 0..255 units, and 1 - attention
    const both = new Float32Array(size * size * 7);
    for (let k = 0; k < size * size; k++) {
      for (let ch = 0; ch < 3; ch++) { both[7 * k + ch] = (r[3 * k + ch] - c[3 * k + ch]) * 255; both[7 * k + 3 + ch] = c[3 * k + ch] * 255; }
      both[7 * k + 6] = att ? 1 - att[k] : 0;
    }
    const px = new Float32Array(7);
    for (let a = 0; a < activeIdx.length; a++) {
      sampleInto(both, size, size, 7, activeU[a], activeV[a], px, 0);
      const o = 4 * activeIdx[a]; const wt = activeW[a];
      const g = att ? Math.min(1, Math.max(0, px[6])) : gate(Math.max(Math.abs(px[0]), Math.abs(px[1]), Math.abs(px[2])));
      for (let ch = 0; ch < 3; ch++) out[o + ch] += wt * (px[ch] + g * (px[3 + ch] - out[o + ch]));
    }
    return tf.tensor2d(out, [n, 4]);
  }

  return {
    size,
    pasteRect,
    extractCrop(roiPixels) {
      live();
      if (cropMap) return extractCropWebGPU(roiPixels, h, w, pool, size, cropMap);
      if (!ops) return extractJS(roiPixels);
      const { cropX, cropY } = ops;
      return tf.tidy(() => {
        let src = roiPixels;
        if (pool > 1) src = tf.reshape(tf.avgPool(tf.reshape(roiPixels, [1, h, w, 4]) as tf.Tensor4D, pool, pool, 'valid'), [ph * pw, 4]) as tf.Tensor2D;
        const crop = tf.slice(bilinearSample(src, ph, pw, cropX, cropY, 'ops'), [0, 0], [size * size, 3]);
        return tf.reshape(tf.div(crop, 255), [1, size, size, 3]) as tf.Tensor4D;
      });
    },
    paste(roiPixels, crop, refined, attention) {
      live();
      if (gpu) {
        const geo = gpu;
        return tf.tidy(() => {
          // per crop pixel, two vec4s: change RGB (0..255) and 1 - attention; crop RGB (0..255) and 0
          const zero = tf.zeros([1, size, size, 1]);
          const table = tf.concat([tf.mul(tf.sub(refined, crop), 255), attention ? tf.sub(1, attention) : zero, tf.mul(crop, 255), zero], 3);
          return pasteWebGPU(roiPixels, h, w, tf.reshape(table, [-1]) as tf.Tensor1D, size, geo, Boolean(attention), [gateLo, gateHi]);
        });
      }
      if (!ops) return pasteJS(roiPixels, crop, refined, attention);
      const { pasteU, pasteV, pasteMask } = ops;
      return tf.tidy(() => {
        const parts: tf.Tensor4D[] = [tf.mul(tf.sub(refined, crop), 255) as tf.Tensor4D, tf.mul(crop, 255) as tf.Tensor4D];
        if (attention) parts.push(tf.sub(1, attention) as tf.Tensor4D);
        const C = attention ? 7 : 6;
        const sampled = bilinearSample(tf.reshape(tf.concat(parts, 3), [size * size, C]) as tf.Tensor2D, size, size, pasteU, pasteV, 'ops');
        const change = tf.slice(sampled, [0, 0], [n, 3]);
        const cropUp = tf.slice(sampled, [0, 3], [n, 3]);
        let g: tf.Tensor;
        if (attention) {
          g = tf.clipByValue(tf.slice(sampled, [0, 6], [n, 1]), 0, 1);
        } else {
          const z = tf.clipByValue(tf.div(tf.sub(tf.max(tf.abs(change), 1, true), gateLo), gateHi - gateLo), 0, 1);
          g = tf.mul(tf.mul(z, z), tf.sub(3, tf.mul(z, 2)));
        }
        const rgb = tf.slice(roiPixels, [0, 0], [n, 3]);
        const detail = tf.mul(g, tf.sub(cropUp, rgb));
        // where the mask is 0 the warp passes unchanged; alpha always does
        const outRgb = tf.add(rgb, tf.mul(pasteMask, tf.add(change, detail)));
        return tf.concat([outRgb, tf.slice(roiPixels, [0, 3], [n, 1])], 1) as tf.Tensor2D;
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(tensors);
    },
  };
}
