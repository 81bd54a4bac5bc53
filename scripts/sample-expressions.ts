/**
 * The sample portrait under each preset, in canonical IOD units: mouth width, lip gap, brow height
 * (mean y of the 20 brow points; y grows downwards, so a raise is more negative) and chin.
 *   npx tsx scripts/sample-expressions.ts [a=1]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, type Point3 } from '../src/engine/index';
import { BROW_POINTS, targetCanonical } from '../src/engine/tools';
import { fileByteSource, ROOT } from '../src/node/platform';

const a = Number(process.argv[2] ?? 1);
const fmt = (p: readonly Point3[]) => {
  const brow = BROW_POINTS.reduce((s, i) => s + p[i][1], 0) / BROW_POINTS.length;
  return `mouth ${(p[291][0] - p[61][0]).toFixed(3)}  gap ${(p[14][1] - p[13][1]).toFixed(3)}  brow ${brow.toFixed(3)}  chin ${p[152][1].toFixed(3)}`;
};
const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, 'public', 'samples', 'astronaut.png'))));
const face = await photo.face(0);
const x = face.canonical.points;
const n = await face.neutral();
console.log(`photo       ${fmt(x)}`);
console.log(`N'(x)       ${fmt(n)}`); // face.neutral(): N corrected (target.ts correctNeutral)
for (const preset of editor.capabilities.presets) {
  const edit = await face.edit({ preset });
  // the target in canonical space (edit.target gives it in image pixels): the edit's fitted displacement at intensity a
  console.log(`${preset.padEnd(11)} ${fmt(targetCanonical(x, n, edit.displacement, a))}`);
  edit.dispose();
}
photo.dispose();
editor.dispose();
