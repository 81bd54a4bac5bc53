/**
 * Stage 3, landmarks: MediaPipe FaceMesh (468 points, via @vladmandic/human) on a rotated square
 * crop around the face. Two passes: the detector's box and eye line give the first crop; the first
 * mesh gives a tighter, better-rotated crop for the second, which is what MediaPipe does on video.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { ModelStore } from '../runtime/models';
import type { FaceBox, Point3 } from '../types';
import { cropToImage, cropTransform, lineAngle, rectAroundPoints, type RotatedRect } from './rotated-crop';
import { LANDMARK_SETS } from '../landmark-sets';

export const MESH_INPUT = 192;
/** Crop side relative to the face's extent, as MediaPipe's face_landmark ROI calculators use. */
export const ROI_SCALE = 1.5;
export const RIGHT_EYE_OUTER: number = LANDMARK_SETS.eyeCorners.rightOuter;
export const LEFT_EYE_OUTER: number = LANDMARK_SETS.eyeCorners.leftOuter;

export interface MeshResult {
  points: Point3[];
  score: number;
  rect: RotatedRect;
}

export interface FaceMesh {
  /**
   * `image` is the analysis copy [H, W, 3] float 0..255 and `scale` its size relative to the original
   * (original px = analysis px * scale). `face` and the result are in original pixels.
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
    const t = cropTransform({ ...rect, center: [rect.center[0] - (pool >= 2 ? (pool - 1) / 2 * scale : 0), rect.center[1] - (pool >= 2 ? (pool - 1) / 2 * scale : 0)] }, size, srcScale);
    const crop = tf.image.transform(src, tf.tensor2d([t], [1, 8]), 'bilinear', 'nearest', 0, [size, size]);
    return tf.div(crop, 255) as tf.Tensor4D;
  });
}

export async function createFaceMesh(store: ModelStore): Promise<FaceMesh> {
  const model: GraphModel = await store.loadGraphModel('human/facemesh.json');

  async function runOnce(image: tf.Tensor3D, scale: number, rect: RotatedRect): Promise<MeshResult> {
    const [meshT, flagT] = tf.tidy(() => {
      const crop = sampleCrop(image, scale, rect, MESH_INPUT);
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

  async function estimate(image: tf.Tensor3D, scale: number, face: FaceBox, passes = 2): Promise<MeshResult> {
    const angle = lineAngle(face.keypoints[0], face.keypoints[1]);
    const rect: RotatedRect = { center: [face.x + face.width / 2, face.y + face.height / 2], size: Math.max(face.width, face.height) * ROI_SCALE, angle };
    let result = await runOnce(image, scale, rect);
    for (let p = 1; p < passes; p++) {
      const a = lineAngle(result.points[RIGHT_EYE_OUTER], result.points[LEFT_EYE_OUTER]);
      result = await runOnce(image, scale, rectAroundPoints(result.points, a, ROI_SCALE));
    }
    return result;
  }

  return { estimate, dispose: () => model.dispose() };
}
