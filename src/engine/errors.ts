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
}

export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  [ErrorCode.NOT_AN_IMAGE]: 'This file is not an image. Please choose a JPEG, PNG, WebP, GIF or BMP photo.',
  [ErrorCode.CORRUPT_IMAGE]: 'This image is damaged or incomplete and cannot be read. Try exporting it again.',
  [ErrorCode.IMAGE_TOO_LARGE]: 'This image is too large to edit in the browser (the limit is 100 megapixels).',
  [ErrorCode.NO_FACE]: 'No face was found in this photo. Try a photo where the face is clearly visible and upright.',
  [ErrorCode.FACE_TOO_SMALL]: 'The face is too small to edit well. Try a photo where the face is larger (at least 64 pixels across).',
  [ErrorCode.FACE_TURNED_AWAY]: 'The face is turned too far away from the camera to edit. Try a more frontal photo.',
  [ErrorCode.MODEL_LOAD]: 'The face models could not be loaded. Reload the page to try again.',
  [ErrorCode.MODEL_INTEGRITY]: 'A model file failed its integrity check and was not used. Reload the page to try again.',
  [ErrorCode.BACKEND]: 'No compute backend could be started on this device.',
  [ErrorCode.BAD_ARGUMENT]: 'The editor was called with an invalid argument.',
  [ErrorCode.DISPOSED]: 'The editor was closed.',
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
