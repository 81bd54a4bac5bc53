/**
 * Error wording lives with who shows it: the app's messages (src/app/messages.ts) and the command line's
 * (src/node/cli-messages.ts) cover every engine error code and quote the engine's own limits; the
 * engine's errors carry only the code and a technical detail.
 */
import { describe, expect, it } from 'vitest';
import { toAppError } from '../src/app/app-error';
import { ERROR_MESSAGES } from '../src/app/messages';
import { MIN_FACE_WIDTH_PX, MIN_IOD_PX } from '../src/engine/analyse/analyser';
import { MAX_PIXELS } from '../src/engine/analyse/decode';
import { EditorError, ErrorCode, toEditorError } from '../src/engine/errors';
import { cliError } from '../src/node/cli-messages';

const CODES = Object.values(ErrorCode);

describe('error wording', () => {
  it("the engine's errors are the code and the detail, with no advice for a user", () => {
    for (const code of CODES) {
      const e = new EditorError(code, 'what failed');
      expect(e).toMatchObject({ code, detail: 'what failed', message: `${code}: what failed` });
      expect(new EditorError(code).message).toBe(code);
      expect(e.message).not.toMatch(/reload|try again|please/i);
    }
    expect(toEditorError(new RangeError('Array buffer allocation failed'))).toMatchObject({ code: 'OUT_OF_MEMORY', detail: 'Array buffer allocation failed' });
  });

  it('the app has a message for every code; the sizes it quotes are the engine limits', () => {
    for (const code of CODES) expect(ERROR_MESSAGES[code], code).toMatch(/^[A-Z].*\.$/);
    expect(ERROR_MESSAGES[ErrorCode.FACE_TOO_SMALL]).toContain(`at least ${MIN_FACE_WIDTH_PX} pixels wide`);
    expect(ERROR_MESSAGES[ErrorCode.FACE_TOO_SMALL]).toContain(`${MIN_IOD_PX} pixels between the eyes`);
    expect(ERROR_MESSAGES[ErrorCode.IMAGE_TOO_LARGE]).toContain(`${MAX_PIXELS / 1e6} megapixels`);
    expect(ERROR_MESSAGES[ErrorCode.NO_FACE]).toContain('crop the photo closer');
  });

  it("a worker's failure is shown with the app's message, the engine's detail kept for the tooltip", () => {
    const fromWorker = { name: 'EditorError', code: 'NOT_AN_IMAGE', detail: 'no known image signature' };
    expect(toAppError(fromWorker)).toEqual({ code: 'NOT_AN_IMAGE', message: ERROR_MESSAGES.NOT_AN_IMAGE, detail: 'no known image signature' });
  });

  it('the command line has its own words for every code, for a terminal (nothing about a page)', () => {
    for (const code of CODES) {
      const { message } = cliError(new EditorError(code, 'detail'));
      expect(message, code).toMatch(/^[a-z].* \(detail\)$/);
      expect(message, code).not.toMatch(/page|browser|click/i);
      expect(message).not.toBe(ERROR_MESSAGES[code]);
    }
    expect(cliError(new EditorError(ErrorCode.FACE_TOO_SMALL, '9 px between the eyes, 16 needed'))).toEqual({
      code: 'FACE_TOO_SMALL',
      message: `the face is too small to edit: it needs at least ${MIN_IOD_PX} pixels between the eyes (9 px between the eyes, 16 needed)`,
    });
    expect(cliError(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'a bug in the engine (boom)' });
  });
});
