/**
 * The editor's models and when they load: `startModels` loads what opening a photo needs (the face detector and
 * mesh, and the small presets file, read for the capabilities) and starts the rest in the background (the
 * disentangler, the refiner, the expression texture and the stock mouths: only weights, no GPU work until they run),
 * and the warm-ups that compile each network's GPU programs before its first real use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Analyser, createAnalyser, DEFAULT_ANALYSIS_MAX_SIDE, warmUpAnalysis } from '../analyse/analyser';
import { decodeImage } from '../analyse/decode';
import { createFaceDetector } from '../analyse/detect';
import { TEMPLATE } from '../analyse/manifold';
import { createFaceMesh } from '../analyse/mesh';
import { createDisentangler, DISENTANGLER_PATH, type Disentangler } from '../expression/disentangle';
import { loadPresets, PRESETS_PATH, REGIONS, type Presets } from '../expression/target';
import { DEFAULT_CROP } from '../render/aligned-crop';
import { createRefiner, REFINER_PATH, type Refiner } from '../render/refine';
import type { MouthTraits, StockMouth } from '../render/stock-mouths';
import { createTextureModel, TEXTURE_PATH, type TextureModel } from '../render/texture';
import type { ModelStore, ProgressCallback } from '../runtime/models';
import type { Point2, Point3, RGBAImage } from '../types';
import type { Capabilities, EditorOptions } from './types';

export interface Models {
  refiner: Refiner | null;
  /** The expression-texture gain (render/texture.ts), when shipped; used with the refiner. */
  texture: TextureModel | null;
  disentangler: Disentangler | null;
  presets: Presets | null;
  /** The insides of smiling mouths, for presets that open a closed mouth (leed/stock-mouths.json); empty when none is shipped. */
  stockMouths: readonly StockMouth[];
}

/** What `startModels` leaves running. */
export interface Startup {
  /** Decided from the model manifest (presets still empty: they are known once the presets file is read). */
  capabilities: Capabilities;
  analyser: Analyser;
  /** The expression models' load (rejects with its error; handled). */
  expressionLoad: Promise<void>;
  /** The detector's and mesh's warm-up (resolved at once without warm-up; rejects with its error; handled). */
  warm: Promise<void>;
}

/**
 * Loads the face detector and mesh (and the presets file) into `models` and `owned`, and starts the expression
 * models' load and the face models' warm-up in the background (`guard` wraps each). What is loaded after the editor
 * was `disposed` is disposed at once.
 */
export async function startModels(
  store: ModelStore,
  options: EditorOptions,
  progress: ProgressCallback,
  models: Models,
  owned: { dispose(): void }[],
  guard: <T>(fn: () => Promise<T>) => Promise<T>,
  disposed: () => boolean,
): Promise<Startup> {
  progress(0.05, 'Loading the face detector and mesh');
  const [hasDis, hasPresets, hasRefiner] = await Promise.all([store.has(DISENTANGLER_PATH), store.has(PRESETS_PATH), store.has(REFINER_PATH)]);
  // Decided from the manifest, before the weights arrive; a load that fails later fails the edits that need it.
  const capabilities: Capabilities = { expression: hasDis, presets: [], regions: Object.freeze(hasDis ? [...REGIONS] : []), refiner: hasDis && hasRefiner };
  const expressionLoad = guard(() => loadExpressionModels(store, capabilities, models, owned, disposed));
  expressionLoad.catch(() => {}); // reported by the edits (and `loaded`), not as an unhandled rejection
  const [detector, mesh, presets] = await settleAll([
    createFaceDetector(store, options.detector),
    createFaceMesh(store),
    hasDis && hasPresets ? loadPresets(store) : Promise.resolve(null),
  ]);
  owned.push(detector, mesh);
  models.presets = presets;
  const analyser = createAnalyser(detector, mesh, options.analysisMaxSide ?? DEFAULT_ANALYSIS_MAX_SIDE);
  const warm = (options.warmUp ?? true) ? guard(() => warmUpAnalysis(detector, mesh)) : Promise.resolve();
  warm.catch(() => {}); // `open` goes on without it (and `loaded` reports it)
  return { capabilities, analyser, expressionLoad, warm };
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
  const [disentangler, refiner, stockMouths, texture] = await settleAll([
    capabilities.expression ? createDisentangler(store) : Promise.resolve(null),
    capabilities.refiner ? createRefiner(store) : Promise.resolve(null),
    capabilities.expression ? loadStockMouths(store) : Promise.resolve([]),
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
  models.stockMouths = stockMouths;
}

const STOCK_MOUTHS_PATH = 'leed/stock-mouths.json';

/** One stock mouth's entry in leed/stock-mouths.json (scripts/make-stock-mouth.ts); `image`: its JPEG, beside it. */
interface StockMouthEntry {
  id: string;
  image: string;
  points: Point3[];
  whitePoint: [number, number, number];
  sclera?: [number, number, number];
  traits: MouthTraits;
}

/** The stock mouths (scripts/make-stock-mouth.ts), or none when the build does not ship them. */
async function loadStockMouths(store: ModelStore): Promise<StockMouth[]> {
  if (!(await store.has(STOCK_MOUTHS_PATH))) return [];
  const { mouths } = await store.readJSON<{ mouths: StockMouthEntry[] }>(STOCK_MOUTHS_PATH);
  return Promise.all(
    mouths.map(async (m) => {
      const decoded = await decodeImage(new Uint8Array(await store.readVerified(`leed/${m.image}`)));
      const image: RGBAImage = { width: decoded.width, height: decoded.height, data: decoded.data };
      return { id: m.id, image, points: m.points, whitePoint: m.whitePoint, sclera: m.sclera, traits: m.traits };
    }),
  );
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
export async function warmUpRefiner(refiner: Refiner, texture: TextureModel | null): Promise<void> {
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
