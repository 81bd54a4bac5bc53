/**
 * The engine's editing API, the only door into the engine (re-exported by index.ts):
 *
 *   const editor = await createEditor({ models: 'models', onProgress }); // photos can be opened; the rest loads on
 *   const photo = await editor.open(file);              // decode + find faces
 *   const face = await photo.face(0);                   // landmarks, canonical landmarks, pose
 *   const edit = await face.edit({ preset: 'happy' });  // or 'neutral', or another photo's Face
 *   const patch = await edit.render(0.8);               // the changed region of the photo
 *   const bytes = await edit.export(0.8, 'jpeg');       // the whole photo, full resolution
 *
 * N(x) is computed once per face and the fitted reference displacement once per face and reference;
 * a slider position then costs only the target (plain arithmetic) and the render. Every failure is an
 * EditorError with a code (errors.ts); unexpected ones become INTERNAL, OUT_OF_MEMORY or GPU_LOST.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createAnalyser, DEFAULT_ANALYSIS_MAX_SIDE, warmUpAnalysis, type AnalysedPhoto, type FaceAnalysis } from './analyse/analyser';
import { decodeImage, type ImageInput } from './analyse/decode';
import { createFaceDetector, type DetectorConfig } from './analyse/detect';
import { fromCanonical, TEMPLATE } from './analyse/manifold';
import { createFaceMesh } from './analyse/mesh';
import { EditorError, ErrorCode, toEditorError } from './errors';
import { createDisentangler, DISENTANGLER_PATH, type Disentangler } from './expression/disentangle';
import {
  correctNeutral,
  loadPresets,
  PRESET_NAMES,
  PRESETS_PATH,
  REGIONS,
  retarget,
  targetCanonical,
  type PresetName,
  type Presets,
  type Region,
  type RegionMask,
} from './expression/target';
import { encodeImage, type OutputFormat } from './io/encode';
import { DEFAULT_CROP } from './render/aligned-crop';
import { createRefiner, REFINER_PATH, type Refiner } from './render/refine';
import { createTextureModel, TEXTURE_PATH, type TextureModel } from './render/texture';
import { carriesInterior, type InteriorSource, mouthOpening, showsTeeth } from './render/mouth-interior';
import { applyPatch, createRenderSession, type RenderPatch, type RenderSession, type RenderSessionOptions } from './render/session';
import { initBackend, type BackendInfo, type BackendName } from './runtime/backend';
import { fetchByteSource, ModelStore, type ByteSource, type ProgressCallback } from './runtime/models';
import type { CanonicalLandmarks, DecodedImage, FaceBox, FaceLandmarks, Point2, Point3, RGBAImage } from './types';

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

/** The expression to give a face: its own neutral, a stored preset, or the expression of a face in another photo. */
export type Reference = 'neutral' | { readonly preset: PresetName } | Face;

export interface EditOptions {
  /** Limit the edit to these regions (default: all). */
  regions?: readonly Region[];
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
  /** The fitted reference displacement d' in canonical space (null when neutralizing); shared by edits of the same face and reference. */
  readonly displacement: readonly Point3[] | null;
  /** Target landmarks (image pixels) at intensity `a`: 0 = the photo, 1 = the reference's expression, up to about 1.5. */
  target(a: number): Point3[];
  render(a: number, options?: RenderOptions): Promise<Patch>;
  /** The whole photo at full resolution with the edit at intensity `a`, encoded (Blob in the browser, bytes in Node). */
  export(a: number, format?: OutputFormat, quality?: number, options?: RenderOptions): Promise<Blob | Uint8Array>;
  /** The whole edited photo as pixels. */
  renderFull(a: number, options?: RenderOptions): Promise<RGBAImage>;
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
  open(input: ImageInput | RGBAImage): Promise<Photo>;
  /** Tensors and bytes the backend holds now (diagnostics: leak checks in tests and the app's test hooks). */
  memory(): { numTensors: number; numBytes: number };
  dispose(): void;
}

/** Each face's photo, so that a face used as a reference can lend its open mouth's pixels (mouth-interior.ts). */
const facePhotos = new WeakMap<Face, RGBAImage>();

/** `face`'s photo and landmarks when its mouth is open (its teeth can be carried), else undefined. */
function openMouth(face: Face): InteriorSource | undefined {
  const image = facePhotos.get(face);
  const points = face.landmarks.points;
  return image && carriesInterior({ image, points }) ? { image, points } : undefined;
}

/**
 * Where the inside of the edited mouth comes from (mouth-interior.ts): the reference photo's open mouth when the
 * reference is a face and the edit changes the mouth; for a preset, when the photo's own mouth shows no teeth, the
 * stock mouth (a smiling mouth's inside shipped with the models: scripts/make-stock-mouth.ts); else the photo's own
 * open mouth (its teeth then move with the lips instead of stretching with the warp, and are covered by the lips as
 * the mouth closes); else none (the refiner paints a mouth that opens from closed lips).
 */
function interiorFor(
  face: Face,
  reference: Reference,
  regions: Region[] | null,
  stock: InteriorSource | null,
  presetOpening: () => number,
): InteriorSource | undefined {
  const mouthMoves = !regions || regions.includes('mouth');
  const fromReference = mouthMoves && isFace(reference) ? openMouth(reference) : undefined;
  if (fromReference) return fromReference;
  const own = openMouth(face);
  // A preset takes the stock mouth's inside unless the photo's own mouth shows teeth and is open at least
  // OWN_TEETH_SHARE as far as the preset opens it at intensity 1: lips parted over a dark gap, or a few teeth in a
  // narrow gap, drawn into a much taller opening give a dark hole or someone's teeth in shadow (colour set, "happy").
  // Another photo's interior goes only where the mouth opens past its own opening, so the photo's own pixels stay
  // wherever the mouth does not open further.
  const preset = mouthMoves && !isFace(reference) && reference !== 'neutral' && stock;
  const hidden = preset ? (UPPER_HIDDEN[(reference as { preset: PresetName }).preset] ?? 0) : 0;
  if (preset && !(own && showsTeeth(own) && mouthOpening(own.points) >= OWN_TEETH_SHARE * presetOpening())) {
    return hidden ? { ...stock, upperHidden: hidden } : stock;
  }
  // a neutral face shows no teeth: where N'(x) leaves the lips a little apart (a broad or turned smile), the gap is
  // the lips' dark seam, not the teeth cut to fit (colour set: a block of teeth stayed in some neutralized grins)
  if (own && reference === 'neutral') return { ...own, noTeeth: true };
  // an "O" over the photo's own teeth: the upper lip comes down over them as the mouth opens past its own opening
  return own && hidden ? { ...own, upperHidden: hidden } : own;
}

/** A preset keeps the photo's own teeth when its mouth is open at least this share of the preset's opening at 1. */
const OWN_TEETH_SHARE = 0.6;
/**
 * How much of the upper teeth (the stock mouth's, or the photo's own) each preset's upper lip covers: an "O" of
 * surprise or fear shows their edges over the mouth's dark inside (with half of the stock teeth, 8 of 24 colour-set
 * surprise edits read as happy: teeth).
 */
const UPPER_HIDDEN: Partial<Record<PresetName, number>> = { surprise: 0.8, fear: 0.8, sadness: 0.5 };

function isFace(r: unknown): r is Face {
  return typeof r === 'object' && r !== null && 'canonical' in r && typeof (r as Face).neutral === 'function';
}

function regionMask(regions: readonly Region[] | null): RegionMask | undefined {
  if (!regions) return undefined;
  for (const r of regions) if (!REGIONS.includes(r)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `unknown region ${String(r)}`);
  const mask: RegionMask = { rest: 1 };
  for (const r of REGIONS) mask[r] = regions.includes(r) ? 1 : 0;
  return mask;
}

interface Models {
  refiner: Refiner | null;
  /** The expression-texture gain (render/texture.ts), when shipped; used with the refiner. */
  texture: TextureModel | null;
  disentangler: Disentangler | null;
  presets: Presets | null;
  /** The inside of a smiling mouth, for presets that open a closed mouth (leed/stock-mouth.*), when shipped. */
  stockMouth: InteriorSource | null;
}

export async function createEditor(options: EditorOptions = {}): Promise<Editor> {
  const progress = options.onProgress ?? (() => {});
  progress(0, 'Starting the compute backend');
  const backend = await initBackend(options.backends);
  let gpuLost = false;
  watchDevice(backend, (reason) => {
    gpuLost = true;
    options.onDeviceLost?.(reason);
  });
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (gpuLost) throw new EditorError(ErrorCode.GPU_LOST);
    try {
      return await fn();
    } catch (e) {
      throw toEditorError(e, { gpuLost });
    }
  };

  const source = typeof options.models === 'function' ? options.models : fetchByteSource(options.models ?? 'models');
  const store = new ModelStore(source);
  const owned: { dispose(): void }[] = [];
  let disposed = false;
  // createEditor resolves once the detector and the mesh are loaded (and the small presets file, read for
  // `capabilities`). Their warm-up, the first run that compiles every GPU program of both networks (most of the
  // start-up on a GPU backend), goes on in the background, and `open` waits for it; the disentangler and the refiner
  // load meanwhile (only weights: no GPU work until they run) and an edit waits for them. `loaded` says when all is in.
  const models: Models = { refiner: null, texture: null, disentangler: null, presets: null, stockMouth: null };
  let analyser: ReturnType<typeof createAnalyser>;
  let capabilities: Capabilities;
  let expressionLoad: Promise<void>;
  let warm: Promise<void>;
  try {
    await guard(async () => {
      progress(0.05, 'Loading the face detector and mesh');
      const [hasDis, hasPresets, hasRefiner] = await Promise.all([store.has(DISENTANGLER_PATH), store.has(PRESETS_PATH), store.has(REFINER_PATH)]);
      // Decided from the manifest, before the weights arrive; a load that fails later fails the edits that need it.
      capabilities = { expression: hasDis, presets: [], regions: Object.freeze(hasDis ? [...REGIONS] : []), refiner: hasDis && hasRefiner };
      expressionLoad = guard(() => loadExpressionModels(store, capabilities, models, owned, () => disposed));
      expressionLoad.catch(() => {}); // reported by the edits (and `loaded`), not as an unhandled rejection
      const [detector, mesh, presets] = await settleAll([
        createFaceDetector(store, options.detector),
        createFaceMesh(store),
        hasDis && hasPresets ? loadPresets(store) : Promise.resolve(null),
      ]);
      owned.push(detector, mesh);
      models.presets = presets;
      analyser = createAnalyser(detector, mesh, options.analysisMaxSide ?? DEFAULT_ANALYSIS_MAX_SIDE);
      warm = (options.warmUp ?? true) ? guard(() => warmUpAnalysis(detector, mesh)) : Promise.resolve();
      warm.catch(() => {}); // `open` goes on without it (and `loaded` reports it)
    });
  } catch (e) {
    disposed = true;
    for (const m of owned) m.dispose();
    throw e;
  }
  capabilities = Object.freeze({
    ...capabilities!,
    presets: Object.freeze(models.presets ? PRESET_NAMES.filter((n) => models.presets!.names.includes(n)) : []),
  });
  // What still loads, for the progress that goes on after createEditor resolves (1 = nothing).
  let warmed = !(options.warmUp ?? true);
  let expressionIn = false;
  const report = () => {
    if (disposed) return;
    if (!warmed) progress(0.5, 'Preparing the face models');
    else if (!expressionIn) progress(0.8, 'Preparing the expression models');
    else progress(1, 'Ready');
  };
  const after = (p: Promise<void>, mark: () => void) =>
    p.then(mark, mark).then(() => {
      if (!refinerWarming) report();
    });
  after(warm!, () => {
    warmed = true;
  });
  after(expressionLoad!, () => {
    expressionIn = true;
  });
  const loaded = Promise.all([warm!, expressionLoad!]).then(() => {});
  loaded.catch(() => {});
  report();
  /** The expression models (waits for their load; rejects with its error). */
  const expressionModels = async (): Promise<Models> => {
    await expressionLoad;
    return models;
  };
  // The refiner's first run compiles many GPU programs: done once, in the background, after the first face is found.
  let refinerWarm: Promise<void> | null = null;
  let refinerWarming = false;
  const warmRefinerSoon = () => {
    if (refinerWarm || !capabilities.refiner || !(options.warmUp ?? true)) return;
    refinerWarm = (async () => {
      await loaded; // after the analysis warm-up, not competing with it
      if (disposed || gpuLost || !models.refiner) return;
      refinerWarming = true;
      progress(0.9, 'Preparing the refiner');
      try {
        await warmUpRefiner(models.refiner, models.texture);
      } finally {
        refinerWarming = false;
        report();
      }
    })();
    refinerWarm.catch(() => {}); // a failure here shows again on the first render
  };
  const photos = new Set<Photo>();
  const live = () => {
    if (disposed) throw new EditorError(ErrorCode.DISPOSED);
  };

  function open(input: ImageInput | RGBAImage): Promise<Photo> {
    return guard(async () => {
      live();
      await warm.catch(() => {}); // it compiles what this photo needs; a failed one is tried again by the photo itself
      live();
      const analysed = await analyser.open(input);
      const photo = wrapPhoto(analysed, () => photos.delete(photo));
      photos.add(photo);
      return photo;
    });
  }

  function wrapPhoto(analysed: AnalysedPhoto, onDispose: () => void): Photo {
    const faces = new Map<number, Promise<Face>>();
    const sessions: RenderSession[] = [];
    let closed = false;
    const photo: Photo = {
      image: analysed.image,
      faces: analysed.faces,
      analysisScale: analysed.analysisScale,
      face(index) {
        if (closed) return Promise.reject(new EditorError(ErrorCode.DISPOSED, 'the photo was closed'));
        let f = faces.get(index);
        if (!f) {
          f = guard(async () => {
            const face = makeFace(index, await analysed.face(index));
            warmRefinerSoon();
            return face;
          });
          faces.set(index, f);
          f.catch(() => faces.delete(index));
        }
        return f;
      },
      dispose() {
        if (closed) return;
        closed = true;
        for (const s of sessions) s.dispose();
        sessions.length = 0;
        analysed.dispose();
        onDispose();
      },
    };

    function makeFace(index: number, a: FaceAnalysis): Face {
      let neutralP: Promise<Point3[]> | null = null;
      const fittedCache = new Map<string | Face, Promise<Point3[] | null>>();
      let session: Promise<RenderSession> | null = null;
      /** The disentangler, once loaded (an edit made while the expression models load waits for them). */
      const needExpression = async (): Promise<Disentangler> => {
        if (!capabilities.expression) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'this build has no expression models');
        return (await expressionModels()).disentangler!;
      };
      const face: Face = {
        index,
        box: a.box,
        landmarks: a.landmarks,
        canonical: a.canonical,
        pose: a.landmarks.pose,
        neutral() {
          if (!neutralP) {
            neutralP = guard(async () => {
              live();
              const n = await (await needExpression()).neutral(a.canonical.points);
              // N corrected toward real neutral faces (target.ts correctNeutral) when the presets carry the statistics
              return models.presets?.neutral ? correctNeutral(n, models.presets.neutral) : n;
            });
            neutralP.catch(() => {
              neutralP = null;
            });
          }
          return neutralP;
        },
        edit: (reference, opts = {}) =>
          guard(async () => {
            live();
            if (closed) throw new EditorError(ErrorCode.DISPOSED, 'the photo was closed');
            await needExpression();
            const regions = opts.regions ? [...opts.regions] : null;
            const mask = regionMask(regions);
            const [srcN, d] = await Promise.all([face.neutral(), fitted(reference)]);
            return makeEdit(analysed.image, face, reference, regions, mask, srcN, d, renderSession);
          }),
        renderTarget: (target, o) =>
          guard(async () => {
            live();
            if (capabilities.expression) await expressionModels(); // the refiner loads with them
            return (await renderSession()).render(target, { useRefiner: (o?.refiner ?? true) && models.refiner !== null });
          }),
      };

      function fitted(reference: Reference): Promise<Point3[] | null> {
        if (reference === 'neutral') return Promise.resolve(null);
        let key: string | Face;
        if (isFace(reference)) key = reference;
        else if (typeof reference === 'object' && reference !== null && typeof reference.preset === 'string') key = `preset:${reference.preset}`;
        else return Promise.reject(new EditorError(ErrorCode.BAD_ARGUMENT, "a reference is 'neutral', { preset } or a Face"));
        let p = fittedCache.get(key);
        if (!p) {
          p = (async () => {
            const srcN = await face.neutral();
            if (!isFace(reference)) {
              const name = (reference as { preset: PresetName }).preset;
              if (!models.presets) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'this build has no expression presets');
              if (!models.presets.names.includes(name)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `no preset named ${name}`);
              return models.presets.fitted(name, srcN);
            }
            const refN = await reference.neutral();
            const dRef = reference.canonical.points.map((x, i) => [x[0] - refN[i][0], x[1] - refN[i][1], x[2] - refN[i][2]] as Point3);
            return retarget(dRef, refN, srcN);
          })();
          fittedCache.set(key, p);
          p.catch(() => fittedCache.delete(key));
        }
        return p;
      }

      function renderSession(): Promise<RenderSession> {
        if (closed) return Promise.reject(new EditorError(ErrorCode.DISPOSED, 'the photo was closed'));
        if (!session) {
          session = createRenderSession(analysed.image, a, {
            refiner: models.refiner ?? undefined,
            texture: models.texture ?? undefined,
            sampler: options.sampler,
          });
          session.then(
            (s) => {
              if (closed) s.dispose();
              else sessions.push(s);
            },
            () => {
              session = null;
            },
          );
        }
        return session;
      }
      facePhotos.set(face, analysed.image);
      return face;
    }
    return photo;
  }

  function makeEdit(
    image: RGBAImage,
    face: Face,
    reference: Reference,
    regions: Region[] | null,
    mask: RegionMask | undefined,
    srcN: Point3[],
    d: Point3[] | null,
    session: () => Promise<RenderSession>,
  ): Edit {
    let closed = false;
    let last: { key: string; patch: Promise<Patch> } | null = null;
    const alive = () => {
      live();
      if (closed) throw new EditorError(ErrorCode.DISPOSED, 'the edit was disposed');
    };
    const target = (a: number): Point3[] => {
      alive();
      if (typeof a !== 'number' || !Number.isFinite(a)) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'intensity must be a finite number');
      return fromCanonical(targetCanonical(face.canonical.points, srcN, d, a, mask), face.canonical.transform);
    };
    /** The target at intensity 1: the edit's full expression (the same for every frame). */
    let full: Point3[] | undefined;
    const targetAtOne = () => {
      full ??= target(1);
      return full;
    };
    const interior = interiorFor(face, reference, regions, models.stockMouth, () => mouthOpening(targetAtOne()));
    // The expression texture's network runs once per edit: at once, in the background, so that the first full frame
    // after a reference is picked does not wait for it (previews go on meanwhile). A failure shows on that frame.
    if (models.texture && models.refiner) {
      const t1 = targetAtOne();
      void session()
        .then((s) => s.prepareTexture(t1))
        .catch(() => {});
    }
    const wantsRefiner = (o?: RenderOptions) => (o?.refiner ?? true) && models.refiner !== null;
    const render = (a: number, o?: RenderOptions): Promise<Patch> =>
      guard(async () => {
        const points = target(a);
        const refine = wantsRefiner(o);
        const preview = o?.preview === true;
        const key = `${a}|${refine && !preview}|${o?.interior !== false}|${preview}`;
        if (last?.key === key) return last.patch;
        const p = (async () => {
          const s = await session();
          // The skin's change (render/texture.ts) is the edit's change at intensity 1 times the intensity (up to 1 the
          // targets lie on one line, beyond it they go on along the expression): one network run per edit, not per frame.
          const texture = a >= 0 ? { target: targetAtOne(), scale: a } : undefined;
          const patch = await s.render(points, { useRefiner: refine && !preview, interior: o?.interior === false ? undefined : interior, preview, texture });
          return { ...patch, intensity: a, target: points };
        })();
        last = { key, patch: p };
        p.catch(() => {
          if (last?.patch === p) last = null;
        });
        return p;
      });
    const renderFull = (a: number, o?: RenderOptions) => guard(async () => applyPatch(image, await render(a, { ...o, preview: false })));
    return {
      face,
      reference,
      regions,
      displacement: d,
      target,
      render,
      renderFull,
      async export(a, format = 'png', quality, o) {
        const full = await renderFull(a, o);
        return guard(() => encodeImage(full, format, quality));
      },
      dispose() {
        closed = true;
        last = null;
      },
    };
  }

  return {
    backend,
    capabilities,
    loaded,
    open,
    memory() {
      const m = tf.memory();
      return { numTensors: m.numTensors, numBytes: m.numBytes };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of [...photos]) p.dispose();
      for (const m of owned) m.dispose();
    },
  };
}

/**
 * Loads the disentangler and the refiner that `capabilities` promise into `models` (both are only weights: nothing
 * runs on the GPU until they are used). What arrives after the editor was disposed is disposed at once.
 */
async function loadExpressionModels(
  store: ModelStore,
  capabilities: Pick<Capabilities, 'expression' | 'refiner'>,
  models: Models,
  owned: { dispose(): void }[],
  disposed: () => boolean,
): Promise<void> {
  const [disentangler, refiner, stockMouth, texture] = await settleAll([
    capabilities.expression ? createDisentangler(store) : Promise.resolve(null),
    capabilities.refiner ? createRefiner(store) : Promise.resolve(null),
    capabilities.expression ? loadStockMouth(store) : Promise.resolve(null),
    capabilities.refiner && (await store.has(TEXTURE_PATH)) ? createTextureModel(store) : Promise.resolve(null),
  ]);
  if (disposed()) {
    disentangler?.dispose();
    refiner?.dispose();
    texture?.dispose();
    return;
  }
  for (const m of [disentangler, refiner, texture]) if (m) owned.push(m);
  models.disentangler = disentangler;
  models.refiner = refiner;
  models.texture = texture;
  models.stockMouth = stockMouth;
}

const STOCK_MOUTH_PATH = 'leed/stock-mouth';

/** The stock mouth interior (scripts/make-stock-mouth.ts), or null when the build does not ship one. */
async function loadStockMouth(store: ModelStore): Promise<InteriorSource | null> {
  if (!(await store.has(`${STOCK_MOUTH_PATH}.jpg`))) return null;
  const [bytes, meta] = await Promise.all([
    store.readVerified(`${STOCK_MOUTH_PATH}.jpg`),
    store.readJSON<{ points: Point3[]; whitePoint: [number, number, number] }>(`${STOCK_MOUTH_PATH}.json`),
  ]);
  const decoded = await decodeImage(new Uint8Array(bytes));
  const image: RGBAImage = { width: decoded.width, height: decoded.height, data: decoded.data };
  return { image, points: meta.points, whitePoint: meta.whitePoint };
}

/** Like Promise.all, but on a failure it waits for the others and disposes what they made before rejecting. */
async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  for (const r of results) if (r.status === 'fulfilled') (r.value as { dispose?: () => void } | null)?.dispose?.();
  throw failed.reason;
}

/**
 * One refiner run on a blank crop of its size: its first run compiles its GPU programs (a dozen convolutions and more);
 * and one run of the texture network, on the template face moved a little (its programs do not depend on the points).
 */
async function warmUpRefiner(refiner: Refiner, texture: TextureModel | null): Promise<void> {
  if (texture) {
    const S = texture.config.size;
    const { centre, side } = DEFAULT_CROP;
    const pts = TEMPLATE.map((p) => [((p[0] - centre[0]) / side + 0.5) * S, ((p[1] - centre[1]) / side + 0.5) * S] as Point2);
    const g = texture.gain(
      pts,
      pts.map(([x, y]) => [x, y + 1] as Point2),
    );
    try {
      await g.data();
    } finally {
      g.dispose();
    }
  }
  const S = refiner.size;
  const crop = tf.fill([1, S, S, 3], 0.5) as tf.Tensor4D;
  const mouth = tf.zeros([1, S, S, 1]) as tf.Tensor4D;
  try {
    const { image, mask } = refiner.refineWithMask(crop, mouth);
    try {
      await Promise.all([image.data(), mask.data()]);
    } finally {
      tf.dispose([image, mask]);
    }
  } finally {
    tf.dispose([crop, mouth]);
  }
}

/** Calls `onLost` once if the WebGPU device is lost (no-op on other backends). */
function watchDevice(backend: BackendInfo, onLost: (reason: string) => void): void {
  if (backend.name !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  device?.lost.then(
    (info) => onLost(info.message || info.reason || 'device lost'),
    () => {},
  );
}
