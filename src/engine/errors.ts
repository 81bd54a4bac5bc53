/** Every failure the engine reports to its callers. The UI maps codes to messages; nobody matches on text. */
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

export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  [ErrorCode.NOT_AN_IMAGE]: 'This file is not an image. Please choose a JPEG, PNG, WebP, GIF or BMP photo.',
  [ErrorCode.CORRUPT_IMAGE]: 'This image is damaged or incomplete and cannot be read. Try exporting it again.',
  [ErrorCode.IMAGE_TOO_LARGE]: 'This image is too large to edit in the browser (the limit is 100 megapixels).',
  [ErrorCode.NO_FACE]:
    'No face was found in this photo. Try a photo where the face is clearly visible and upright. If the face is small in a large photo, crop the photo closer around it.',
  [ErrorCode.FACE_TOO_SMALL]:
    'The face is too small to edit well: it needs to be at least 40 pixels wide in the photo (16 pixels between the eyes). Try a larger photo, or one where the face fills more of the picture.',
  [ErrorCode.FACE_TURNED_AWAY]: 'The face is turned too far away from the camera to edit. Try a more frontal photo.',
  [ErrorCode.MODEL_LOAD]: 'The face models could not be loaded. Reload the page to try again.',
  [ErrorCode.MODEL_INTEGRITY]: 'A model file failed its integrity check and was not used. Reload the page to try again.',
  [ErrorCode.BACKEND]: 'No compute backend could be started on this device.',
  [ErrorCode.BAD_ARGUMENT]: 'The editor was called with an invalid argument.',
  [ErrorCode.DISPOSED]: 'The editor was closed.',
  [ErrorCode.OUT_OF_MEMORY]: 'This device ran out of memory for the edit. Try a smaller photo.',
  [ErrorCode.GPU_LOST]: 'The graphics device stopped responding. The editor restarts its engine; your photo is kept.',
  [ErrorCode.INTERNAL]: 'Something went wrong inside the editor. Please try again; if it happens again, reload the page.',
};

export class EditorError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ERROR_MESSAGES[code]} (${detail})` : ERROR_MESSAGES[code], options);
    this.name = 'EditorError';
    this.code = code;
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
