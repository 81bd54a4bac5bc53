/**
 * The engine's one entry point. `createEditor` starts a backend, loads the models (verified against
 * the manifest) and returns an Editor; `editor.open(file)` decodes a photo and finds its faces;
 * `photo.face(i)` gives the landmarks and canonical landmarks of one face. UI, worker, CLI and
 * evaluation all go through here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo, type BackendName } from '../runtime/backend';
import { decodeImage, type ImageInput } from './decode';
import { createFaceDetector, type DetectorConfig, type FaceDetector } from './detect';
import { EditorError, ErrorCode } from '../errors';
import { downscaleBox, pixelsToTensor } from './image-ops';
import { headPose, interOcular, toCanonical } from './manifold';
import { createFaceMesh, type FaceMesh } from './mesh';
import { fetchByteSource, ModelStore, type ByteSource, type ProgressCallback } from '../runtime/models';
import type { CanonicalLandmarks, DecodedImage, FaceBox, FaceLandmarks, RGBAImage } from '../types';

export interface EditorOptions {
  /** Where public/models is served (browser) — or `modelSource` to read bytes some other way (Node, tests). */
  modelBaseUrl?: string;
  modelSource?: ByteSource;
  backends?: BackendName[];
  detector?: Partial<DetectorConfig>;
  onProgress?: ProgressCallback;
  /** Largest side of the copy that faces are searched on; bigger photos are box-downscaled for analysis. */
  analysisMaxSide?: number;
}

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

export interface Photo {
  readonly image: DecodedImage;
  readonly faces: FaceBox[];
  /** Analysis copy's size relative to the original (1 = analysed at full size). */
  readonly analysisScale: number;
  /** Landmarks of face `index`; throws FACE_TOO_SMALL / FACE_TURNED_AWAY / NO_FACE when it cannot be edited. */
  face(index: number): Promise<FaceAnalysis>;
  dispose(): void;
}

export interface Editor {
  readonly backend: BackendInfo;
  readonly store: ModelStore;
  open(input: ImageInput | RGBAImage): Promise<Photo>;
  /** Faces and landmarks of already-decoded pixels; `pad` adds a border before detection (tight crops). */
  dispose(): void;
}

function isPixels(x: unknown): x is RGBAImage {
  return typeof x === 'object' && x !== null && 'data' in x && 'width' in x && 'height' in x;
}

export async function createEditor(options: EditorOptions = {}): Promise<Editor> {
  const progress = options.onProgress ?? (() => {});
  progress(0, 'Starting the compute backend');
  const backend = await initBackend(options.backends);
  const source = options.modelSource ?? fetchByteSource(options.modelBaseUrl ?? 'models');
  const store = new ModelStore(source);
  progress(0.1, 'Loading the face detector');
  const detector: FaceDetector = await createFaceDetector(store, options.detector);
  progress(0.4, 'Loading the face mesh');
  const mesh: FaceMesh = await createFaceMesh(store);
  progress(0.8, 'Warming up');
  await warmUp(detector, mesh);
  progress(1, 'Ready');
  const maxSide = options.analysisMaxSide ?? DEFAULT_ANALYSIS_MAX_SIDE;
  let disposed = false;

  async function open(input: ImageInput | RGBAImage): Promise<Photo> {
    if (disposed) throw new EditorError(ErrorCode.DISPOSED);
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
        if (tensor.isDisposed) throw new EditorError(ErrorCode.DISPOSED);
        if (faces.length === 0) return Promise.reject(new EditorError(ErrorCode.NO_FACE));
        if (!(index >= 0 && index < faces.length)) return Promise.reject(new EditorError(ErrorCode.BAD_ARGUMENT, `face ${index} of ${faces.length}`));
        if (!cache.has(index)) cache.set(index, analyzeFace(tensor, f, faces[index]));
        return cache.get(index)!;
      },
      dispose: () => tensor.dispose(),
    };
  }

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
    backend, store, open,
    dispose() {
      disposed = true;
      detector.dispose();
      mesh.dispose();
    },
  };
}

/** One inference of each model so shader compilation happens at load time, not on the first photo. */
async function warmUp(detector: FaceDetector, mesh: FaceMesh): Promise<void> {
  const img = tf.fill([64, 64, 3], 128) as tf.Tensor3D;
  try {
    await detector.detect(img);
    await mesh.estimate(img, 1, { x: 0, y: 0, width: 64, height: 64, score: 1, keypoints: [[20, 30], [44, 30], [32, 40], [32, 50], [5, 30], [59, 30]] }, 1);
  } finally {
    img.dispose();
  }
}
