/**
 * Evaluation of the expression models on any folder laid out like ../shared/data/faces
 * (faces.csv + images/). Expression labels are used here, and only here and in the presets.
 *
 *   npm run eval -- --data <folder> [--landmarks <file.jsonl>] [--backend wasm|cpu] [--sections neutral,...]
 *
 * Landmarks come from the engine's own extraction (src/node/landmarks-cli.ts, run as a child process
 * with the same code path the training data came from), cached in data-out/eval/<folder>-<hash>.jsonl
 * and resumed when interrupted. `--landmarks` reads an existing extraction of the same folder instead.
 *
 * Each figure is an `EvalSection`: a name and a function from the shared context (rows with labels,
 * canonical landmarks per image, the verified model store) to printed text: the neutral error here,
 * and the generator's figures (eval-generator.ts). Another figure is one more section in SECTIONS.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { initBackend, type BackendName } from '../engine/runtime/backend';
import { createDisentangler } from '../engine/expression/disentangle';
import { nme } from '../engine/analyse/manifold';
import { ModelStore } from '../engine/runtime/models';
import type { Point3 } from '../engine/types';
import { readFacesCsv, type FaceRow } from './dataset';
import { generatorSection } from './eval-generator';
import { decodePoints } from './landmarks-cli';
import { fileByteSource, ROOT } from './platform';

/** One face photo of the evaluation folder with its landmarks (only photos the engine could analyse). */
export interface EvalFace extends FaceRow {
  canonical: Point3[];
  /** Landmarks in pixels of the image file. */
  points: Point3[];
}

export interface EvalContext {
  dir: string;
  rows: FaceRow[];
  faces: EvalFace[];
  /** Photos of each person, in file order. */
  byPerson: Map<string, EvalFace[]>;
  store: ModelStore;
}

export interface EvalSection {
  name: string;
  run(ctx: EvalContext): Promise<string>;
}

/** Expression names of faces.csv shown in tables, in this order; others are grouped under their own name. */
export const EXPRESSIONS = ['happy', 'surprise', 'anger', 'sad', 'disgust', 'fear', 'contempt'];

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(v.length, 1);
const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number, n: number) => (Number.isFinite(x) ? x.toFixed(2) : '-').padStart(n);

function meanShape(shapes: Point3[][]): Point3[] {
  return shapes[0].map((_, i) => {
    const s: Point3 = [0, 0, 0];
    for (const f of shapes) for (let k = 0; k < 3; k++) s[k] += f[i][k] / shapes.length;
    return s;
  });
}

/**
 * Neutral error: for people with a neutral photo and an expressive one, NME (2-D, % IOD of the
 * neutral photo) of N(expressive) against the neutral photo's canonical landmarks, averaged over
 * the person's neutral photos; beside "no change" (the expressive photo itself) and the population's
 * mean neutral face. A last row gives the floor: one neutral photo against another of the same person.
 */
export const neutralErrorSection: EvalSection = {
  name: 'Neutral error (LEED disentangler)',
  async run(ctx) {
    const dis = await createDisentangler(ctx.store);
    try {
      const neutralOf = new Map<EvalFace, Point3[]>();
      const all = ctx.faces;
      const batch = 256;
      for (let i = 0; i < all.length; i += batch) {
        const part = all.slice(i, i + batch);
        const out = await dis.neutralBatch(part.map((f) => f.canonical));
        part.forEach((f, k) => neutralOf.set(f, out[k]));
      }
      const neutrals = all.filter((f) => f.expression === 'neutral');
      const popMean = meanShape(neutrals.map((f) => f.canonical));
      type Acc = { people: Set<string>; photos: number; none: number[]; pop: number[]; n: number[] };
      const table = new Map<string, Acc>();
      const acc = (k: string) => { let a = table.get(k); if (!a) { a = { people: new Set(), photos: 0, none: [], pop: [], n: [] }; table.set(k, a); } return a; };
      const floor: Acc = { people: new Set(), photos: 0, none: [], pop: [], n: [] };
      for (const [person, photos] of ctx.byPerson) {
        const neu = photos.filter((f) => f.expression === 'neutral');
        if (neu.length === 0) continue;
        for (const f of photos) {
          if (f.expression === 'unlabelled') continue;
          // neutral photos: against the person's *other* neutral photos (the noise floor of this measure)
          const refs = f.expression === 'neutral' ? neu.filter((g) => g !== f) : neu;
          if (refs.length === 0) continue;
          const rowsFor = f.expression === 'neutral' ? [floor] : [acc(f.expression), acc('all expressive')];
          const none = mean(refs.map((g) => nme(f.canonical, g.canonical)));
          const pop = mean(refs.map((g) => nme(popMean, g.canonical)));
          const n = mean(refs.map((g) => nme(neutralOf.get(f)!, g.canonical)));
          for (const a of rowsFor) { a.people.add(person); a.photos++; a.none.push(none); a.pop.push(pop); a.n.push(n); }
        }
      }
      const order = ['all expressive', ...EXPRESSIONS, ...[...table.keys()].filter((k) => k !== 'all expressive' && !EXPRESSIONS.includes(k)).sort()];
      const lines = [
        `mean NME, 2-D, % of the neutral photo's IOD, canonical landmarks; ${all.length} photos analysed, ${neutrals.length} neutral (population mean from these)`,
        `${pad('expression', 24)}${'people'.padStart(7)}${'photos'.padStart(8)}${'no change'.padStart(11)}${'pop. mean'.padStart(11)}${'N(x)'.padStart(8)}${'N vs no change'.padStart(16)}`,
      ];
      const line = (label: string, a: Acc) => {
        const rel = 100 * (1 - mean(a.n) / mean(a.none));
        lines.push(`${pad(label, 24)}${String(a.people.size).padStart(7)}${String(a.photos).padStart(8)}${num(mean(a.none), 11)}${num(mean(a.pop), 11)}${num(mean(a.n), 8)}${(`-${rel.toFixed(0)}%`).padStart(16)}`);
      };
      for (const k of order) { const a = table.get(k); if (a) line(k, a); }
      if (floor.photos) line('neutral vs other neutral', floor);
      return lines.join('\n');
    } finally {
      dis.dispose();
    }
  },
};

export const SECTIONS: EvalSection[] = [neutralErrorSection, generatorSection({ sources: Number(process.env.LEED_EVAL_SOURCES ?? 12) })];

interface LandmarkLine { person: string; image: string; status: string; canonical?: string; points?: string }

/** Runs the engine's landmark extraction over `dir` into `out` (resumes; images already there are skipped). */
export function extractLandmarks(dir: string, out: string, backend: BackendName): void {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [join(ROOT, 'src', 'node', 'landmarks-cli.ts'), dir, out, '--backend', backend], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`landmark extraction failed (exit ${r.status})`);
}

export function defaultCachePath(dir: string): string {
  const abs = resolve(dir);
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 10);
  return join(ROOT, 'data-out', 'eval', `${basename(abs)}-${key}.jsonl`);
}

export function loadContextFaces(rows: FaceRow[], landmarksFile: string): EvalFace[] {
  const byImage = new Map<string, LandmarkLine>();
  for (const line of readFileSync(landmarksFile, 'utf8').split('\n')) {
    if (!line) continue;
    try { const r = JSON.parse(line) as LandmarkLine; byImage.set(r.image, r); } catch { /* an interrupted last line */ }
  }
  const faces: EvalFace[] = [];
  for (const row of rows) {
    const r = byImage.get(row.image);
    if (!r || r.status !== 'ok' || !r.canonical || !r.points) continue;
    faces.push({ ...row, canonical: decodePoints(r.canonical), points: decodePoints(r.points) });
  }
  return faces;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(name); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
  const dir = flag('--data');
  const landmarks = flag('--landmarks');
  const backend = (flag('--backend') ?? 'wasm') as BackendName;
  const only = flag('--sections')?.split(',');
  if (!dir) { console.error('usage: npm run eval -- --data <folder with faces.csv and images/> [--landmarks <file.jsonl>] [--backend wasm|cpu] [--sections name,...]'); process.exit(2); }
  const rows = readFacesCsv(dir);
  let file = landmarks;
  if (!file) {
    file = defaultCachePath(dir);
    mkdirSync(join(ROOT, 'data-out', 'eval'), { recursive: true });
    extractLandmarks(dir, file, backend);
  } else if (!existsSync(file)) {
    console.error(`no such landmarks file: ${file}`); process.exit(2);
  }
  const faces = loadContextFaces(rows, file);
  const byPerson = new Map<string, EvalFace[]>();
  for (const f of faces) { const l = byPerson.get(f.person) ?? []; l.push(f); byPerson.set(f.person, l); }
  await initBackend(['cpu']);
  const store = new ModelStore(fileByteSource());
  const ctx: EvalContext = { dir, rows, faces, byPerson, store };
  console.log(`eval: ${dir}: ${rows.length} images in faces.csv, ${faces.length} with landmarks (${file}), ${byPerson.size} people`);
  for (const s of SECTIONS) {
    if (only && !only.some((o) => s.name.toLowerCase().includes(o.toLowerCase()))) continue;
    console.log(`\n## ${s.name}\n${await s.run(ctx)}`);
  }
}

if (process.argv[1] && /eval-cli/.test(process.argv[1])) await main();
