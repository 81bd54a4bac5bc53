/**
 * The UI thread's view of the engine: its types (from the engine's public index), and the few pure
 * values it needs (error codes and messages, file naming). Those come from the two small modules
 * that src/engine/index.ts re-exports, errors.ts and io/encode.ts, because importing any value from
 * the index pulls tfjs (a side-effectful package) into the UI bundle; the engine itself runs in worker.ts.
 */
export { ERROR_MESSAGES, ErrorCode } from '../engine/errors';
export { DEFAULT_JPEG_QUALITY, editedFilename } from '../engine/io/encode';
export type { BackendInfo, Capabilities, FaceBox, OutputFormat, Point3, PresetName, Region } from '../engine/index';
