/** Shared test setup: the real engine on the tfjs CPU backend, models read from public/models. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, type Editor, type EditorOptions } from '../src/engine/index';
import { createModelStore, type ModelStore } from '../src/engine/tools';
import { fileByteSource, ROOT } from '../src/node/platform';

const SAMPLE = join(ROOT, 'public', 'samples', 'astronaut.png');
export const sampleBytes = (): Uint8Array => new Uint8Array(readFileSync(SAMPLE));

export function cpuEditor(options: EditorOptions = {}): Promise<Editor> {
  return createEditor({ backends: ['cpu'], models: fileByteSource(), ...options });
}

/** The verified model files, for tests of single stages (refiner, disentangler, presets). */
export function cpuStore(): ModelStore {
  return createModelStore(fileByteSource());
}
