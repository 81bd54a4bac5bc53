/**
 * Building blocks below the editing API, for tools: evaluation (src/node), training (training/*.ts),
 * benchmarks and scripts. They load the same verified model files as the editor and run the same code,
 * so a figure measured with them is a figure of the product. The app may not import this entry
 * (scripts/check-architecture.mjs): it edits through `./index` only.
 */
import { createFaceDescriber as describer, type FaceDescriber } from './analyse/describe';
import { fetchByteSource, ModelStore, type ByteSource } from './runtime/models';

/** A verified reader of the model folder (a URL, or a reader of its files). */
export function createModelStore(models: string | ByteSource = 'models'): ModelStore {
  return new ModelStore(typeof models === 'function' ? models : fetchByteSource(models));
}

/** The identity-embedding and emotion models of @vladmandic/human (evaluation only; the editor does not load them). */
export function createFaceDescriber(models: string | ByteSource | ModelStore = 'models'): Promise<FaceDescriber> {
  return describer(models instanceof ModelStore ? models : createModelStore(models));
}

export type { ModelStore } from './runtime/models';
export type { FaceDescriber, Emotion } from './analyse/describe';
export { EMOTIONS, cosine } from './analyse/describe';
export type { Similarity } from './types';

// Runtime and analysis
export { initBackend } from './runtime/backend';
export { decodeImage } from './analyse/decode';
export { createFaceMesh } from './analyse/mesh';
export { pixelsToTensor } from './analyse/image-ops';
export { nearestFace } from './analyse/detect';
export { padImage } from './analyse/pad';
export type { FaceAnalysis } from './analyse/analyser';
export { LANDMARK_SETS } from './landmark-sets';
export { addScaled, cross3, dot3, dotShapes, meanShape, sub3, subShapes, unit3 } from './points';

// The canonical frame
export {
  applySimilarity,
  eyeCentres,
  fitSimilarity,
  fromCanonical,
  interOcular,
  invertSimilarity,
  nme,
  STABLE_POINTS,
  TEMPLATE,
  toCanonical,
} from './analyse/manifold';

// Expression: the disentangler, presets and retargeting
export { createDisentangler } from './expression/disentangle';
export {
  BROW_POINTS,
  correctNeutral,
  faceMeasures,
  INNER_LIP_PAIRS,
  loadPresets,
  MEASURE_NAMES,
  PRESETS_PATH,
  regionWeights,
  retarget,
  targetCanonical,
} from './expression/target';
export type { FaceMeasures, NeutralStats } from './expression/target';
export { composeUnits, decomposeUnits, fittedUnits, unitField } from './expression/units';

// Rendering: the render session with a tool's own refiner, crops, samplers, mouth masks
export { applyPatch, createRenderSession } from './render/session';
export type { RenderPatch, RenderSession } from './render/session';
export { createRefiner } from './render/refine';
export type { Refiner } from './render/refine';
export { alignedCropRect, applyAffine, cropPixelToImage, cropTransformParams, DEFAULT_CROP, invertAffine } from './render/aligned-crop';
export { textureTarget } from './render/texture-scope';
export type { AlignedCropRect } from './render/aligned-crop';
export { cropGeometry } from './render/composite';
export { createSampler } from './render/sampler';
export type { Sampler } from './render/sampler-types';
export type { FlowGrid, Rect } from './render/warp';
export { flowGrid, warpRegion, warpSource } from './render/warp';
export { innerMouthMask, newOpeningWeight } from './render/mouth-mask';
export { curveAt, frameU, frameV, mouthFrame } from './render/mouth-frame';
export { scleraWhite, whitePoint } from './render/mouth-photo';
export { mouthTraits, pickStock } from './render/stock-mouths';
export type { StockMouth } from './render/stock-mouths';
