#!/usr/bin/env node
/**
 * Architecture rules, checked by `npm test` (npm run lint):
 * 1. no import cycles anywhere in the TypeScript sources (type-only imports included), found with dpdm;
 * 2. src/app, src/node, scripts, training and e2e reach the engine only through its two entries: src/engine/index.ts
 *    (the editing API) and src/engine/tools.ts (building blocks for evaluation, training, benchmarks, scripts);
 * 3. the app (src/app) edits through the editing API only: it may not import src/engine/tools.ts;
 * 4. nothing outside tests/ imports from tests/.
 * Prints each violation and exits 1 when there is any.
 */
import { parseCircular, parseDependencyTree } from 'dpdm';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const entries = ['src/**/*.{ts,tsx}', 'scripts/**/*.{ts,mjs}', 'training/**/*.ts', 'e2e/**/*.ts', 'tests/**/*.ts'];
process.chdir(root);
const tree = await parseDependencyTree(entries, { context: root, transform: false });
const problems = [];

for (const cycle of parseCircular(tree)) problems.push(`import cycle: ${[...cycle, cycle[0]].join(' -> ')}`);

const ENGINE = 'src/engine/';
const outside = ['src/app/', 'src/node/', 'scripts/', 'training/', 'e2e/'];
const ENTRIES = [`${ENGINE}index.ts`, `${ENGINE}tools.ts`];
for (const [file, deps] of Object.entries(tree)) {
  if (!deps) continue;
  for (const d of deps) {
    if (!d.id) continue;
    const target = path.relative(root, path.resolve(root, d.id)).split(path.sep).join('/');
    if (outside.some((p) => file.startsWith(p)) && target.startsWith(ENGINE) && !ENTRIES.includes(target)) {
      problems.push(`${file} imports ${target}: outside the engine, import from src/engine/index.ts (or tools.ts for tools)`);
    }
    if (file.startsWith('src/app/') && target === `${ENGINE}tools.ts`) {
      problems.push(`${file} imports ${target}: the app edits through src/engine/index.ts only`);
    }
    if (!file.startsWith('tests/') && target.startsWith('tests/')) problems.push(`${file} imports ${target}: only tests may import from tests/`);
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} architecture problem(s)`);
  process.exit(1);
}
console.log(`architecture: ${Object.keys(tree).length} modules, no import cycles, engine reached only through its entries, the app through index.ts only`);
