/** Shared test setup: the real engine on the tfjs CPU backend, models read from public/models. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, type Editor, type EditorOptions } from '../src/engine/index';
import { createModelStore, LANDMARK_SETS, type ModelStore } from '../src/engine/tools';
import { insidePolygon } from '../src/engine/render/warp';
import type { Point3 } from '../src/engine/types';
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

/** Two patches of one region (RGBA, placed at x, y). */
interface Placed {
  x: number;
  y: number;
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Mean |RGB difference| of each pixel of `a` and `b` inside the face oval of `target` (image pixels), unsorted. */
export function faceDiffs(a: Placed, b: Placed, target: readonly Point3[]): number[] {
  const xs = LANDMARK_SETS.faceOval.map((k) => target[k][0]);
  const ys = LANDMARK_SETS.faceOval.map((k) => target[k][1]);
  const out: number[] = [];
  for (let y = a.y; y < a.y + a.height; y++)
    for (let x = a.x; x < a.x + a.width; x++) {
      if (!insidePolygon(xs, ys, x, y)) continue;
      const i = ((y - a.y) * a.width + x - a.x) * 4;
      out.push((Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2])) / 3);
    }
  return out;
}
