/**
 * What crosses the worker boundary: plain data only (numbers, arrays, FaceBox, ImageBitmap / Blob).
 * Types here are shared by the UI thread and the worker; this file has no runtime code that pulls
 * in tfjs, so the UI bundle never contains the engine.
 */
import type { BackendInfo, BackendName } from '../engine/runtime/backend';
import type { ErrorCode } from '../engine/errors';
import type { FaceBox, Point3 } from '../engine/types';

export type { BackendInfo, BackendName, FaceBox, Point3 };

export interface RawPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface InitOptions {
  /** Absolute URL of the model folder (the worker resolves nothing relative to its own script). */
  modelBaseUrl: string;
  backends?: BackendName[];
}

export interface OpenedPhoto {
  width: number;
  height: number;
  faces: FaceBox[];
  /** The decoded pixels (EXIF orientation applied), transferred, for display. */
  bitmap: ImageBitmap;
}

export interface FaceResult {
  index: number;
  box: FaceBox;
  points: Point3[];
  score: number;
  pose: { yaw: number; pitch: number; roll: number };
}

/** An engine failure as it crosses the boundary (comlink would drop `code` from an Error). */
export interface WorkerError {
  name: 'EditorError';
  code: ErrorCode;
  message: string;
}

export type ExpressionPreset = 'happy' | 'surprise' | 'anger' | 'sadness' | 'disgust' | 'fear';
export const PRESETS: ExpressionPreset[] = ['happy', 'surprise', 'anger', 'sadness', 'disgust', 'fear'];

/** The reference expression: the face's own neutral, a stored preset, or a face in another photo. */
export type ReferenceChoice =
  | { kind: 'neutral' }
  | { kind: 'preset'; preset: ExpressionPreset }
  | { kind: 'photo'; name: string };

export interface Capabilities {
  /** The disentangler / targets are available (src/engine/expression/target.ts). */
  expression: boolean;
  /** Presets this build ships (a subset of PRESETS). */
  presets: string[];
  /** Region names the engine can toggle separately (empty when it offers none). */
  regions: string[];
  /** The generator (warp / render) is available. */
  render: boolean;
  /** The refiner network is used by the generator (otherwise warp only). */
  refiner: boolean;
}

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  /** Largest numBytes seen by the worker's sampling since the last reset. */
  peakBytes: number;
}

export interface RenderResult {
  /** The changed region of the photo (place it at x, y); pixels outside it are the photo's own. */
  patch: ImageBitmap;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Target landmarks (image px) the frame was rendered for. */
  points: Point3[];
  intensity: number;
  ms: number;
}

export interface WorkerApi {
  init(options: InitOptions, onProgress: (fraction: number, label: string) => void): Promise<BackendInfo>;
  capabilities(): Promise<Capabilities>;
  /** A file, or raw pixels (ImageData-like; transfer its buffer). */
  open(file: Blob | RawPixels): Promise<OpenedPhoto>;
  face(index: number): Promise<FaceResult>;
  /** Reference from another photo (its first face). */
  openReference(file: Blob): Promise<FaceResult>;
  /** Target landmarks (image px of the source photo) for the reference at intensity `a`. */
  target(reference: ReferenceChoice, a: number, regions?: string[]): Promise<Point3[]>;
  render(reference: ReferenceChoice, a: number, regions?: string[]): Promise<RenderResult>;
  /** The last rendered image (or the photo itself) encoded at full resolution. */
  exportImage(type: 'image/png' | 'image/jpeg', quality?: number): Promise<Blob>;
  memory(): Promise<MemoryInfo>;
  /** When on, every engine call runs inside tf.profile and its peak bytes feed `memory().peakBytes`. */
  setProfiling(on: boolean): Promise<void>;
  /** Time of `n` face-mesh inferences on the current face (ms each), for the benchmark. */
  benchMesh(n: number): Promise<number>;
  dispose(): Promise<void>;
}
