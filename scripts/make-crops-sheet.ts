/**
 * docs/presets-1to1.jpg: every preset at intensity 1 at the photo's own resolution (1:1, no resampling), on the
 * public-domain sample portrait and London fixtures (CC BY 4.0, attribution in docs/README.md), to look at what the
 * renderer paints: for each face three rows of crops, between the brows (creases), the right eye (lids, iris) and the
 * mouth; columns: the photo, neutral, then each preset in PRESET_NAMES order. Through the editing API only.
 *
 *   npx tsx scripts/make-crops-sheet.ts [LONDON_ID ...]   (default 022 062 127)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, encodeImage, PRESET_NAMES, type Face, type Reference, type RGBAImage } from '../src/engine/index';
import { fileByteSource, pointWasmAtNodeModules, ROOT } from '../src/node/platform';
import { figurePhotos, grid } from './figure-common';

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['022', '062', '127'];
const SIZE = 160;
/** Where each row's crop is centred: landmark indices whose mean is the centre (between the brows, right eye, lips). */
const ROWS: readonly (readonly number[])[] = [[9], [159, 145], [13, 14]];
pointWasmAtNodeModules();
const editor = await createEditor({ backends: ['wasm', 'cpu'], models: fileByteSource(), warmUp: false });
const references: Reference[] = ['neutral', ...PRESET_NAMES.map((p) => ({ preset: p }))];

/** A SIZE x SIZE crop of `img` at 1:1 centred on the mean of `face`'s landmarks `idx`. */
function crop(img: RGBAImage, face: Face, idx: readonly number[]): RGBAImage {
  const p = face.landmarks.points;
  const cx = Math.round(idx.reduce((s, i) => s + p[i][0], 0) / idx.length) - SIZE / 2;
  const cy = Math.round(idx.reduce((s, i) => s + p[i][1], 0) / idx.length) - SIZE / 2;
  const data = new Uint8ClampedArray(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, cx + x));
      const sy = Math.min(img.height - 1, Math.max(0, cy + y));
      data.set(img.data.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), (y * SIZE + x) * 4);
    }
  return { width: SIZE, height: SIZE, data };
}

const rows: RGBAImage[][] = [];
for (const bytes of figurePhotos(ids)) {
  const photo = await editor.open(bytes);
  const face = await photo.face(0);
  const faceRows = ROWS.map((idx) => [crop(photo.image, face, idx)]);
  for (const reference of references) {
    const edit = await face.edit(reference);
    const out = await edit.renderFull(1);
    ROWS.forEach((idx, r) => faceRows[r].push(crop(out, face, idx)));
    edit.dispose();
    process.stderr.write('.');
  }
  rows.push(...faceRows);
  photo.dispose();
}
writeFileSync(join(ROOT, 'docs', 'presets-1to1.jpg'), (await encodeImage(grid(rows), 'jpeg', 0.88)) as Uint8Array);
console.log(
  `\ndocs/presets-1to1.jpg: the sample, London ${ids.join(', ')}; rows per face: brows, right eye, mouth at 1:1; columns: photo, neutral, ${PRESET_NAMES.join(', ')}`,
);
editor.dispose();
