import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Editor } from '../src/engine/index';
import { decodeImage } from '../src/engine/analyse/decode';
import { nme } from '../src/engine/analyse/manifold';
import type { RGBAImage } from '../src/engine/types';
import { cpuEditor, sampleBytes } from './helpers';

let editor: Editor;
beforeAll(async () => {
  editor = await cpuEditor();
});
afterAll(() => editor?.dispose());

/** Nearest-neighbour upscale by an integer factor. */
function upscale(img: RGBAImage, k: number): RGBAImage {
  const w = img.width * k;
  const h = img.height * k;
  const src = new Uint32Array(img.data.buffer, img.data.byteOffset, img.width * img.height);
  const out = new Uint32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = src.subarray(Math.floor(y / k) * img.width, Math.floor(y / k) * img.width + img.width);
    for (let x = 0; x < w; x++) out[y * w + x] = row[Math.floor(x / k)];
  }
  return { width: w, height: h, data: new Uint8ClampedArray(out.buffer) };
}

describe('very large photos', () => {
  it('analyses a 51-megapixel photo on a downscaled copy and returns landmarks in full-resolution pixels', async () => {
    const small = await decodeImage(sampleBytes());
    const k = 14; // 7168 x 7168
    const big = upscale(small, k);
    const a = await editor.open(small);
    const b = await editor.open(big);
    try {
      expect(b.analysisScale).toBeGreaterThan(1);
      expect(b.faces).toHaveLength(1);
      const fa = await a.face(0);
      const fb = await b.face(0);
      const scaledBack = fb.landmarks.points.map((p) => [(p[0] + 0.5) / k - 0.5, (p[1] + 0.5) / k - 0.5, p[2] / k] as [number, number, number]);
      expect(nme(scaledBack, fa.landmarks.points)).toBeLessThan(3);
      expect(nme(fb.canonical.points, fa.canonical.points, 3)).toBeLessThan(3);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
