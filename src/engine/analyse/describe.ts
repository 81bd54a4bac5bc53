/**
 * Face description and emotion models from @vladmandic/human, used by the evaluation: a 1024-d
 * identity embedding (faceres) and a 7-way emotion classifier (oarriaga, grayscale 64x64). Both
 * read an upright square crop around the face mesh, as Human feeds them its face crop.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { ModelStore } from '../runtime/models';
import type { Point3, RGBAImage } from '../types';
import { lineAngle, rectAroundPoints } from './rotated-crop';
import { pixelsToTensor } from './image-ops';
import { LEFT_EYE_OUTER, RIGHT_EYE_OUTER, sampleCrop } from './mesh';

export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];
/** Crop side relative to the mesh's extent (Human: detector box x 1.4, about the mesh box x 1.1). */
const DESCRIBE_CROP_SCALE = 1.1;

export interface FaceDescriber {
  /** L2-normalised identity embedding of the face whose mesh is `points` (image pixels). */
  embed(image: RGBAImage, points: Point3[]): Promise<Float32Array>;
  /** Emotion probabilities in the order of EMOTIONS. */
  emotion(image: RGBAImage, points: Point3[]): Promise<Float32Array>;
  dispose(): void;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

export async function createFaceDescriber(store: ModelStore): Promise<FaceDescriber> {
  const faceres: GraphModel = await store.loadGraphModel('human/faceres.json');
  const emotionModel: GraphModel = await store.loadGraphModel('human/emotion.json');

  function crop(image: RGBAImage, points: Point3[], size: number): tf.Tensor4D {
    return tf.tidy(() => {
      const t = pixelsToTensor(image);
      const rect = rectAroundPoints(points, lineAngle(points[RIGHT_EYE_OUTER], points[LEFT_EYE_OUTER]), DESCRIBE_CROP_SCALE);
      return sampleCrop(t, 1, rect, size);
    });
  }

  return {
    async embed(image, points) {
      const out = tf.tidy(() => {
        const outs = faceres.execute(tf.mul(crop(image, points, 224), 255)) as tf.Tensor[];
        const d = outs.find((o) => o.shape[1] === 1024)!;
        return tf.div(d, tf.norm(d));
      });
      const v = (await out.data()) as Float32Array;
      out.dispose();
      return v;
    },
    async emotion(image, points) {
      const out = tf.tidy(() => {
        const c = crop(image, points, 64);
        const grey = tf.sum(tf.mul(c, tf.tensor1d([0.2989, 0.587, 0.114])), 3, true);
        return emotionModel.execute(tf.mul(tf.sub(grey, 0.5), 2)) as tf.Tensor;
      });
      const v = (await out.data()) as Float32Array;
      out.dispose();
      return v;
    },
    dispose() {
      faceres.dispose();
      emotionModel.dispose();
    },
  };
}
