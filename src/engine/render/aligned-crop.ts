/**
 * The aligned face crop the refiner works on: pure geometry, shared with the refiner's training and the
 * evaluation.
 *
 * The crop is a square in the canonical frame, axis-aligned in canonical x / y, given by a CropSpec
 * (centre and side in IOD units). The refiner's JSON says which one it was trained on (config.crop,
 * read by refine.ts); DEFAULT_CROP is that of the shipped refiner, for sessions without one. Its place
 * in the image follows from the face's canonical -> image similarity, reduced to 2-D:
 * image = scale * R[0..1][0..1] * (x, y) + translation[0..1]. With yaw or pitch the 2x2 block is not a
 * rotation, so in the image the crop is a parallelogram: a general 2-D affine.
 *
 * Conventions (the refiner's training code must use the same):
 * - normalised crop coordinates (s, t) in [0, 1]^2, s to the right, t down; 0 and 1 are the crop's
 *   outer edges: canonical x = centre[0] + (s - 0.5) * side, y = centre[1] + (t - 0.5) * side;
 * - crop pixel (u, v) of an S x S crop has its centre at s = (u + 0.5) / S, t = (v + 0.5) / S;
 * - image pixel coordinates put the centre of pixel (i, j) at (i, j) (tf.image.transform, analyse/rotated-crop.ts).
 */
import { EditorError, ErrorCode } from '../errors';
import type { Point2, Similarity } from '../types';

/** An aligned crop in canonical units (IOD): the square of side `side` centred at `centre`. */
export interface CropSpec {
  readonly centre: Readonly<Point2>;
  readonly side: number;
}

/**
 * The shipped refiner's crop (public/models/leed/refiner.json, config.crop), for sessions that render
 * without a refiner. With a refiner, the crop is the refiner's own (`Refiner.crop`).
 */
export const DEFAULT_CROP: CropSpec = Object.freeze({ centre: Object.freeze([0, 0.45] as Point2), side: 3.0 });

/** 2-D affine map: x' = m[0] x + m[1] y + m[2], y' = m[3] x + m[4] y + m[5]. */
export type Affine2 = [number, number, number, number, number, number];

export function applyAffine(m: Affine2, p: readonly number[]): Point2 {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

export function invertAffine(m: Affine2): Affine2 {
  const det = m[0] * m[4] - m[1] * m[3];
  if (!(Math.abs(det) > 1e-12)) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'singular affine map');
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

export interface AlignedCropRect {
  /** Normalised crop coordinates (s, t) -> image pixels. */
  toImage: Affine2;
  /** Image pixels -> normalised crop coordinates (s, t). */
  fromImage: Affine2;
  /** Image position of the crop centre (the CropSpec's centre). */
  centre: Point2;
  /** Side of the crop in image pixels (square root of the affine's area scale). */
  size: number;
  /** Angle of the crop's x axis in the image, radians (the face's roll). */
  angle: number;
}

/** Where the aligned crop `crop` lies in the image of a face whose canonical -> image transform is `transform`. Pure. */
export function alignedCropRect(transform: Similarity, crop: CropSpec): AlignedCropRect {
  const R = transform.rotation;
  const k = transform.scale;
  const m00 = k * R[0];
  const m01 = k * R[1];
  const m10 = k * R[3];
  const m11 = k * R[4];
  const side = crop.side;
  const x0 = crop.centre[0] - side / 2;
  const y0 = crop.centre[1] - side / 2;
  const toImage: Affine2 = [
    m00 * side,
    m01 * side,
    m00 * x0 + m01 * y0 + transform.translation[0],
    m10 * side,
    m11 * side,
    m10 * x0 + m11 * y0 + transform.translation[1],
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
  return [m[0] / S, m[1] / S, m[2] + ((m[0] + m[1]) * 0.5) / S, m[3] / S, m[4] / S, m[5] + ((m[3] + m[4]) * 0.5) / S];
}

/** The 8 tf.image.transform parameters that sample the S x S aligned crop from the image (output pixel -> input pixel). */
export function cropTransformParams(rect: AlignedCropRect, S: number): number[] {
  const m = cropPixelToImage(rect, S);
  return [m[0], m[1], m[2], m[3], m[4], m[5], 0, 0];
}

/** The crop's four corners in image pixels: (s, t) = (0,0), (1,0), (1,1), (0,1). */
export function cropCorners(rect: AlignedCropRect): Point2[] {
  return [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ].map((p) => applyAffine(rect.toImage, p));
}
