/** What the editor's handles (photo.ts, face.ts, edit.ts) share of the editor that made them (editor.ts). */
import type { Models } from './models';
import type { Capabilities, EditorOptions } from './types';

export interface EditorContext {
  readonly options: EditorOptions;
  readonly capabilities: Capabilities;
  /** The models loaded so far (the expression models arrive after createEditor resolves: `expressionModels`). */
  readonly models: Models;
  /** Runs `fn`, its failures as EditorErrors; rejects with GPU_LOST once the device is lost. */
  guard<T>(fn: () => Promise<T>): Promise<T>;
  /** Throws DISPOSED once the editor is disposed. */
  live(): void;
  /** The models once the expression models are loaded (rejects with their load's error). */
  expressionModels(): Promise<Models>;
  /** Starts the refiner's warm-up in the background, once (called when a face is found). */
  warmRefinerSoon(): void;
}
