/**
 * The engine's public API: everything outside src/engine (app, worker, Node tools, scripts, training)
 * imports from here and nowhere else. The editing API is `createEditor` (edit.ts); the rest are the
 * plain types that cross boundaries, the error codes, and the few calculators and models that tools
 * (evaluation, training, benchmarks) use directly.
 */
export { createEditor } from './edit';
export type { Capabilities, Edit, EditOptions, Editor, EditorOptions, Face, Patch, Photo, Reference, RenderOptions, SamplerKind } from './edit';
export { EditorError, ErrorCode, ERROR_MESSAGES, isEditorError, toEditorError } from './errors';
export type { CanonicalLandmarks, DecodedImage, FaceBox, FaceLandmarks, Point2, Point3, RGBAImage, Similarity } from './types';
export type { BackendInfo, BackendName } from './runtime/backend';
export type { ByteSource, ProgressCallback } from './runtime/models';
export type { ImageInput } from './analyse/decode';
export { MAX_PIXELS } from './analyse/decode';
export { MIN_IOD_PX, MAX_TURN_DEG, DEFAULT_ANALYSIS_MAX_SIDE } from './analyse/analyser';
export { PRESET_NAMES, REGIONS } from './expression/target';
export type { PresetName, Region } from './expression/target';
export { editedFilename, mimeType, DEFAULT_JPEG_QUALITY } from './io/encode';
export type { OutputFormat } from './io/encode';
export { applyPatch } from './render/session';
export type { RenderPatch } from './render/session';

// ---- For tools (evaluation, training, benchmarks, scripts): building blocks below the editing API ----
export { createModelStore, createFaceDescriber } from './tools';
export type { ModelStore } from './runtime/models';
export type { FaceDescriber, Emotion } from './analyse/describe';
export { EMOTIONS, cosine } from './analyse/describe';
export {
  fromCanonical,
  toCanonical,
  invertSimilarity,
  interOcular,
  nme,
  TEMPLATE,
  STABLE_POINTS,
  eyeCentres,
  fitSimilarity,
  applySimilarity,
} from './analyse/manifold';
export { LANDMARK_SETS } from './landmark-sets';
export { decodeImage } from './analyse/decode';
export { encodeImage } from './io/encode';
export { initBackend } from './runtime/backend';
export { createFaceMesh } from './analyse/mesh';
export type { FaceMesh } from './analyse/mesh';
export { pixelsToTensor } from './analyse/image-ops';
export { createDisentangler } from './expression/disentangle';
export type { Disentangler } from './expression/disentangle';
export {
  loadPresets,
  correctNeutral,
  closeLips,
  faceMeasures,
  MEASURE_NAMES,
  INNER_LIP_PAIRS,
  retarget,
  targetCanonical,
  regionWeights,
  BROW_POINTS,
  PRESETS_PATH,
} from './expression/target';
export type { Presets, NeutralStats, FaceMeasures, RegionMask } from './expression/target';
// Node tools (src/node, scripts, training/*.ts): padded analysis, the render session with a tool's own refiner, mouth masks
export { nearestFace } from './analyse/detect';
export { padImage } from './analyse/pad';
export type { FaceAnalysis } from './analyse/analyser';
export { createRenderSession } from './render/session';
export type { RenderSession, RenderSessionOptions } from './render/session';
export { createRefiner, REFINER_PATH } from './render/refine';
export type { Refiner, RefinerResult } from './render/refine';
export { alignedCropRect, applyAffine, cropTransformParams, DEFAULT_CROP } from './render/aligned-crop';
export type { AlignedCropRect, CropSpec } from './render/aligned-crop';
export { innerMouthMask, newOpeningWeight } from './render/mouth-mask';
export { curveAt, frameU, frameV, mouthFrame, whitePoint } from './render/mouth-interior';
export { createSampler } from './render/sampler';
export type { CropGeometry, CropSampler, Sampler } from './render/sampler';
export { cropGeometry } from './render/composite';
export type { FlowGrid, Rect } from './render/warp';
