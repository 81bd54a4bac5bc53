/**
 * The engine's editing API: `createEditor` → `editor.open(photo)` → `photo.faces` → `face.edit(reference)` →
 * `edit.render(...)`, the plain types that cross boundaries, and the error codes. The app, the worker and the CLI
 * use this entry only. Building blocks below the editing API (models, calculators, the render session) are in
 * `./tools`, for evaluation, training, benchmarks and scripts; the app may not import them
 * (scripts/check-architecture.mjs).
 */
export { createEditor } from './edit/editor';
export type { Capabilities, Edit, EditOptions, Editor, EditorOptions, Face, Patch, Photo, Reference, RenderOptions, SamplerKind } from './edit/types';
export { EditorError, ErrorCode, isEditorError, toEditorError } from './errors';
export type { FaceBox, FaceLandmarks, Point2, Point3, RGBAImage, TrackedFrame } from './types';
export type { BackendInfo, BackendName } from './runtime/backend';
export type { ByteSource, ProgressCallback } from './runtime/models';
export type { ImageInput } from './analyse/decode';
export { MAX_PIXELS } from './analyse/decode';
export { MIN_IOD_PX, MAX_TURN_DEG } from './analyse/analyser';
export { PRESET_NAMES, REGIONS } from './expression/target';
export type { PresetName, Region } from './expression/target';
export { UNIT_GROUPS, UNIT_NAMES, UNITS, unitByName } from './expression/units';
export type { UnitGroup, UnitInfo, UnitName, UnitValues } from './expression/units';
export { EXPRESSION_FORMAT, expressionToJSON, parseExpression } from './expression/saved';
export type { Expression } from './expression/saved';
export { DEFAULT_JPEG_QUALITY, editedFilename, encodeImage, mimeType } from './io/encode';
export type { OutputFormat } from './io/encode';
