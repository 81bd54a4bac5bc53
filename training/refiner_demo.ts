/**
 * Before/after figure of the refiner on the astronaut sample (public domain; never a dataset photo):
 * the mouth opened by the warp alone, and by the warp + refiner, through the real render session.
 *
 *   npx tsx training/refiner_demo.ts [docs/refiner-astronaut.png]
 *
 * Panels (aligned crop at 256 px, from the full-resolution renders): original | warp only |
 * warp + refiner | attention mask A (white = warped pixel kept, black = painted).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import { cropTransformParams } from '../src/engine/composite';
import { createEditor } from '../src/engine/editor';
import { createRefiner } from '../src/engine/refine';
import type { RGBAImage } from '../src/engine/types';
import { fileByteSource, ROOT } from '../src/node/platform';
import { renderMouthOpen } from '../tests/refine-helpers';

const OUT = process.argv[2] ?? join(ROOT, 'docs', 'refiner-astronaut.png');
const D = 256;

async function main(): Promise<void> {
  const editor = await createEditor({ backends: ['cpu'], modelSource: fileByteSource() });
  const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, 'public', 'samples', 'astronaut.png'))));
  const face = await photo.face(0);
  const refiner = await createRefiner(editor.store);
  const res = await renderMouthOpen(photo.image, face, refiner, 0.3);
  const params = tf.tensor2d([cropTransformParams(res.rect, D)], [1, 8]);
  const panel = (img: RGBAImage): Float32Array => tf.tidy(() => {
    const t = tf.cast(tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 4], 'int32'), 'float32');
    const rgb = tf.expandDims(tf.slice(t, [0, 0, 0], [img.height, img.width, 3]), 0) as tf.Tensor4D;
    return tf.image.transform(rgb, params, 'bilinear', 'nearest', 0, [D, D]).dataSync() as Float32Array;
  });
  const S = res.size;
  const mask = tf.tidy(() => {
    const m = tf.tensor4d(res.mask, [1, S, S, 1]);
    return tf.mul(tf.image.resizeBilinear(m, [D, D]), 255).dataSync() as Float32Array;
  });
  const panels = [panel(photo.image), panel(res.warpOnly), panel(res.withRefiner), Float32Array.from({ length: D * D * 3 }, (_, i) => mask[Math.floor(i / 3)])];
  params.dispose();
  const gap = 4;
  const png = new PNG({ width: panels.length * D + (panels.length - 1) * gap, height: D });
  png.data.fill(255);
  panels.forEach((p, k) => {
    for (let y = 0; y < D; y++) for (let x = 0; x < D; x++) {
      const o = (y * png.width + k * (D + gap) + x) * 4;
      for (let c = 0; c < 3; c++) png.data[o + c] = Math.max(0, Math.min(255, Math.round(p[(y * D + x) * 3 + c])));
      png.data[o + 3] = 255;
    }
  });
  writeFileSync(OUT, PNG.sync.write(png));
  console.log(`wrote ${OUT}`);
  refiner.dispose();
  photo.dispose();
  editor.dispose();
}

main().catch((e) => { console.error(e); process.exit(1); });
