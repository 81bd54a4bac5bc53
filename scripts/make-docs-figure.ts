/**
 * docs/presets.jpg: the public-domain sample portrait and two London fixtures (CC BY 4.0, attribution in docs/README.md)
 * under "neutral" and every preset, at intensity 1 (first row of each face) and 1.5 (second row), warp + refiner,
 * face region; and docs/neutralized.jpg: the London people's smiling photos, neutralized, beside their real neutral photo.
 * Every edit goes through the editing API: editor.open -> photo.face(0) -> face.edit(reference) -> edit.renderFull(a).
 *
 *   npx tsx scripts/make-docs-figure.ts [LONDON_ID LONDON_ID]   (default 022 062)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, encodeImage, PRESET_NAMES, type Reference, type RGBAImage } from '../src/engine/index';
import { fileByteSource, pointWasmAtNodeModules, ROOT } from '../src/node/platform';
import { faceCell, figurePhotos, grid, LONDON } from './figure-common';

pointWasmAtNodeModules();
const editor = await createEditor({ backends: ['wasm', 'cpu'], models: fileByteSource(), warmUp: false });

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['022', '062'];
const references: [string, Reference][] = [['neutral', 'neutral'], ...PRESET_NAMES.map((p) => [p, { preset: p }] as [string, Reference])];

async function rowsFor(bytes: Uint8Array): Promise<RGBAImage[][]> {
  const photo = await editor.open(bytes);
  const face = await photo.face(0);
  const rows: RGBAImage[][] = [[faceCell(photo.image, face)], [faceCell(photo.image, face)]];
  for (const [, reference] of references) {
    const edit = await face.edit(reference);
    for (const [k, a] of [1, 1.5].entries()) rows[k].push(faceCell(await edit.renderFull(a), face));
    edit.dispose();
    process.stderr.write('.');
  }
  photo.dispose();
  return rows;
}

const rows: RGBAImage[][] = [];
for (const bytes of figurePhotos(ids)) rows.push(...(await rowsFor(bytes)));
writeFileSync(join(ROOT, 'docs', 'presets.jpg'), (await encodeImage(grid(rows), 'jpeg', 0.88)) as Uint8Array);
console.log(
  `docs/presets.jpg: rows sample, London ${ids.join(', ')} (neutral photos), each at intensity 1 then 1.5; columns: photo, ${references.map(([n]) => n).join(', ')}`,
);

// the smiling photos neutralized, beside the real neutral photo of the same person
const nrows: RGBAImage[][] = [];
for (const id of ids) {
  const smiling = await editor.open(new Uint8Array(readFileSync(join(LONDON, 'smiling', `${id}.jpg`))));
  const neutral = await editor.open(new Uint8Array(readFileSync(join(LONDON, 'neutral', `${id}.jpg`))));
  const sf = await smiling.face(0);
  const nf = await neutral.face(0);
  const edit = await sf.edit('neutral');
  nrows.push([faceCell(smiling.image, sf), faceCell(await edit.renderFull(1), sf), faceCell(neutral.image, nf)]);
  edit.dispose();
  smiling.dispose();
  neutral.dispose();
}
writeFileSync(join(ROOT, 'docs', 'neutralized.jpg'), (await encodeImage(grid(nrows), 'jpeg', 0.9)) as Uint8Array);
console.log(`docs/neutralized.jpg: rows London ${ids.join(', ')}; columns: smiling photo, neutralized (intensity 1), the real neutral photo`);
editor.dispose();
