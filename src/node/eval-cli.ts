/**
 * Evaluation of the expression models on any folder laid out like ../shared/data/faces-color
 * (faces.csv + images/). Expression labels are used here, and only here and in the presets.
 *
 *   npm run eval -- --data <folder> [--landmarks <file.jsonl>] [--backend wasm|cpu] [--sections name,...]
 *                   [--limit N] [--sources N] [--presets name,...] [--pairs <folder>] [--models <folder>]
 *
 * Sections, in order, one file each: the ceiling (eval-ceiling.ts: how often the emotion model reads real photos of
 * each label as that label), the upper face (eval-upper-face.ts: brow and eye motion the mesh sees; then the same lids
 * and brows by a second, eye-specific model, eval-eyes.ts: `--sections iris`), the neutral error (eval-neutral.ts),
 * the presets on neutral sources (eval-presets.ts: agreement at intensity 1 and 1.5, identity, landmarks on the edit),
 * reference transfer (eval-transfer.ts: how much of the reference's displacement arrives), neutralized smiles
 * (eval-neutralize.ts). The editing sections share the models of a run and the steps of an edit (eval-kit.ts).
 * `--pairs <folder>` (laid out like ../shared/fixtures/london: neutral/ID.jpg, smiling/ID.jpg) adds the ground-truth
 * section (eval-pairs.ts) at the end; with --pairs alone, only that section runs. `--models <folder>` reads the models
 * (and presets) from another folder laid out like public/models, e.g. the previous presets, for a before/after
 * comparison.
 *
 * Landmarks come from the engine's own extraction (src/node/landmarks-cli.ts, run as a child process
 * with the same code path the training data came from), cached in data-out/eval/<folder>-<hash>.jsonl
 * and resumed when interrupted. `--landmarks` reads an existing extraction of the same folder instead.
 * `--limit N` evaluates the first N rows of faces.csv only (a quick run; the cache is shared with full
 * runs, which resume it); `--sources N` sets the number of neutral source photos (default 12, or
 * LEED_EVAL_SOURCES; the transfer section uses N/2 references per label, the neutralized section 2N photos).
 * Sources and references are people of the evaluation split (eval-common.ts isEvalPerson), whom
 * training/make_presets.ts leaves out. `--presets happy,anger` limits the presets section to those presets (a quicker
 * run when one preset changes).
 *
 * Each figure is an `EvalSection` (eval-common.ts): a name and a function from the shared context (rows
 * with labels, canonical landmarks per image, the verified model store) to printed text, which ends with
 * the section's failure counts. Another figure is one more entry in `sections`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PRESET_NAMES, type BackendName, type PresetName } from '../engine/index';
import { createModelStore, initBackend } from '../engine/tools';
import { loadLandmarkedRows, readFacesCsv } from './dataset';
import { modelSource, type EvalContext, type EvalFace, type EvalSection } from './eval-common';
import { ceilingSection } from './eval-ceiling';
import { disposeKit } from './eval-kit';
import { neutralizeSection } from './eval-neutralize';
import { presetsSection } from './eval-presets';
import { transferSection } from './eval-transfer';
import { upperFaceSection } from './eval-upper-face';
import { eyeModelSection } from './eval-eyes';
import { neutralErrorSection } from './eval-neutral';
import { pairsSection } from './eval-pairs';
import { unitsSection } from './eval-units';
import { creasesSection } from './eval-creases';
import { pointWasmAtNodeModules, ROOT } from './platform';

export function sections(options: { sources?: number; presets?: readonly PresetName[] } = {}): EvalSection[] {
  const sources = options.sources ?? Number(process.env.LEED_EVAL_SOURCES ?? 12);
  return [
    ceilingSection,
    upperFaceSection,
    eyeModelSection(),
    neutralErrorSection,
    presetsSection({ sources, presets: options.presets }),
    transferSection({ refs: Math.max(2, Math.round(sources / 2)) }),
    neutralizeSection({ photos: 2 * sources }),
    creasesSection({ sources }),
  ];
}

/** Runs the engine's landmark extraction over `dir` into `out` (resumes; images already there are skipped). */
export function extractLandmarks(dir: string, out: string, backend: BackendName, limit?: number): void {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const args = [join(ROOT, 'src', 'node', 'landmarks-cli.ts'), dir, out, '--backend', backend];
  if (limit !== undefined && Number.isFinite(limit)) args.push('--limit', String(limit));
  const r = spawnSync(tsx, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`landmark extraction failed (exit ${r.status}${r.error ? `: ${r.error.message}` : ''})`);
}

export function defaultCachePath(dir: string): string {
  const abs = resolve(dir);
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 10);
  return join(ROOT, 'data-out', 'eval', `${basename(abs)}-${key}.jsonl`);
}

const USAGE =
  'usage: npm run eval -- [--data <folder with faces.csv and images/>] [--pairs <folder with neutral/ and smiling/>] [--landmarks <file.jsonl>] [--backend wasm|cpu] [--sections name,...] [--limit N] [--sources N] [--presets name,...] [--models <folder like public/models>] [--units <folder with neutral/>]';

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`${name} wants a positive integer, got ${v}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const dir = flag('--data');
  const landmarks = flag('--landmarks');
  const backend = (flag('--backend') ?? 'wasm') as BackendName;
  const only = flag('--sections')?.split(',');
  const limit = positiveInt('--limit', flag('--limit'));
  const sources = positiveInt('--sources', flag('--sources'));
  const presets = flag('--presets')?.split(',') as PresetName[] | undefined;
  const unknownPreset = presets?.find((p) => !PRESET_NAMES.includes(p));
  if (unknownPreset) {
    console.error(`no preset named ${unknownPreset} (${PRESET_NAMES.join(', ')})\n${USAGE}`);
    process.exit(2);
  }
  const pairs = flag('--pairs');
  const units = flag('--units');
  const models = flag('--models');
  if (models) process.env.LEED_MODELS = resolve(models);
  const runPairs = async () => {
    // Ground truth on paired photos (neutral/ID.jpg + smiling/ID.jpg), eval-pairs.ts; after (or without) --data.
    if (!pairs) return;
    pointWasmAtNodeModules();
    console.log(
      `\n## Ground truth on paired photos\n${await pairsSection(pairs, { backend: backend === 'cpu' ? 'cpu' : 'wasm', limit, log: (l) => process.stderr.write(`${l}\n`) })}`,
    );
  };
  const runUnits = async () => {
    // The action units on real photos (neutral/ID.jpg), eval-units.ts; after (or without) --data.
    if (!units) return;
    pointWasmAtNodeModules();
    console.log(
      `\n## Action units\n${await unitsSection(units, { backend: backend === 'cpu' ? 'cpu' : 'wasm', limit, log: (l) => process.stderr.write(`${l}\n`) })}`,
    );
  };
  if ((pairs || units) && !dir && !args.length) {
    await runPairs();
    return runUnits();
  }
  if (!dir || args.length) {
    console.error(args.length ? `unknown arguments: ${args.join(' ')}\n${USAGE}` : USAGE);
    process.exit(2);
  }
  const allRows = readFacesCsv(dir);
  const rows = limit ? allRows.slice(0, limit) : allRows;
  let file = landmarks;
  if (!file) {
    file = defaultCachePath(dir);
    mkdirSync(join(ROOT, 'data-out', 'eval'), { recursive: true });
    extractLandmarks(dir, file, backend, limit);
  } else if (!existsSync(file)) {
    console.error(`no such landmarks file: ${file}`);
    process.exit(2);
  }
  const { faces, missing, unreadable } = loadLandmarkedRows(rows, file);
  const byPerson = new Map<string, EvalFace[]>();
  for (const f of faces) {
    const l = byPerson.get(f.person) ?? [];
    l.push(f);
    byPerson.set(f.person, l);
  }
  await initBackend(['cpu']);
  const store = createModelStore(modelSource());
  const ctx: EvalContext = { dir, rows, faces, byPerson, store, backend };
  console.log(
    `eval: ${dir}: ${rows.length} images in faces.csv${limit ? ` (the first ${rows.length} of ${allRows.length}: --limit)` : ''}, ${faces.length} with landmarks (${file}), ${byPerson.size} people`,
  );
  const codes = [...missing].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([why, n]) => `${why} x ${n}`);
  if (codes.length) console.log(`without landmarks: ${rows.length - faces.length}: ${codes.join(', ')}`);
  if (unreadable) console.log(`${unreadable} unreadable lines in the landmark file (interrupted writes; landmarks-cli redoes those images)`);
  if (process.env.LEED_MODELS) console.log(`models: ${process.env.LEED_MODELS}`);
  for (const s of sections({ sources, presets })) {
    if (only && !only.some((o) => s.name.toLowerCase().includes(o.toLowerCase()))) continue;
    console.log(`\n## ${s.name}\n${await s.run(ctx)}`);
  }
  await disposeKit(ctx);
  await runPairs();
  await runUnits();
}

if (process.argv[1] && /eval-cli/.test(process.argv[1])) await main();
