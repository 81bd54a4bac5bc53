/**
 * docs/units.jpg: every action unit (src/engine/expression/units.ts) at 0.5 and 1 on the public-domain sample
 * portrait and London fixtures (CC BY 4.0, attribution in docs/README.md), each on the person's own neutral
 * (reference 'neutral' at intensity 1, the unit set on top), warp + refiner, face region. One row per face and value;
 * columns: the photo, the neutral, then each unit in UNIT_NAMES order. Through the editing API only.
 *
 *   npx tsx scripts/make-units-sheet.ts [LONDON_ID ...]   (default 022 062 127)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, encodeImage, UNIT_NAMES, type RGBAImage } from '../src/engine/index';
import { fileByteSource, pointWasmAtNodeModules, ROOT } from '../src/node/platform';
import { faceCell, figurePhotos, grid } from './figure-common';

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['022', '062', '127'];
const VALUES = [0.5, 1];
const SIZE = 160;
pointWasmAtNodeModules();
const editor = await createEditor({ backends: ['wasm', 'cpu'], models: fileByteSource(), warmUp: false });

async function rowsFor(bytes: Uint8Array): Promise<RGBAImage[][]> {
  const photo = await editor.open(bytes);
  const face = await photo.face(0);
  const base = await face.edit('neutral');
  const own = faceCell(photo.image, face, SIZE);
  const neutral = faceCell(await base.renderFull(1), face, SIZE);
  base.dispose();
  const rows = VALUES.map(() => [own, neutral]);
  for (const unit of UNIT_NAMES) {
    for (const [k, v] of VALUES.entries()) {
      const edit = await face.edit('neutral', { units: { [unit]: v } });
      rows[k].push(faceCell(await edit.renderFull(1), face, SIZE));
      edit.dispose();
    }
    process.stderr.write('.');
  }
  photo.dispose();
  return rows;
}

const rows: RGBAImage[][] = [];
for (const bytes of figurePhotos(ids)) rows.push(...(await rowsFor(bytes)));
writeFileSync(join(ROOT, 'docs', 'units.jpg'), (await encodeImage(grid(rows), 'jpeg', 0.88)) as Uint8Array);
console.log(`docs/units.jpg: rows sample, London ${ids.join(', ')}, each at ${VALUES.join(' then ')}; columns: photo, neutral, ${UNIT_NAMES.join(', ')}`);
editor.dispose();
