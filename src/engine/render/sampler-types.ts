/**
 * What a sampler (sampler.ts) does: every resampling of pixels the render session does, behind one interface.
 * The ROI warped by the flow grid (warp.ts), the aligned crop of the warped ROI, and the refiner's result pasted
 * back into it (composite.ts computes where, once per session: CropGeometry).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { AlignedCropRect } from './aligned-crop';
import type { FlowGrid, Rect } from './warp';

/** Which sampler: 'auto' = from the tfjs backend at creation ('js' on CPU and WASM, 'webgpu' on WebGPU, 'webgl' on WebGL 2, 'ops' elsewhere). */
export type SamplerKind = 'auto' | 'js' | 'ops' | 'webgpu' | 'webgl';

/**
 * Where the aligned crop and the paste-back sample, for one face and ROI: computed once per session
 * (composite.ts `cropGeometry`). The ROI pixels the samplers read and write are [height * width, 4], 0..255.
 */
export interface CropGeometry {
  /** The ROI, image pixels. */
  roi: Rect;
  /** The aligned crop in the image (aligned-crop.ts). */
  rect: AlignedCropRect;
  /** Crop side S. */
  size: number;
  /** The crop samples the ROI box-filtered pool x pool (1 = not filtered), so that shrinking it does not alias. */
  pool: number;
  /**
   * The ROI pixels the paste-back changes (feathered mask > 0): their indices j * width + i, mask
   * weights, and crop pixel coordinates (u, v) (pixel centres at integers); `rect` is their bounding
   * box in ROI pixels.
   */
  paste: { rect: Rect; index: Int32Array; weight: Float32Array; u: Float32Array; v: Float32Array };
}

/** Crop and paste-back for one CropGeometry; holds what its implementation precomputed (tensors on 'ops' and 'webgpu'). */
export interface CropSampler {
  /** The S x S aligned crop of the ROI pixels ([h*w, 4], 0..255) as [1, S, S, 3], RGB 0..1. */
  extract(roiPixels: tf.Tensor2D): tf.Tensor4D;
  /**
   * The ROI pixels ([h*w, 4], 0..255) with the refiner's change (refined - crop, [1, S, S, 3]) added
   * through the feathered mask, and the warp's own detail dropped where the refiner painted
   * (1 - attention, [1, S, S, 1]): out = roi + mask * (change + g * (crop - roi)) on RGB, with the
   * change, the crop and g = clamp(1 - attention, 0, 1) sampled bilinearly at each pixel's crop
   * position. Alpha, and every pixel with mask 0, pass unchanged. -> [h*w, 4].
   */
  paste(roiPixels: tf.Tensor2D, crop: tf.Tensor4D, refined: tf.Tensor4D, attention: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export interface Sampler {
  readonly kind: Exclude<SamplerKind, 'auto'>;
  /**
   * The ROI pixels ([h*w, C], 0..255 float; C = 4 on 'webgpu') resampled bicubically (Catmull-Rom,
   * clamped to 0..255) at (i, j) + flow(i, j), the flow grid upsampled bilinearly with align corners
   * -> [h*w, C]. Pixels whose four surrounding grid nodes carry no motion come back bit-identical.
   */
  warp(pixels: tf.Tensor2D, h: number, w: number, grid: FlowGrid): tf.Tensor2D;
  /** Prepares the crop and the paste-back of one face (once per session). */
  crop(geometry: CropGeometry): CropSampler;
}
