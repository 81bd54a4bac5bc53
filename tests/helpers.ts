/** Shared test setup: the real engine on the tfjs CPU backend, models read from public/models. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, type Editor } from '../src/engine/analyse/analyser';
import { fileByteSource, ROOT } from '../src/node/platform';

export const SAMPLE = join(ROOT, 'public', 'samples', 'astronaut.png');
export const sampleBytes = (): Uint8Array => new Uint8Array(readFileSync(SAMPLE));

export function cpuEditor(): Promise<Editor> {
  return createEditor({ backends: ['cpu'], modelSource: fileByteSource() });
}
