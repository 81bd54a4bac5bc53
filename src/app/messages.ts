/**
 * What the app says when the engine fails, by error code. The engine reports only codes and technical
 * details (src/engine/errors.ts); the words a user reads, and the advice for the page (reload it,
 * choose another photo), belong here. tests/app-messages.test.ts checks the sizes they quote against
 * the engine's limits.
 */
import { ErrorCode } from './engine';

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

/** A file that is not a saved expression (`detail`: the engine's words for what is wrong); nothing was changed. */
export function expressionFileMessage(detail: string): string {
  const why = detail.replace(/^not a saved expression: /, '');
  return `This file is not a saved expression of this editor (${why}). Nothing was changed: your photo and edit are as they were.`;
}

/** The browser would not store a saved expression (storage full or blocked): it lasts until the page closes. */
export const EXPRESSION_NOT_STORED =
  'The expression could not be kept in this browser (its storage is full or blocked): it is listed until you close the page. Export it to keep it.';
