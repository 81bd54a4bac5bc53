/**
 * Stage 7b, composite: pasting the refiner's result on the aligned crop (aligned-crop.ts) back into the
 * warped ROI.
 *
 * Paste-back is residual: the refiner's change (refined - crop) is warped back into image space with
 * the inverse affine, weighted by a feathered mask (1 over the face, 0 before the crop edge) and added
 * to the full-resolution warp. Where the refiner keeps the warp (its attention mask A = 1) the
 * full-resolution detail is kept exactly; where it repaints (A near 0) the warp's fine detail is dropped
 * there, so streaks of stretched lips do not show through painted teeth; where the feathered mask is 0
 * the pixels are exactly the warp's. The compositor works out where once per face (cropGeometry); the
 * session's sampler (sampler.ts) does the sampling.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import type { AlignedCropRect } from './aligned-crop';
import type { CropGeometry, Sampler } from './sampler-types';
import type { Rect } from './warp';

export interface FeatherConfig {
  /** Superellipse exponent of the mask's shape in normalised crop coordinates (2 = circle, large = square). */
  power: number;
  /** The mask is 1 up to this radius and 0 from `outer` on (radius 1 = the crop edge's midpoints). */
  inner: number;
  outer: number;
}

const DEFAULT_FEATHER: Readonly<FeatherConfig> = { power: 4, inner: 0.78, outer: 0.96 };

/** The feathered mask at normalised crop coordinates (s, t): 1 over the face, smoothly 0 before the crop edge. */
export function featherWeight(s: number, t: number, cfg: FeatherConfig = DEFAULT_FEATHER): number {
  const r = (Math.abs(2 * s - 1) ** cfg.power + Math.abs(2 * t - 1) ** cfg.power) ** (1 / cfg.power);
  const z = Math.min(1, Math.max(0, (r - cfg.inner) / (cfg.outer - cfg.inner)));
  return 1 - z * z * (3 - 2 * z);
}

export interface Compositor {
  /** Crop size S (the refiner's input size). */
  readonly size: number;
  /** Bounding box (ROI pixels) of the pixels the paste-back can change (mask > 0). */
  readonly pasteRect: Rect;
  /** The S x S aligned crop of the warped ROI ([h*w, 4], 0..255) as [1, S, S, 3], RGB 0..1. */
  extractCrop(roiPixels: tf.Tensor2D): tf.Tensor4D;
  /**
   * The warped ROI ([h*w, 4], 0..255) with the refiner's change (refined - crop) pasted in -> [h*w, 4].
   * `attention` ([1, S, S, 1], 1 = kept, 0 = painted) is the refiner's: 1 - attention says where the
   * warp's fine detail is dropped.
   */
  paste(roiPixels: tf.Tensor2D, crop: tf.Tensor4D, refined: tf.Tensor4D, attention: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/**
 * Where the S x S crop `rect` samples the ROI `roi` (image pixels), and where each ROI pixel lands in
 * the crop and with what mask weight. One pass over the ROI, at session start. Pure.
 */
export function cropGeometry(roi: Rect, rect: AlignedCropRect, size: number, feather: FeatherConfig = DEFAULT_FEATHER): CropGeometry {
  if (!(Number.isInteger(size) && size >= 8)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `crop size ${size}`);
  const { width: w, height: h } = roi;
  // Box-filter the ROI first when the crop shrinks it by 2x or more, so bilinear sampling does not alias.
  const pool = Math.max(1, Math.floor(rect.size / size));
  if (Math.floor(h / pool) < 2 || Math.floor(w / pool) < 2) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'ROI too small for the crop');
  const inv = rect.fromImage;
  const index: number[] = [];
  const weight: number[] = [];
  const us: number[] = [];
  const vs: number[] = [];
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let j = 0; j < h; j++) {
    // s, t along the row: affine, so start at the row's first pixel and step
    let s = inv[0] * roi.x + inv[1] * (roi.y + j) + inv[2];
    let t = inv[3] * roi.x + inv[4] * (roi.y + j) + inv[5];
    for (let i = 0; i < w; i++, s += inv[0], t += inv[3]) {
      if (!(s >= 0 && s <= 1 && t >= 0 && t <= 1)) continue;
      const wt = featherWeight(s, t, feather);
      if (wt > 0) {
        index.push(j * w + i);
        weight.push(wt);
        us.push(s * size - 0.5);
        vs.push(t * size - 0.5);
        x0 = Math.min(x0, i);
        x1 = Math.max(x1, i);
        y0 = Math.min(y0, j);
        y1 = Math.max(y1, j);
      }
    }
  }
  const pasteRect: Rect = x1 >= x0 ? { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } : { x: 0, y: 0, width: 0, height: 0 };
  return {
    roi: { ...roi },
    rect,
    size,
    pool,
    paste: { rect: pasteRect, index: Int32Array.from(index), weight: Float32Array.from(weight), u: Float32Array.from(us), v: Float32Array.from(vs) },
  };
}

/** The compositor of one face: the crop geometry of the S x S crop `rect` over `roi` (image pixels), sampled by `sampler`. */
export function createCompositor(roi: Rect, rect: AlignedCropRect, size: number, sampler: Sampler, options: { feather?: FeatherConfig } = {}): Compositor {
  const geometry = cropGeometry(roi, rect, size, options.feather);
  const crop = sampler.crop(geometry);
  let disposed = false;
  const live = () => {
    if (disposed) throw new EditorError(ErrorCode.DISPOSED);
  };
  return {
    size,
    pasteRect: geometry.paste.rect,
    extractCrop(roiPixels) {
      live();
      return crop.extract(roiPixels);
    },
    paste(roiPixels, c, refined, attention) {
      live();
      return crop.paste(roiPixels, c, refined, attention);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      crop.dispose();
    },
  };
}
