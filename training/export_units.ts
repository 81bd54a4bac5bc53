/**
 * Writes the action units' fields for the Python training of the disentangler (training/train_disentangler.py --units).
 *
 *   npx tsx training/export_units.ts [--out data-out/units.json]
 *
 * The file: { names, ranges: { name: [min, max] }, fields: [17 x 1404] } with each field at value 1 in template space
 * (src/engine/analyse/template.json's frame: IOD units, flattened x0, y0, z0, x1, ...), exactly what `unitField` gives.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UNIT_NAMES, UNITS } from '../src/engine/index';
import { unitField } from '../src/engine/tools';
import { ROOT } from '../src/node/platform';

function main(): void {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const out = resolve(i < 0 ? join(ROOT, 'data-out', 'units.json') : args[i + 1]);
  const fields = UNIT_NAMES.map((u) => unitField(u).flat());
  for (const [k, f] of fields.entries()) {
    if (f.length !== 1404 || !f.every(Number.isFinite)) throw new Error(`unit ${UNIT_NAMES[k]}: bad field`);
  }
  const ranges = Object.fromEntries(UNIT_NAMES.map((u) => [u, [UNITS[u].min, UNITS[u].max]]));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ format: 'leed-units', names: UNIT_NAMES, ranges, fields })}\n`);
  console.log(`wrote ${out}: ${UNIT_NAMES.length} units`);
}

main();
