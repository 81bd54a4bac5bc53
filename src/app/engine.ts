/**
 * The UI thread's view of the engine, through its public index: types, error codes (worded by
 * messages.ts), file naming and the action units' table. Only these pure values are used here; vite.config.ts marks the
 * engine's own modules side-effect free, so the UI bundle leaves out the rest of the engine and tfjs
 * (which run in worker.ts).
 */
export { DEFAULT_JPEG_QUALITY, ErrorCode, editedFilename, UNIT_GROUPS, UNIT_NAMES, UNITS } from '../engine/index';
export type {
  BackendInfo,
  BackendName,
  Capabilities,
  FaceBox,
  OutputFormat,
  Point3,
  PresetName,
  Region,
  UnitGroup,
  UnitName,
  UnitValues,
} from '../engine/index';
