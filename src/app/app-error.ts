/** Errors as the UI shows them: the engine's code, the message for that code (ERROR_MESSAGES), the detail for the tooltip. */
import { ERROR_MESSAGES, ErrorCode } from './engine';
import type { WorkerError } from './protocol';

export interface AppError {
  code: ErrorCode;
  /** The user-facing text, from the engine's ERROR_MESSAGES. */
  message: string;
  /** The engine's detail (for the tooltip / console), never used for branching. */
  detail: string;
}

export function appError(code: ErrorCode, detail: string): AppError {
  return { code, message: ERROR_MESSAGES[code], detail };
}

/** A failure from the worker (a WorkerError) by its code; anything without a known code is INTERNAL. */
export function toAppError(e: unknown): AppError {
  const w = e as Partial<WorkerError> | undefined;
  const known = w && typeof w === 'object' && typeof w.code === 'string' && w.code in ERROR_MESSAGES;
  const detail = w && typeof w === 'object' && typeof w.message === 'string' ? w.message : String(e);
  return appError(known ? (w.code as ErrorCode) : ErrorCode.INTERNAL, detail);
}
