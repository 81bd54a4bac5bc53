/**
 * What the command-line tools say when the engine fails, by error code: short, for a terminal or a log,
 * with the command-line remedy where there is one. The engine reports only codes and technical details
 * (src/engine/errors.ts); the app words the same codes for the page (src/app/messages.ts).
 */
import { ErrorCode, MAX_PIXELS, MIN_IOD_PX, toEditorError } from '../engine/index';

const CLI_MESSAGES: Record<ErrorCode, string> = {
  [ErrorCode.NOT_AN_IMAGE]: 'not a JPEG, PNG, WebP, GIF or BMP image',
  [ErrorCode.CORRUPT_IMAGE]: 'the image is damaged or incomplete',
  [ErrorCode.IMAGE_TOO_LARGE]: `the image is over the limit of ${MAX_PIXELS / 1e6} megapixels`,
  [ErrorCode.NO_FACE]: 'no face found',
  [ErrorCode.FACE_TOO_SMALL]: `the face is too small to edit: it needs at least ${MIN_IOD_PX} pixels between the eyes`,
  [ErrorCode.FACE_TURNED_AWAY]: 'the face is turned too far from the camera',
  [ErrorCode.MODEL_LOAD]: 'the models could not be loaded; `npm run models` copies them into public/models',
  [ErrorCode.MODEL_INTEGRITY]: 'a model file failed its integrity check; `npm run models` copies them again',
  [ErrorCode.BACKEND]: 'no compute backend could be started',
  [ErrorCode.BAD_ARGUMENT]: 'a bug: the engine was called with an invalid argument',
  [ErrorCode.DISPOSED]: 'a bug: the engine had already released what was asked for',
  [ErrorCode.OUT_OF_MEMORY]: 'out of memory',
  [ErrorCode.GPU_LOST]: 'the GPU device was lost',
  [ErrorCode.INTERNAL]: 'a bug in the engine',
};

/** Any failure as the CLI prints it: the engine's code, and the CLI's words with the engine's detail in parentheses. */
export function cliError(e: unknown): { code: ErrorCode; message: string } {
  const { code, detail } = toEditorError(e);
  const words = CLI_MESSAGES[code] ?? code;
  return { code, message: detail ? `${words} (${detail})` : words };
}
