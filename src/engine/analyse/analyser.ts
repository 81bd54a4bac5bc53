/**
 * Stages 1-4, analyse: a photo's pixels -> face boxes -> per face, landmarks and canonical landmarks.
 * Photos bigger than `maxSide` are searched on a box-downscaled copy; boxes and landmarks always come
 * back in the original image's pixels. `createEditor` (edit.ts) builds one over its detector and mesh.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import type { CanonicalLandmarks, DecodedImage, FaceBox, FaceLandmarks, RGBAImage } from '../types';
import { decodeImage, type ImageInput } from './decode';
import type { FaceDetector } from './detect';
import { downscaleBox, pixelsToTensor } from './image-ops';
import { headPose, interOcular, toCanonical } from './manifold';
import type { FaceMesh } from './mesh';

export const DEFAULT_ANALYSIS_MAX_SIDE = 2048;
/** Faces whose eyes are closer than this (original pixels) are refused as too small to edit. */
export const MIN_IOD_PX = 16;
/** Faces turned further than this (degrees of yaw or pitch) are refused. */
export const MAX_TURN_DEG = 45;

export interface FaceAnalysis {
  box: FaceBox;
  landmarks: FaceLandmarks;
  canonical: CanonicalLandmarks;
}

export interface AnalysedPhoto {
  readonly image: DecodedImage;
  readonly faces: FaceBox[];
  /** Analysis copy's size relative to the original (1 = analysed at full size). */
  readonly analysisScale: number;
  /** Landmarks of face `index` (cached); rejects with FACE_TOO_SMALL / FACE_TURNED_AWAY / NO_FACE when it cannot be edited. */
  face(index: number): Promise<FaceAnalysis>;
  dispose(): void;
}

export interface Analyser {
  open(input: ImageInput | RGBAImage): Promise<AnalysedPhoto>;
}

function isPixels(x: unknown): x is RGBAImage {
  return typeof x === 'object' && x !== null && 'data' in x && 'width' in x && 'height' in x;
}

export function createAnalyser(detector: FaceDetector, mesh: FaceMesh, maxSide = DEFAULT_ANALYSIS_MAX_SIDE): Analyser {
  async function analyzeFace(tensor: tf.Tensor3D, scale: number, box: FaceBox): Promise<FaceAnalysis> {
    const m = await mesh.estimate(tensor, scale, box);
    if (m.score < 0.5) throw new EditorError(ErrorCode.NO_FACE, `mesh confidence ${m.score.toFixed(2)}`);
    const canonical = toCanonical(m.points);
    const pose = headPose(canonical.transform);
    const iod = interOcular(m.points);
    if (iod < MIN_IOD_PX) throw new EditorError(ErrorCode.FACE_TOO_SMALL, `${iod.toFixed(0)} px between the eyes`);
    if (Math.abs(pose.yaw) > MAX_TURN_DEG || Math.abs(pose.pitch) > MAX_TURN_DEG) throw new EditorError(ErrorCode.FACE_TURNED_AWAY, `yaw ${pose.yaw.toFixed(0)}°, pitch ${pose.pitch.toFixed(0)}°`);
    return { box, landmarks: { points: m.points, score: m.score, pose }, canonical };
  }

  return {
    async open(input) {
      const image: DecodedImage = isPixels(input) ? { ...input, orientation: 1, mimeType: 'image/raw' } : await decodeImage(input);
      const f = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
      const small = downscaleBox(image, f);
      const tensor = pixelsToTensor(small);
      let faces: FaceBox[];
      try {
        faces = await detector.detect(tensor, f);
      } catch (e) {
        tensor.dispose();
        throw e;
      }
      const cache = new Map<number, Promise<FaceAnalysis>>();
      return {
        image, faces, analysisScale: f,
        face(index: number) {
          if (tensor.isDisposed) return Promise.reject(new EditorError(ErrorCode.DISPOSED));
          if (faces.length === 0) return Promise.reject(new EditorError(ErrorCode.NO_FACE));
          if (!(Number.isInteger(index) && index >= 0 && index < faces.length)) return Promise.reject(new EditorError(ErrorCode.BAD_ARGUMENT, `face ${index} of ${faces.length}`));
          let p = cache.get(index);
          if (!p) { p = analyzeFace(tensor, f, faces[index]); cache.set(index, p); }
          return p;
        },
        dispose: () => tensor.dispose(),
      };
    },
  };
}

/** One inference of each model so shader compilation happens at load time, not on the first photo. */
export async function warmUpAnalysis(detector: FaceDetector, mesh: FaceMesh): Promise<void> {
  const img = tf.fill([64, 64, 3], 128) as tf.Tensor3D;
  try {
    await detector.detect(img);
    await mesh.estimate(img, 1, { x: 0, y: 0, width: 64, height: 64, score: 1, keypoints: [[20, 30], [44, 30], [32, 40], [32, 50], [5, 30], [59, 30]] }, 1);
  } finally {
    img.dispose();
  }
}
