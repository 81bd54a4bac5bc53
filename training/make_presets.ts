/**
 * Expression presets for the app: per labelled expression, the mean displacement d = x - N(x) of the
 * clear examples among the training photos, each photo's displacement first fitted to the template's
 * proportions (target.ts `retarget` from the photo's own neutral N(x) to the template), minus the mean
 * over neutral-labelled photos (so "neutral" is exactly zero). Clear examples: the photos whose
 * displacement projects most strongly on the expression's mean direction (top STRONG_FRACTION, at least
 * MIN_STRONG photos); for the brows and the eyes, on the expression's direction in that part alone, the
 * parts blended with target.ts regionWeights (which sum to 1 at every landmark). The labelled photos are news pictures whose expressions are mostly mild,
 * and the plain mean over all of them is fainter still (mild + label noise), so intensity 1 would
 * barely show; the slider scales between none (0) and exaggerated (1.5). Labels are allowed here
 * (presets), never in training.
 *
 *   npx tsx training/make_presets.ts [--landmarks data-out/landmarks.jsonl] [--data ../shared/data/faces]
 *
 * Writes public/models/leed/presets.json and its sha256 into public/models/manifest.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  createDisentangler,
  createModelStore,
  initBackend,
  PRESET_NAMES,
  PRESETS_PATH,
  regionWeights,
  retarget,
  TEMPLATE,
  type Point3,
  type PresetName,
} from '../src/engine/index';
import { loadContextFaces, readFacesCsv } from '../src/node/dataset';
import { fileByteSource, MODEL_DIR, ROOT } from '../src/node/platform';

/** Fraction of each expression's photos, the most clearly expressed, that its preset averages. */
const STRONG_FRACTION = 0.25;
const MIN_STRONG = 8;
/**
 * Parts ranked on their own displacement. Only the upper face: ranked on their own, the mouth and jaw of the
 * weak labels (sadness: 0.7 % IOD mean displacement) pick outliers that N does not take for an expression
 * (N(x + preset) moved 1.3-2.9 times as far from N(x) as the preset itself, against 0.1-0.5 this way).
 */
const OWN_RANKING: readonly string[] = ['brows', 'eyes'];

const LABEL_TO_PRESET: Record<string, PresetName | 'neutral'> = {
  neutral: 'neutral',
  happy: 'happy',
  surprise: 'surprise',
  anger: 'anger',
  sad: 'sadness',
  disgust: 'disgust',
  fear: 'fear',
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i < 0 ? dflt : args[i + 1];
  };
  const landmarks = resolve(flag('--landmarks', join(ROOT, 'data-out', 'landmarks.jsonl')));
  const data = resolve(flag('--data', join(ROOT, '..', 'shared', 'data', 'faces')));
  const faces = loadContextFaces(readFacesCsv(data), landmarks);
  await initBackend(['cpu']);
  const store = createModelStore(fileByteSource());
  const dis = await createDisentangler(store);
  const sums = new Map<string, { n: number; people: Set<string>; s: Point3[]; each: Float32Array[] }>();
  const batch = 256;
  for (let i = 0; i < faces.length; i += batch) {
    const part = faces.slice(i, i + batch);
    const neutrals = await dis.neutralBatch(part.map((f) => f.canonical));
    part.forEach((f, k) => {
      const key = LABEL_TO_PRESET[f.expression];
      if (!key) return;
      const n = neutrals[k];
      const d = f.canonical.map((p, j) => [p[0] - n[j][0], p[1] - n[j][1], p[2] - n[j][2]] as Point3);
      const dT = retarget(d, n, TEMPLATE);
      let acc = sums.get(key);
      if (!acc) {
        acc = { n: 0, people: new Set(), s: TEMPLATE.map(() => [0, 0, 0] as Point3), each: [] };
        sums.set(key, acc);
      }
      acc.n++;
      acc.people.add(f.person);
      if (key !== 'neutral') acc.each.push(Float32Array.from(dT.flat()));
      dT.forEach((p, j) => {
        for (let c = 0; c < 3; c++) acc!.s[j][c] += p[c];
      });
    });
  }
  dis.dispose();
  const meanOf = (key: string) => {
    const a = sums.get(key)!;
    return a.s.map((p) => p.map((v) => v / a.n) as Point3);
  };
  const base = meanOf('neutral');
  const size = (d: Point3[]) => (100 * d.reduce((s, p) => s + Math.hypot(...p), 0)) / d.length;
  const expressions: Record<
    string,
    { count: number; strongCount: number; people: number; meanSizePercentIod: number; allPhotosMeanSizePercentIod: number; displacement: number[][] }
  > = {};
  const flatBase = Float32Array.from(base.flat());
  const weights = regionWeights();
  for (const name of PRESET_NAMES) {
    const a = sums.get(name);
    if (!a) {
      console.error(`no photos labelled ${name}`);
      continue;
    }
    const all = meanOf(name).map((p, j) => [p[0] - base[j][0], p[1] - base[j][1], p[2] - base[j][2]] as Point3);
    // Rank the photos by how far their displacement goes along the expression's mean direction and average the
    // clearest. The whole-face ranking is decided by the mouth, the part that moves most, and keeps photos whose
    // brows barely move (surprise's raised brows then average to almost nothing), so the upper face (OWN_RANKING)
    // is ranked on its own part of the displacement; the parts are blended with regionWeights.
    const count = Math.min(a.each.length, Math.max(MIN_STRONG, Math.round(a.each.length * STRONG_FRACTION)));
    const partMean = (w: number[]): Point3[] => {
      const score = (e: Float32Array) => {
        let s = 0;
        for (let k = 0; k < e.length; k++) s += w[Math.floor(k / 3)] * (e[k] - flatBase[k]) * all[Math.floor(k / 3)][k % 3];
        return s;
      };
      const keep = a.each
        .map((e) => ({ e, s: score(e) }))
        .sort((p, q) => q.s - p.s)
        .slice(0, count);
      return TEMPLATE.map((_, j) => [0, 1, 2].map((c) => keep.reduce((s, { e }) => s + e[3 * j + c], 0) / keep.length - base[j][c]) as Point3);
    };
    const parts = (['brows', 'eyes', 'mouth', 'jaw', 'rest'] as const).map((part) => ({ part, w: weights.map((r) => r[part]) }));
    const whole = partMean(weights.map(() => 1));
    const means = parts.map(({ part, w }) => (OWN_RANKING.includes(part) ? partMean(w) : whole));
    const d = TEMPLATE.map((_, j) => [0, 1, 2].map((c) => parts.reduce((s, { w }, k) => s + w[j] * means[k][j][c], 0)) as Point3);
    expressions[name] = {
      count: a.n,
      strongCount: count,
      people: a.people.size,
      meanSizePercentIod: +size(d).toFixed(3),
      allPhotosMeanSizePercentIod: +size(all).toFixed(3),
      displacement: d.map((p) => p.map((v) => +v.toFixed(5))),
    };
    console.log(
      `${name.padEnd(10)} ${String(a.n).padStart(5)} photos ${String(a.people.size).padStart(5)} people; preset from the ${count} clearest: mean |d| ${size(d).toFixed(2)} % IOD (all photos' mean: ${size(all).toFixed(2)})`,
    );
  }
  console.log(`neutral photos: ${sums.get('neutral')!.n}, their mean displacement (subtracted) ${size(base).toFixed(2)} % IOD`);
  const out = {
    format: 'leed-presets',
    version: 1,
    space:
      'template: displacements fitted to the proportions of src/engine/analyse/manifold.ts TEMPLATE; apply with target.ts retarget(d, TEMPLATE, srcNeutral)',
    source: `training/make_presets.ts: mean over the clearest ${STRONG_FRACTION * 100} % (at least ${MIN_STRONG}) of the labelled training photos, ranked by projection on the expression's mean direction (brows and eyes: on its direction in that part, blended with target.ts regionWeights), of retarget(x - N(x), N(x), TEMPLATE), minus the mean over neutral photos`,
    expressions,
  };
  const path = join(MODEL_DIR, PRESETS_PATH);
  writeFileSync(path, `${JSON.stringify(out)}\n`);
  const manifestPath = join(MODEL_DIR, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
  manifest.files[PRESETS_PATH] = createHash('sha256').update(readFileSync(path)).digest('hex');
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${path}`);
}

await main();
