/**
 * The UI thread's view of the engine: its types, error codes and messages, and file naming. Only
 * pure values come in here, so the UI bundle never contains tfjs (the engine itself runs in worker.ts).
 */
export { DEFAULT_JPEG_QUALITY, editedFilename, ERROR_MESSAGES, ErrorCode } from '../engine/index';
export type { BackendInfo, Capabilities, FaceBox, OutputFormat, Point3, PresetName, Region } from '../engine/index';
