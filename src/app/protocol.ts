/**
 * What crosses the worker boundary: plain data only (numbers, arrays, FaceBox, ImageBitmap / Blob).
 * The worker holds the engine's handles (Photo, Face, Edit) and names them by numeric ids; the UI
 * thread only ever sees the ids. Types only: the UI bundle never contains the engine.
 */
import type {
  BackendInfo,
  BackendName,
  Capabilities,
  ErrorCode,
  FaceBox,
  OutputFormat,
  Point3,
  PresetName,
  Region,
  UnitName,
  UnitValues,
} from '../engine/index';

export type { FaceBox, Region };

/** Raw RGBA pixels (ImageData-like); transfer the buffer. */
export interface RawPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

interface InitOptions {
  /** Absolute URL of the model folder (the worker resolves nothing relative to its own script). */
  modelBaseUrl: string;
  backends?: BackendName[];
}

interface EngineInfo {
  backend: BackendInfo;
  capabilities: Capabilities;
}

interface OpenedPhoto {
  photoId: number;
  width: number;
  height: number;
  faces: FaceBox[];
  /** The decoded pixels (EXIF orientation applied), transferred, for display. */
  bitmap: ImageBitmap;
}

export interface FaceInfo {
  faceId: number;
  photoId: number;
  index: number;
  box: FaceBox;
  /** 468 landmarks, image pixels. */
  points: Point3[];
  score: number;
  pose: { yaw: number; pitch: number; roll: number };
}

/**
 * The expression to give the face: its own neutral, a stored preset, a face (by id) of another photo, or a saved
 * expression (its JSON, as `expression` / `readExpression` return it).
 */
export type ReferenceSpec =
  | { kind: 'neutral' }
  | { kind: 'preset'; preset: PresetName }
  | { kind: 'face'; faceId: number }
  | { kind: 'expression'; json: string };

/** What a preset thumbnail shows: the face's own neutral or a stored preset. */
export type ThumbnailReference = { kind: 'neutral' } | { kind: 'preset'; preset: PresetName };

/** Every action unit's value in an edit (the reference's decomposition, with the values asked). */
export type EditUnits = Record<UnitName, number>;

/** A saved expression as the app keeps it: its name and its JSON (the engine's expressionToJSON). */
export interface SavedExpression {
  name: string;
  json: string;
}

export interface RenderedFrame {
  /** The changed region of the photo (place it at x, y); pixels outside it are the photo's own. */
  patch: ImageBitmap;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Target landmarks (image px) the frame was rendered for. */
  points: Point3[];
  intensity: number;
  /** A warp-only preview (while the slider moves) or the full frame. */
  kind: 'preview' | 'full';
  /** Worker time of the frame (target + render + bitmap), ms. */
  ms: number;
}

/** An engine failure as it crosses the boundary (comlink would drop `code` from an Error): the EditorError's code and detail. */
export interface WorkerError {
  name: 'EditorError';
  code: ErrorCode;
  detail: string;
}

/** One camera frame's edit (WorkerApi.live, worker-live.ts): the photo's face toward the performer's face in it. */
export interface LiveOptions {
  regions?: Region[];
  units?: UnitValues;
  a: number;
  kind: 'preview' | 'full';
  /** A new camera session: the performer's neutral is learned again from the next calm frames. */
  restart?: boolean;
  /** The frame is being recorded: the result carries its edit's expression (no camera pixel is kept). */
  record?: boolean;
}

export interface LiveResult {
  /** Null when the camera frame has no face. */
  frame: RenderedFrame | null;
  /** The frame's edit (-1 without a face): release it like any edit. */
  editId: number;
  units: EditUnits | null;
  /** The performer's landmarks and face box in the camera frame. */
  points: Point3[] | null;
  box: FaceBox | null;
  /** The performer's neutral is still being learned (the "Hold still" step). */
  calibrating: boolean;
  /** With `record`: the frame's expression, portable (a saved expression's JSON), as a recorded performance keeps it. */
  expression?: string;
}

/** Something the engine tells the UI unasked (today: its GPU device was lost; it must be restarted). */
export type EngineEvent = { kind: 'device-lost'; reason: string };

export interface WorkerApi {
  /**
   * Starts the engine; resolves as soon as a photo can be opened. `onProgress` goes on after that while the
   * expression models and the refiner load or warm up (an edit waits for them), and reaches 1 when nothing loads.
   */
  init(options: InitOptions, onProgress: (fraction: number, label: string) => void, onEvent?: (event: EngineEvent) => void): Promise<EngineInfo>;
  /** Decodes a file (or raw pixels) and finds its faces. */
  open(input: Blob | RawPixels): Promise<OpenedPhoto>;
  /** Landmarks of face `index` of a photo. */
  face(photoId: number, index: number): Promise<FaceInfo>;
  /**
   * An edit of a face toward a reference, limited to `regions` (default all), with `units` set on top of the
   * reference (the engine caches the per-face and per-reference work: a new edit per units value is cheap).
   */
  edit(faceId: number, reference: ReferenceSpec, regions?: Region[], units?: UnitValues): Promise<{ editId: number; units: EditUnits }>;
  /** The expression of an edit, portable to any face, as JSON (a small file). */
  expression(editId: number, name: string): Promise<SavedExpression>;
  /** Checks the text of a file that should hold a saved expression; BAD_ARGUMENT (with what is wrong) when it does not. */
  readExpression(text: string): Promise<SavedExpression>;
  /** The frame of an edit at intensity `a`: 'full' (warp + refiner, the default) or a cheap 'preview' (warp only). */
  render(editId: number, a: number, kind?: 'preview' | 'full'): Promise<RenderedFrame>;
  /**
   * A small square picture (`size` px, RGBA) of a face under a preset (or its neutral) at intensity 1: the preview
   * render (warp at half resolution, no refiner, no expression texture) cropped around the face box. The lowest
   * priority: null, with nothing rendered, when another call came in meanwhile (ask again once the user rests).
   */
  thumbnail(faceId: number, reference: ThumbnailReference, size: number): Promise<RawPixels | null>;
  /** The whole photo at full resolution, encoded: an edit at intensity `a`, or a photo as it is. */
  export(id: number, a: number, format: OutputFormat, quality?: number): Promise<Blob>;
  /** A camera frame (raw pixels, transferred) as the reference of face `faceId`: its edit and frame (worker-live.ts). */
  live(faceId: number, pixels: RawPixels, options: LiveOptions): Promise<LiveResult>;
  /** Releases a photo (with its faces and their edits), a face (with its edits) or an edit. */
  dispose(id: number): Promise<void>;
  /** Tensors the engine holds (diagnostics for the test hooks). */
  memory(): Promise<{ numTensors: number; numBytes: number }>;
}

/** The supervisor's heartbeat (engine-supervisor.ts), not for the store: a worker that is gone or hung never answers. */
export interface WorkerHeartbeat {
  ping(): Promise<void>;
}

/**
 * Test-only worker methods (the browser tests' way to break the engine on purpose), exposed by test
 * builds only (vite.config.ts); the store never calls them, only the supervisor's `window.__leedEngine` hooks do.
 */
export interface WorkerTestApi {
  /** Destroys the WebGPU device under tfjs, as a driver reset would (rejects on other backends). */
  testLoseDevice(): Promise<void>;
  /** Throws an uncaught error in the worker, as an engine bug would. */
  testCrash(): Promise<void>;
}
