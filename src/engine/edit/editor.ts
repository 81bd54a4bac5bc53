/**
 * The engine's editing API, the only door into the engine (re-exported by index.ts): `createEditor` and the
 * Editor handle. The handles below it are in photo.ts (Photo), face.ts (Face) and edit.ts (Edit); their types, and
 * how they are used, in types.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageInput } from '../analyse/decode';
import { EditorError, ErrorCode, toEditorError } from '../errors';
import { PRESET_NAMES } from '../expression/target';
import { initBackend, type BackendInfo } from '../runtime/backend';
import { fetchByteSource, ModelStore, type ProgressCallback } from '../runtime/models';
import type { RGBAImage } from '../types';
import type { EditorContext } from './context';
import { type Models, type Startup, startModels, warmUpRefiner } from './models';
import { createPhoto } from './photo';
import type { Capabilities, Editor, EditorOptions, Photo } from './types';

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

  const store = new ModelStore(typeof options.models === 'function' ? options.models : fetchByteSource(options.models ?? 'models'));
  const owned: { dispose(): void }[] = [];
  let disposed = false;
  // createEditor resolves once the detector and the mesh are loaded (and the small presets file, read for
  // `capabilities`). Their warm-up, the first run that compiles every GPU program of both networks (most of the
  // start-up on a GPU backend), goes on in the background, and `open` waits for it; the disentangler and the refiner
  // load meanwhile (only weights: no GPU work until they run) and an edit waits for them. `loaded` says when all is in.
  const models: Models = { refiner: null, texture: null, disentangler: null, presets: null, stockMouths: [] };
  let start: Startup;
  try {
    start = await guard(() => startModels(store, options, progress, models, owned, guard, () => disposed));
  } catch (e) {
    disposed = true;
    for (const m of owned) m.dispose();
    throw e;
  }
  const { analyser, expressionLoad, warm } = start;
  const capabilities: Capabilities = Object.freeze({
    ...start.capabilities,
    presets: Object.freeze(models.presets ? PRESET_NAMES.filter((n) => models.presets!.names.includes(n)) : []),
  });
  const loading = loadProgress(progress, warm, expressionLoad, options.warmUp ?? true, () => disposed);
  const photos = new Set<Photo>();
  const ctx: EditorContext = {
    options,
    capabilities,
    models,
    guard,
    live() {
      if (disposed) throw new EditorError(ErrorCode.DISPOSED);
    },
    /** The expression models (waits for their load; rejects with its error). */
    async expressionModels() {
      await expressionLoad;
      return models;
    },
    warmRefinerSoon: refinerWarmer(capabilities, options, models, loading, () => disposed || gpuLost),
  };

  function open(input: ImageInput | RGBAImage): Promise<Photo> {
    return guard(async () => {
      ctx.live();
      await warm.catch(() => {}); // it compiles what this photo needs; a failed one is tried again by the photo itself
      ctx.live();
      const analysed = await analyser.open(input);
      const photo = createPhoto(ctx, analysed, () => photos.delete(photo));
      photos.add(photo);
      return photo;
    });
  }

  return {
    backend,
    capabilities,
    loaded: loading.loaded,
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

/** The load progress that goes on after createEditor resolves, and `Editor.loaded`. */
interface LoadProgress {
  /** Every model loaded and the face models warmed up (rejects with the first failure; handled). */
  readonly loaded: Promise<void>;
  /** Reports the refiner's warm-up (`run`) while it runs, then where the loading stands. */
  refinerWarmUp(run: () => Promise<void>): Promise<void>;
}

/**
 * Reports what still loads ("Preparing the face models" until `warm`, "Preparing the expression models" until
 * `expressionLoad`, "Preparing the refiner" during its warm-up) and 1 ("Ready") when nothing does.
 */
function loadProgress(progress: ProgressCallback, warm: Promise<void>, expressionLoad: Promise<void>, warmUp: boolean, disposed: () => boolean): LoadProgress {
  let warmed = !warmUp;
  let expressionIn = false;
  let refinerWarming = false;
  const report = () => {
    if (disposed()) return;
    if (!warmed) progress(0.5, 'Preparing the face models');
    else if (!expressionIn) progress(0.8, 'Preparing the expression models');
    else progress(1, 'Ready');
  };
  const after = (p: Promise<void>, mark: () => void) =>
    p.then(mark, mark).then(() => {
      if (!refinerWarming) report();
    });
  after(warm, () => {
    warmed = true;
  });
  after(expressionLoad, () => {
    expressionIn = true;
  });
  const loaded = Promise.all([warm, expressionLoad]).then(() => {});
  loaded.catch(() => {});
  report();
  return {
    loaded,
    async refinerWarmUp(run) {
      refinerWarming = true;
      progress(0.9, 'Preparing the refiner');
      try {
        await run();
      } finally {
        refinerWarming = false;
        report();
      }
    },
  };
}

/**
 * The refiner's first run compiles many GPU programs: done once, in the background, after the first face is found
 * and everything else has loaded (not competing with the analysis warm-up); skipped once the editor is `stopped`.
 */
function refinerWarmer(capabilities: Capabilities, options: EditorOptions, models: Models, loading: LoadProgress, stopped: () => boolean): () => void {
  let refinerWarm: Promise<void> | null = null;
  return () => {
    if (refinerWarm || !capabilities.refiner || !(options.warmUp ?? true)) return;
    refinerWarm = (async () => {
      await loading.loaded;
      const { refiner, texture } = models;
      if (stopped() || !refiner) return;
      await loading.refinerWarmUp(() => warmUpRefiner(refiner, texture));
    })();
    refinerWarm.catch(() => {}); // a failure here shows again on the first render
  };
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
