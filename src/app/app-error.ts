/** Errors as the UI shows them: the engine's code, the app's message for that code (messages.ts), the detail for the tooltip. */
import { ErrorCode } from './engine';
import { ERROR_MESSAGES } from './messages';
import type { WorkerError } from './protocol';

export interface AppError {
  code: ErrorCode;
  /** The user-facing text, from the app's ERROR_MESSAGES. */
  message: string;
  /** The engine's detail (for the tooltip / console), never used for branching. */
  detail: string;
}

export function appError(code: ErrorCode, detail: string): AppError {
  return { code, message: ERROR_MESSAGES[code], detail };
}

/** A failure from the worker (a WorkerError) by its code; anything without a known code is INTERNAL, its text the detail. */
export function toAppError(e: unknown): AppError {
  const w = e as Partial<WorkerError> | undefined;
  const known = w && typeof w === 'object' && typeof w.code === 'string' && w.code in ERROR_MESSAGES;
  if (known) return appError(w.code as ErrorCode, typeof w.detail === 'string' ? w.detail : '');
  const message = e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : String(e);
  return appError(ErrorCode.INTERNAL, message);
}
