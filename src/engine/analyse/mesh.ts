/**
 * Stage 3, landmarks: MediaPipe FaceMesh (468 points, via @vladmandic/human) on a rotated square
 * crop around the face. Two passes: the detector's box and eye line give the first crop; the first
 * mesh gives a tighter, better-rotated crop for the second, which is what MediaPipe does on video.
 * The crop is always cut from the photo's full-resolution pixels (on the CPU, box-filtered down to
 * less than twice the model's input), whatever copy the faces were found on: a 140 px face in a
 * 4000 px photo gets the same landmarks as in a 700 px one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { ModelStore } from '../runtime/models';
import type { FaceBox, Point3, RGBAImage } from '../types';
import { cutRegion, pixelsToTensor } from './image-ops';
import { cropToImage, cropTransform, lineAngle, rectAroundPoints, type RotatedRect } from './rotated-crop';
import { LANDMARK_SETS } from '../landmark-sets';

const MESH_INPUT = 192;
/** Crop side relative to the face's extent, as MediaPipe's face_landmark ROI calculators use. */
const ROI_SCALE = 1.5;
export const RIGHT_EYE_OUTER: number = LANDMARK_SETS.eyeCorners.rightOuter;
export const LEFT_EYE_OUTER: number = LANDMARK_SETS.eyeCorners.leftOuter;

interface MeshResult {
  points: Point3[];
  score: number;
  rect: RotatedRect;
}

export interface FaceMesh {
  /** `image` is the full-resolution photo; `face` (a detector box) and the result are in its pixels. */
  estimate(image: RGBAImage, face: FaceBox, passes?: number): Promise<MeshResult>;
  /**
   * On a tensor [H, W, 3] float 0..255 that is the photo downscaled by `scale` (original px = tensor px
   * * scale; scale 1 for the photo itself, as the benchmark uses it). The editor does not use this
   * form: landmarks on a downscaled copy lose what the full-resolution pixels hold.
   */
  estimate(image: tf.Tensor3D, scale: number, face: FaceBox, passes?: number): Promise<MeshResult>;
  dispose(): void;
}

/** Samples the rotated crop `rect` (original pixels) from `image` (analysis pixels) at size x size, values 0..1. */
export function sampleCrop(image: tf.Tensor3D, scale: number, rect: RotatedRect, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    let src: tf.Tensor4D = tf.expandDims(image, 0) as tf.Tensor4D;
    let srcScale = scale;
    // Box-filter first when the crop shrinks by 2x or more, so the bilinear sampler does not alias.
    const pool = Math.floor(rect.size / size / scale);
    if (pool >= 2) {
      src = tf.avgPool(src, pool, pool, 'valid');
      srcScale = scale * pool;
    }
    const t = cropTransform(
      { ...rect, center: [rect.center[0] - (pool >= 2 ? ((pool - 1) / 2) * scale : 0), rect.center[1] - (pool >= 2 ? ((pool - 1) / 2) * scale : 0)] },
      size,
      srcScale,
    );
    const crop = tf.image.transform(src, tf.tensor2d([t], [1, 8]), 'bilinear', 'nearest', 0, [size, size]);
    return tf.div(crop, 255) as tf.Tensor4D;
  });
}

/**
 * The rotated crop `rect` of the full-resolution `image` at size x size, values 0..1: the axis-aligned
 * bounds of the rect are cut on the CPU, box-filtered by the integer factor that keeps them above
 * `size` (so the bilinear sampler never shrinks by 2x or more), then sampled. The caller disposes it.
 */
function meshCrop(image: RGBAImage, rect: RotatedRect, size: number): tf.Tensor4D {
  const f = Math.max(1, Math.floor(rect.size / size));
  const half = (rect.size * (Math.abs(Math.cos(rect.angle)) + Math.abs(Math.sin(rect.angle)))) / 2 + 2 * f;
  const x0 = Math.floor(rect.center[0] - half);
  const y0 = Math.floor(rect.center[1] - half);
  const n = Math.ceil((2 * half) / f) + 1;
  const pixels = cutRegion(image, x0, y0, n, n, f);
  // Region pixel i has its centre on image pixel x0 + i*f + (f-1)/2; sampleCrop divides by its scale f.
  const local: RotatedRect = { ...rect, center: [rect.center[0] - x0 - (f - 1) / 2, rect.center[1] - y0 - (f - 1) / 2] };
  return tf.tidy(() => sampleCrop(pixelsToTensor(pixels), f, local, size));
}

export async function createFaceMesh(store: ModelStore): Promise<FaceMesh> {
  const model: GraphModel = await store.loadGraphModel('human/facemesh.json');

  type Source = (rect: RotatedRect) => tf.Tensor4D;

  async function runOnce(source: Source, rect: RotatedRect): Promise<MeshResult> {
    const [meshT, flagT] = tf.tidy(() => {
      const crop = source(rect);
      const outs = model.execute(crop) as tf.Tensor[];
      return [outs.find((o) => o.shape[1] === 1404)!.clone(), outs.find((o) => o.shape[1] === 1)!.clone()];
    });
    const [raw, flag] = await Promise.all([meshT.data(), flagT.data()]);
    tf.dispose([meshT, flagT]);
    const points: Point3[] = [];
    for (let i = 0; i < 468; i++) points.push(cropToImage([raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]], rect, MESH_INPUT));
    const score = flag[0]; // the model's face flag is already a probability
    return { points, score, rect };
  }

  function estimate(image: RGBAImage, face: FaceBox, passes?: number): Promise<MeshResult>;
  function estimate(image: tf.Tensor3D, scale: number, face: FaceBox, passes?: number): Promise<MeshResult>;
  async function estimate(image: RGBAImage | tf.Tensor3D, arg1: number | FaceBox, arg2?: FaceBox | number, arg3?: number): Promise<MeshResult> {
    let source: Source;
    let face: FaceBox;
    let passes: number;
    if (image instanceof tf.Tensor) {
      // A box-downscaled copy: its pixel i has its centre on original pixel i*scale + (scale-1)/2.
      const scale = arg1 as number;
      const d = (scale - 1) / 2;
      source = (rect) => sampleCrop(image, scale, { ...rect, center: [rect.center[0] - d, rect.center[1] - d] }, MESH_INPUT);
      face = arg2 as FaceBox;
      passes = arg3 ?? 2;
    } else {
      source = (rect) => meshCrop(image, rect, MESH_INPUT);
      face = arg1 as FaceBox;
      passes = (arg2 as number | undefined) ?? 2;
    }
    const angle = lineAngle(face.keypoints[0], face.keypoints[1]);
    const rect: RotatedRect = { center: [face.x + face.width / 2, face.y + face.height / 2], size: Math.max(face.width, face.height) * ROI_SCALE, angle };
    let result = await runOnce(source, rect);
    for (let p = 1; p < passes; p++) {
      const a = lineAngle(result.points[RIGHT_EYE_OUTER], result.points[LEFT_EYE_OUTER]);
      result = await runOnce(source, rectAroundPoints(result.points, a, ROI_SCALE));
    }
    return result;
  }

  return { estimate, dispose: () => model.dispose() };
}
