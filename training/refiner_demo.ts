/**
 * Before/after figure of the refiner on the astronaut sample (public domain; never a dataset photo),
 * through the real render session.
 *
 *   npx tsx training/refiner_demo.ts [docs/refiner-astronaut.png]
 *
 * Row 1, a closed mouth that opens: the sample with its mouth first closed by the warp (a closed-mouth
 * photo made of real pixels), then the "surprise" preset at intensity 1 on that photo (re-analysed from
 * scratch). Row 2: the sample's own open smile opened further (jaw dropped 0.3 IOD). Row 3: row 1 with the
 * inside of the opened mouth replaced by stretched lips (tests/refine-helpers stretchedLips), which is what the
 * warp gives when a fully closed mouth opens (the warp-closed sample still has her teeth squeezed into a line,
 * which row 1 stretches back into teeth); shown at the refiner's crop resolution (128 px, upscaled).
 * Panels (aligned crop at 256 px, from the full-resolution renders): input | warp only |
 * warp + refiner | attention mask A (white = warped pixel kept, black = painted) | the inner-mouth mask
 * the refiner was given.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import { cropTransformParams } from '../src/engine/composite';
import { createDisentangler } from '../src/engine/disentangle';
import { createEditor } from '../src/engine/editor';
import { fromCanonical } from '../src/engine/manifold';
import { createRefiner, type Refiner } from '../src/engine/refine';
import { loadPresets, targetCanonical } from '../src/engine/target';
import type { RGBAImage } from '../src/engine/types';
import { fileByteSource, ROOT } from '../src/node/platform';
import { closedMouthPhoto, renderMouthOpen, renderTarget, stretchedLips, type MouthOpenResult } from '../tests/refine-helpers';

const OUT = process.argv[2] ?? join(ROOT, 'docs', 'refiner-astronaut.png');
const D = 256;
const GAP = 4;

function rowPanels(input: RGBAImage, res: MouthOpenResult): Float32Array[] {
  const params = tf.tensor2d([cropTransformParams(res.rect, D)], [1, 8]);
  const panel = (img: RGBAImage): Float32Array => tf.tidy(() => {
    const t = tf.cast(tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 4], 'int32'), 'float32');
    const rgb = tf.expandDims(tf.slice(t, [0, 0, 0], [img.height, img.width, 3]), 0) as tf.Tensor4D;
    return tf.image.transform(rgb, params, 'bilinear', 'nearest', 0, [D, D]).dataSync() as Float32Array;
  });
  const out = [panel(input), panel(res.warpOnly), panel(res.withRefiner), grey(res.mask, res.size), grey(res.mouth, res.size)];
  params.dispose();
  return out;
}

/** An S x S crop (RGB 0..1, or one channel 0..1 shown grey) upscaled to the panel size, 0..255. */
function upscale(m: Float32Array, S: number, channels: 1 | 3): Float32Array {
  return tf.tidy(() => tf.mul(tf.image.resizeBilinear(tf.tensor4d(m, [1, S, S, channels]), [D, D]), 255).dataSync() as Float32Array);
}

function grey(m: Float32Array, S: number): Float32Array {
  const v = upscale(m, S, 1);
  return Float32Array.from({ length: D * D * 3 }, (_, i) => v[Math.floor(i / 3)]);
}

/** Row 3: the opened mouth's inside as stretched lips, and what the refiner paints there. */
function stretchedRow(first: Float32Array, res: MouthOpenResult, refiner: Refiner): Float32Array[] {
  const S = res.size;
  const lips = stretchedLips(res.crop, res.mouth, S);
  const [img, A] = tf.tidy(() => {
    const r = refiner.refineWithMask(tf.tensor4d(lips, [1, S, S, 3]), tf.tensor4d(res.mouth, [1, S, S, 1]));
    return [r.image.dataSync() as Float32Array, r.mask.dataSync() as Float32Array];
  });
  return [first, upscale(lips, S, 3), upscale(img, S, 3), grey(A, S), grey(res.mouth, S)];
}

async function main(): Promise<void> {
  const editor = await createEditor({ backends: ['cpu'], modelSource: fileByteSource() });
  const dis = await createDisentangler(editor.store);
  const presets = await loadPresets(editor.store);
  const refiner = await createRefiner(editor.store);
  const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, 'public', 'samples', 'astronaut.png'))));
  const face = await photo.face(0);
  // row 1: closed mouth -> surprise
  const closed = await editor.open(await closedMouthPhoto(photo.image, face));
  const cface = await closed.face(0);
  const n = await dis.neutral(cface.canonical.points);
  const target = fromCanonical(targetCanonical(cface.canonical.points, n, presets.fitted('surprise', n), 1), cface.canonical.transform);
  const opened = await renderTarget(closed.image, cface, refiner, target);
  const rows = [rowPanels(closed.image, opened)];
  // row 2: the open smile opened further
  rows.push(rowPanels(photo.image, await renderMouthOpen(photo.image, face, refiner, 0.3)));
  // row 3: row 1 as a fully closed mouth would open (stretched lips inside)
  rows.push(stretchedRow(rows[0][0], opened, refiner));
  const cols = rows[0].length;
  const png = new PNG({ width: cols * D + (cols - 1) * GAP, height: rows.length * D + (rows.length - 1) * GAP });
  png.data.fill(255);
  rows.forEach((panels, r) => panels.forEach((p, k) => {
    for (let y = 0; y < D; y++) for (let x = 0; x < D; x++) {
      const o = ((r * (D + GAP) + y) * png.width + k * (D + GAP) + x) * 4;
      for (let c = 0; c < 3; c++) png.data[o + c] = Math.max(0, Math.min(255, Math.round(p[(y * D + x) * 3 + c])));
      png.data[o + 3] = 255;
    }
  }));
  writeFileSync(OUT, PNG.sync.write(png));
  console.log(`wrote ${OUT}`);
  refiner.dispose(); dis.dispose(); closed.dispose(); photo.dispose(); editor.dispose();
}

main().catch((e) => { console.error(e); process.exit(1); });
