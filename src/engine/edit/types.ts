/**
 * The editing API's handles and options (createEditor: editor.ts):
 *
 *   const editor = await createEditor({ models: 'models', onProgress }); // photos can be opened; the rest loads on
 *   const photo = await editor.open(file);              // decode + find faces                 (Editor: editor.ts)
 *   const face = await photo.face(0);                   // landmarks, canonical landmarks, pose (Photo: photo.ts)
 *   const edit = await face.edit({ preset: 'happy' });  // or 'neutral', or another photo's Face (Face: face.ts)
 *   const patch = await edit.render(0.8);               // the changed region of the photo    (Edit: edit.ts)
 *   const bytes = await edit.export(0.8, 'jpeg');       // the whole photo, full resolution
 *
 * N(x) is computed once per face and the fitted reference displacement once per face and reference;
 * a slider position then costs only the target (plain arithmetic) and the render. Every failure is an
 * EditorError with a code (errors.ts); unexpected ones become INTERNAL, OUT_OF_MEMORY or GPU_LOST.
 */
import type { Expression } from '../expression/saved';
import type { UnitName, UnitValues } from '../expression/units';
import type { FaceAnalysis } from '../analyse/analyser';
import type { ImageInput } from '../analyse/decode';
import type { DetectorConfig } from '../analyse/detect';
import type { PresetName, Region } from '../expression/target';
import type { OutputFormat } from '../io/encode';
import type { RenderPatch, RenderSessionOptions } from '../render/session';
import type { BackendInfo, BackendName } from '../runtime/backend';
import type { ByteSource, ProgressCallback } from '../runtime/models';
import type { CanonicalLandmarks, DecodedImage, FaceBox, FaceLandmarks, Point3, RGBAImage, TrackedFrame } from '../types';

export type SamplerKind = NonNullable<RenderSessionOptions['sampler']>;

export interface EditorOptions {
  /** The model folder: a URL (browser; default 'models', relative to the page) or a reader of its files (Node, tests). */
  models?: string | ByteSource;
  /** Backends to try in order (default WebGPU, WebGL, CPU). */
  backends?: BackendName[];
  /**
   * Load progress, 0..1 with a label for each step. It goes on after `createEditor` resolves ("Preparing the face
   * models", "Preparing the expression models", and "Preparing the refiner" after the first face) and is 1
   * ("Ready") when nothing loads.
   */
  onProgress?: ProgressCallback;
  /** Called once if the GPU device is lost; every later call rejects with GPU_LOST. */
  onDeviceLost?: (reason: string) => void;
  detector?: Partial<DetectorConfig>;
  /** Largest side of the copy that faces are searched on; bigger photos are box-downscaled for analysis. */
  analysisMaxSide?: number;
  /** Pixel sampler of the render stage (default 'auto': chosen once per render session from the backend). */
  sampler?: SamplerKind;
  /**
   * Run each network once so that its first real use does not pay for shader compilation (default true), in the
   * background: the detector and mesh as soon as they are loaded (`open` waits for it), the refiner after the first
   * face is found.
   */
  warmUp?: boolean;
}

/** What this build can do: optional models are present when the model manifest lists them. */
export interface Capabilities {
  /** The disentangler ships: references, presets and neutralizing work. */
  readonly expression: boolean;
  /** Presets this build ships. */
  readonly presets: readonly PresetName[];
  /** Regions an edit can be limited to. */
  readonly regions: readonly Region[];
  /** The refiner network ships (otherwise renders are warp only). */
  readonly refiner: boolean;
}

/**
 * The expression to give a face: its own neutral, a stored preset, the expression of a face in another photo, or a
 * saved expression (action units and a residual, expression/saved.ts).
 */
export type Reference = 'neutral' | { readonly preset: PresetName } | Face | { readonly expression: Expression };

export interface EditOptions {
  /** Limit the edit to these regions (default: all). */
  regions?: readonly Region[];
  /**
   * Action-unit values to set on top of the reference (expression/units.ts): each named unit takes this value
   * instead of the value the reference's displacement decomposes into; the rest of the displacement (other units
   * and the residual) is kept. Values are clamped to each unit's range. Units on 'neutral' add to the neutral face.
   */
  units?: UnitValues;
  /**
   * Prepare the expression texture for the full frame in the background, once the edit's first preview is out (default true).
   * false for an edit that is only previewed (the app's preset thumbnails): its network run would hold the GPU
   * from the user's own frames and push their gains out of the session's cache.
   */
  prepareTexture?: boolean;
}

export interface RenderOptions {
  /** Use the refiner network (default: when the build ships one). false = warp only. */
  refiner?: boolean;
  /**
   * Carry an open mouth's inside at full resolution (default true; render/mouth-interior.ts): the reference photo's
   * teeth, or the photo's own as its mouth opens further or closes. false: the warp's and the refiner's pixels only.
   */
  interior?: boolean;
  /**
   * A quick frame for a moving slider (render only): the warp and the carried mouth interior at half resolution, no
   * refiner; the patch's `data` is `dataWidth` x `dataHeight`, to be drawn scaled over its `width` x `height`.
   */
  preview?: boolean;
  /**
   * Creases where the edit squeezes the skin and folds that fade where it stretches it (render/creases.ts, folds.ts;
   * default true). false: without them, as the renderer was before them (for comparisons).
   */
  creases?: boolean;
  /**
   * The texture network's own gain for this edit's full frame, never one derived from another edit's (texture-gains.ts;
   * default false, as an export always is): a frame that must not depend on what the face rendered before.
   */
  exact?: boolean;
}

/** A rendered frame: the changed region of the photo; place `data` (width x height RGBA) at (x, y). */
export interface Patch extends RenderPatch {
  readonly intensity: number;
  /** Target landmarks it was rendered for (image pixels). */
  readonly target: Point3[];
}

export interface Edit {
  readonly face: Face;
  readonly reference: Reference;
  readonly regions: readonly Region[] | null;
  /** The displacement in canonical space: the fitted reference displacement d' with the asked units set (null when neutralizing without units). */
  readonly displacement: readonly Point3[] | null;
  /** Each action unit's value in this edit: the reference's decomposition, with the values asked in EditOptions.units. */
  readonly units: Readonly<Record<UnitName, number>>;
  /** This edit's expression, portable to any face: its unit values and the rest of its displacement in template space. */
  expression(name?: string): Expression;
  /** Target landmarks (image pixels) at intensity `a`: 0 = the photo, 1 = the reference's expression, up to about 1.5. */
  target(a: number): Point3[];
  render(a: number, options?: RenderOptions): Promise<Patch>;
  /** The whole photo at full resolution with the edit at intensity `a`, encoded (Blob in the browser, bytes in Node). */
  export(a: number, format?: OutputFormat, quality?: number, options?: RenderOptions): Promise<Blob | Uint8Array>;
  /** The whole edited photo as pixels. */
  renderFull(a: number, options?: RenderOptions): Promise<RGBAImage>;
  /**
   * Does ahead what this edit's first full frame would wait for (the expression texture's network), kept on the face
   * for any later edit with the same target: for work done while the user rests (the app's preset thumbnails).
   */
  prepare(): Promise<void>;
  dispose(): void;
}

export interface Face extends FaceAnalysis {
  readonly index: number;
  readonly box: FaceBox;
  readonly landmarks: FaceLandmarks;
  readonly canonical: CanonicalLandmarks;
  readonly pose: FaceLandmarks['pose'];
  /** N(x): this person's neutral face, canonical space (computed once): the disentangler's output, corrected by target.ts correctNeutral when the presets ship the neutral statistics. */
  neutral(): Promise<Point3[]>;
  edit(reference: Reference, options?: EditOptions): Promise<Edit>;
  /** Renders arbitrary target landmarks (468 points, image pixels, the face's order): for tools and tests. */
  renderTarget(target: readonly Point3[], options?: RenderOptions): Promise<RenderPatch>;
}

export interface Photo {
  readonly image: DecodedImage;
  readonly faces: readonly FaceBox[];
  /** Analysis copy's size relative to the original (1 = analysed at full size). */
  readonly analysisScale: number;
  /** Face `index` (cached); rejects with NO_FACE, FACE_TOO_SMALL or FACE_TURNED_AWAY when it cannot be edited. */
  face(index: number): Promise<Face>;
  dispose(): void;
}

export interface Editor {
  readonly backend: BackendInfo;
  /** Decided from the model manifest: what this build ships, whether or not it has finished loading. */
  readonly capabilities: Capabilities;
  /**
   * Resolves when every model is loaded and the face models are warmed up. `createEditor` resolves as soon as a
   * photo can be opened (the face detector and mesh loaded); their warm-up and the loading of the expression models
   * and the refiner go on, and what needs them waits (`open` for the warm-up, an edit for the expression models).
   * Rejects with the first failure, which those calls then reject with too.
   */
  readonly loaded: Promise<void>;
  /** A file's bytes or pixels; pixels that are a TrackedFrame are opened with its faces, without searching for any. */
  open(input: ImageInput | RGBAImage | TrackedFrame): Promise<Photo>;
  /** Tensors and bytes the backend holds now (diagnostics: leak checks in tests and the app's test hooks). */
  memory(): { numTensors: number; numBytes: number };
  dispose(): void;
}
