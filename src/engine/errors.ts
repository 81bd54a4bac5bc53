/** Every failure the engine reports to its callers. Callers map codes to their own wording; nobody matches on text. */
export enum ErrorCode {
  NOT_AN_IMAGE = 'NOT_AN_IMAGE',
  CORRUPT_IMAGE = 'CORRUPT_IMAGE',
  IMAGE_TOO_LARGE = 'IMAGE_TOO_LARGE',
  NO_FACE = 'NO_FACE',
  FACE_TOO_SMALL = 'FACE_TOO_SMALL',
  FACE_TURNED_AWAY = 'FACE_TURNED_AWAY',
  MODEL_LOAD = 'MODEL_LOAD',
  MODEL_INTEGRITY = 'MODEL_INTEGRITY',
  BACKEND = 'BACKEND',
  BAD_ARGUMENT = 'BAD_ARGUMENT',
  DISPOSED = 'DISPOSED',
  /** The device ran out of memory for this photo (a smaller photo, or another backend, may work). */
  OUT_OF_MEMORY = 'OUT_OF_MEMORY',
  /** The GPU device was lost (driver reset, another tab, sleep): the engine must be restarted. */
  GPU_LOST = 'GPU_LOST',
  /** A failure inside the engine that is none of the above: a bug, reported as such. */
  INTERNAL = 'INTERNAL',
}

/**
 * An engine failure: `code` says what kind (callers branch on it and word it for their users: the app in
 * src/app/messages.ts, the command line in src/node/cli-messages.ts), `detail` what exactly failed, in
 * technical terms for logs and tooltips. The message is `CODE: detail`, never advice for a user.
 */
export class EditorError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  constructor(code: ErrorCode, detail = '', options?: { cause?: unknown }) {
    super(detail ? `${code}: ${detail}` : code, options);
    this.name = 'EditorError';
    this.code = code;
    this.detail = detail;
  }
}

export function isEditorError(e: unknown): e is EditorError {
  return e instanceof EditorError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'EditorError' && 'code' in e);
}

/**
 * Any failure as an EditorError: EditorErrors pass through; a failure while the GPU device is known to be
 * lost is GPU_LOST; an allocation failure (RangeError from typed arrays or WebAssembly memory, or an
 * out-of-memory report by the GPU) is OUT_OF_MEMORY; anything else is INTERNAL, with the original as `cause`.
 */
export function toEditorError(e: unknown, context: { gpuLost?: boolean } = {}): EditorError {
  if (isEditorError(e)) return e as EditorError;
  const message = e instanceof Error ? e.message : String(e);
  if (context.gpuLost) return new EditorError(ErrorCode.GPU_LOST, message, { cause: e });
  const oom = e instanceof RangeError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'GPUOutOfMemoryError');
  if (oom) return new EditorError(ErrorCode.OUT_OF_MEMORY, message, { cause: e });
  return new EditorError(ErrorCode.INTERNAL, message, { cause: e });
}
