/**
 * Before/after figure of the refiner on the astronaut sample (public domain; never a dataset photo),
 * through the real render session.
 *
 *   npx tsx training/refiner_demo.ts [docs/refiner-astronaut.png]
 *
 * Row 1, a closed mouth that opens: the sample with its mouth first closed by the warp (a closed-mouth
 * photo made of real pixels, with the landmarks it was closed to: src/node/synthetic.ts closedMouthFace), then
 * the "surprise" preset at intensity 1. A new opening: the render session hands the refiner stretched lips
 * there (mouth-mask.ts lipStretchPlan), and it paints a mouth. Row 2: the sample's own open smile opened
 * further (jaw dropped 0.3 IOD): not a new opening, the warp's stretched teeth go to the refiner as they are.
 * Panels (aligned crop at 256 px, from the full-resolution renders): input | warp only |
 * warp + refiner | attention mask A (white = warped pixel kept, black = painted) | the inner-mouth mask
 * the refiner was given.
 * The sample is opened with the editing API; the rows render through a render session whose refiner (the
 * shipped one, loaded from the verified model folder) is watched for what it gets and gives. Row 1's face is
 * not a photo's Face (its landmarks are the ones the warp closed the mouth to), so its N(x) and preset come
 * from the disentangler and the presets themselves.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import { createEditor, type RGBAImage } from '../src/engine/index';
import { createDisentangler, createModelStore, createRefiner, cropTransformParams, fromCanonical, loadPresets, targetCanonical } from '../src/engine/tools';
import { fileByteSource, ROOT } from '../src/node/platform';
import { closedMouthFace, renderCapturingRefiner, renderMouthOpen, type MouthOpenResult } from '../src/node/synthetic';

const OUT = process.argv[2] ?? join(ROOT, 'docs', 'refiner-astronaut.png');
const D = 256;
const GAP = 4;

function rowPanels(input: RGBAImage, res: MouthOpenResult): Float32Array[] {
  const params = tf.tensor2d([cropTransformParams(res.rect, D)], [1, 8]);
  const panel = (img: RGBAImage): Float32Array =>
    tf.tidy(() => {
      const t = tf.cast(tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 4], 'int32'), 'float32');
      const rgb = tf.expandDims(tf.slice(t, [0, 0, 0], [img.height, img.width, 3]), 0) as tf.Tensor4D;
      return tf.image.transform(rgb, params, 'bilinear', 'nearest', 0, [D, D]).dataSync() as Float32Array;
    });
  const out = [panel(input), panel(res.warpOnly), panel(res.withRefiner), grey(res.mask, res.size), grey(res.mouth, res.size)];
  params.dispose();
  return out;
}

function grey(m: Float32Array, S: number): Float32Array {
  const v = tf.tidy(() => tf.mul(tf.image.resizeBilinear(tf.tensor4d(m, [1, S, S, 1]), [D, D]), 255).dataSync() as Float32Array);
  return Float32Array.from({ length: D * D * 3 }, (_, i) => v[Math.floor(i / 3)]);
}

async function main(): Promise<void> {
  const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
  const store = createModelStore(fileByteSource());
  const [dis, presets, refiner] = await Promise.all([createDisentangler(store), loadPresets(store), createRefiner(store)]);
  const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, 'public', 'samples', 'astronaut.png'))));
  const face = await photo.face(0);
  // row 1: closed mouth -> surprise
  const closed = await closedMouthFace(photo.image, face);
  const c = closed.face.canonical.points;
  const n = await dis.neutral(c);
  const target = fromCanonical(targetCanonical(c, n, presets.fitted('surprise', n), 1), closed.face.canonical.transform);
  const rows = [rowPanels(closed.image, await renderCapturingRefiner(closed.image, closed.face, refiner, target))];
  // row 2: the open smile opened further
  rows.push(rowPanels(photo.image, await renderMouthOpen(photo.image, face, refiner, 0.3)));
  const cols = rows[0].length;
  const png = new PNG({ width: cols * D + (cols - 1) * GAP, height: rows.length * D + (rows.length - 1) * GAP });
  png.data.fill(255);
  rows.forEach((panels, r) => {
    panels.forEach((p, k) => {
      for (let y = 0; y < D; y++)
        for (let x = 0; x < D; x++) {
          const o = ((r * (D + GAP) + y) * png.width + k * (D + GAP) + x) * 4;
          for (let c = 0; c < 3; c++) png.data[o + c] = Math.max(0, Math.min(255, Math.round(p[(y * D + x) * 3 + c])));
          png.data[o + 3] = 255;
        }
    });
  });
  writeFileSync(OUT, PNG.sync.write(png));
  console.log(`wrote ${OUT}`);
  refiner.dispose();
  dis.dispose();
  photo.dispose();
  editor.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
