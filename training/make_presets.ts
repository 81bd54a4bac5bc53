/**
 * Expression presets for the app, and the population's neutral statistics that correct N(x), from the colour set's
 * landmarks (labels are allowed here, in the presets, never in training).
 *
 * 1. Neutral statistics (target.ts NeutralStats), over the neutral-labelled photos: N's average bias x - N(x), the
 *    smile direction (mean over happy photos of x - N(x) - bias), the mean neutral face and its median along the smile
 *    direction, and the inner-lip gap of a closed mouth (25th percentile per lip pair). target.ts correctNeutral turns
 *    N(x) into N'(x) with them; every displacement below is d = x - N'(x), fitted to the template's proportions
 *    (retarget(d, N'(x), TEMPLATE)), minus its mean over the neutral photos (so "neutral" is exactly zero).
 * 2. Presets at the strong end of real expressions: per expression and per part of the face (brows, eyes, mouth, jaw,
 *    rest), the photos of that label are ranked by a score of their displacement in that part, and the part of the
 *    preset is the mean displacement of the photos in a band of high percentiles (RECIPES: e.g. the 90th to 99th).
 *    The parts are blended with target.ts regionWeights. The score is the projection on the label's mean
 *    displacement in that part, or, where the labelled news photos' mean says little (their anger is mostly shouting,
 *    their sadness mostly mild), a measure of the motion the expression is known for: brows lowered and drawn
 *    together for anger, inner brows raised for sadness, lips pressed, mouth corners down, an "O" mouth for surprise.
 *    The happy mouth ranks all smiles, open ones included: a mouth a preset opens shows the stock mouth's teeth at
 *    full resolution (render/mouth-interior.ts). (Until the stock mouth, a filter kept it to smiles whose lips were
 *    apart by less than 15 % IOD: the refiner painted an opened mouth's teeth blurred.)
 *    A band's mean is smaller than its photos (where they disagree, averaging cancels), so the parts that carry the
 *    expression (recipe.strong) are scaled by a gain until the first of their measures reaches the label's 95th
 *    percentile (at most 1.5). Each part stays within the range of real faces (tests/target.test.ts), and N(x + preset)
 *    still takes the expression off (tests/disentangle.test.ts: a jaw gain on happy, or a mouth gain on anger, failed
 *    it, and are left out); where each part falls in its label's distribution is stored as `strength`.
 *
 * People of the evaluation split (src/node/eval-common.ts isEvalPerson, about 15 %) are left out of everything here.
 *
 *   npx tsx training/make_presets.ts [--landmarks data-out/landmarks-color.jsonl] [--data ../shared/data/faces-color]
 *
 * Writes public/models/leed/presets.json and its sha256 into public/models/manifest.json.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PRESET_NAMES, type Point3, type PresetName } from '../src/engine/index';
import {
  correctNeutral,
  faceMeasures,
  createDisentangler,
  createModelStore,
  INNER_LIP_PAIRS,
  initBackend,
  PRESETS_PATH,
  regionWeights,
  retarget,
  TEMPLATE,
  MEASURE_NAMES,
  type FaceMeasures,
  type NeutralStats,
  dotShapes,
  meanShape,
  subShapes,
} from '../src/engine/tools';
import { loadContextFaces, readFacesCsv, type LandmarkedFace } from '../src/node/dataset';
import { isEvalPerson } from '../src/node/eval-common';
import { fileByteSource, MODEL_DIR, ROOT } from '../src/node/platform';

const T = TEMPLATE as Point3[];
const PARTS = ['brows', 'eyes', 'mouth', 'jaw', 'rest'] as const;
type Part = (typeof PARTS)[number];

type Measures = FaceMeasures;

interface Band {
  /** Percentiles of the ranked photos whose mean displacement makes the part. */
  lo: number;
  hi: number;
  /** Ranking score from the change in measures the displacement makes on the mean neutral face; default: projection on the label's mean displacement in the part. */
  score?: (m: Measures) => number;
  /** Which photos may take part, from the photo's own measures. */
  filter?: (x: Measures) => boolean;
  why?: string;
}
type Recipe = Partial<Record<Part | 'default', Band>> & {
  /** The parts that carry the expression, scaled by a gain, and the measures that bound each one's gain. */
  strong?: Partial<Record<Exclude<Part, 'rest'>, (keyof Measures)[]>>;
};

const pressed = (m: Measures) => -m.lipHeight - m.lipGap - 0.5 * m.mouthWidth;
const cornersDown = (m: Measures) => -m.corners - m.lipGap - 0.5 * m.mouthWidth;
const oMouth = (m: Measures) => m.lipGap - m.mouthWidth;

/** Per preset and part: the band of percentiles, the score and the filter (labels of faces.csv in LABEL_OF). */
const RECIPES: Record<PresetName, Recipe> = {
  happy: {
    default: { lo: 0.9, hi: 0.99 },
    brows: { lo: 0.7, hi: 0.95 },
    mouth: { lo: 0.9, hi: 0.99 },
    jaw: { lo: 0.9, hi: 0.99 },
    strong: { mouth: ['mouthWidth', 'corners', 'lipGap'] },
  },
  surprise: {
    default: { lo: 0.85, hi: 0.99 },
    brows: { lo: 0.95, hi: 1 },
    eyes: { lo: 0.9, hi: 1 },
    mouth: { lo: 0.9, hi: 1, score: oMouth, filter: (x) => x.lipGap < 0.4, why: 'an "O": opened, not widened; lips apart by less than 40 % IOD' },
    jaw: { lo: 0.9, hi: 1, score: oMouth, filter: (x) => x.lipGap < 0.4 },
    strong: { brows: ['brow', 'browInner', 'browOuter'], eyes: ['eyeOpen'] },
  },
  anger: {
    default: { lo: 0.7, hi: 0.95 },
    brows: { lo: 0.9, hi: 0.99, score: (m) => -m.browInner - m.browGap, why: 'brows lowered and drawn together' },
    eyes: { lo: 0.85, hi: 0.99, score: (m) => -m.eyeOpen, why: 'eyes narrowed' },
    mouth: { lo: 0.85, hi: 0.99, score: pressed, why: 'lips pressed' },
    jaw: { lo: 0.85, hi: 0.99, score: pressed },
    strong: { brows: ['browInner', 'browGap'], eyes: ['eyeOpen'] },
  },
  sadness: {
    default: { lo: 0.7, hi: 0.95 },
    brows: { lo: 0.9, hi: 0.99, score: (m) => m.browInner + 2 * (m.browInner - m.browOuter) - m.browGap, why: 'inner brows raised and drawn together' },
    mouth: { lo: 0.95, hi: 1, score: cornersDown, why: 'mouth corners down, lips closed' },
    jaw: { lo: 0.95, hi: 1, score: cornersDown },
    strong: { brows: ['browInner'], mouth: ['corners', 'mouthWidth'], jaw: ['chin'] },
  },
  // too few labelled photos to rank by part: the top half, whatever it holds (rough)
  disgust: { default: { lo: 0.5, hi: 1 } },
  fear: { default: { lo: 0.5, hi: 1 } },
};

const LABEL_OF: Record<PresetName, string> = { happy: 'happy', surprise: 'surprise', anger: 'anger', sadness: 'sad', disgust: 'disgust', fear: 'fear' };

const quantile = (v: readonly number[], q: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * s.length)))];
};
/** The gain on a band's mean stops where its first measure reaches this percentile of its label's photos. */
const STRONG_Q = 0.95;
const MAX_GAIN = 1.5;
const round = (d: readonly Point3[]) => d.map((p) => p.map((v) => +v.toFixed(5)));

/** Percent of IOD, 1 decimal, for the log. */
const pct = (x: number) => `${(100 * x).toFixed(1)}`;
/** Mean length of a displacement's points, % IOD. */
const size = (x: readonly Point3[]) => (100 * x.reduce((s, p) => s + Math.hypot(...p), 0)) / x.length;

/** What every preset is made from: the photos, their displacements and the measures of a displacement. */
interface Population {
  faces: LandmarkedFace[];
  /** Each photo's displacement from its corrected neutral, template proportions, minus the neutral photos' mean. */
  r: Point3[][];
  /** Measures of a displacement: the change it makes on the mean neutral face. */
  change: (x: readonly Point3[]) => Measures;
  weights: ReturnType<typeof regionWeights>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i < 0 ? dflt : args[i + 1];
  };
  const landmarks = resolve(flag('--landmarks', join(ROOT, 'data-out', 'landmarks-color.jsonl')));
  const data = resolve(flag('--data', join(ROOT, '..', 'shared', 'data', 'faces-color')));
  const all = loadContextFaces(readFacesCsv(data), landmarks);
  const faces = all.filter((f) => !isEvalPerson(f.person));
  console.log(`${all.length} photos with landmarks; ${faces.length} outside the evaluation split (${new Set(faces.map((f) => f.person)).size} people)`);
  const N = await neutralFaces(faces);

  const isLabel = (l: string) => faces.map((f, i) => (f.expression === l ? i : -1)).filter((i) => i >= 0);
  const neutralIdx = isLabel('neutral');
  const stats = neutralStatistics(faces, N, neutralIdx, isLabel('happy'));
  const r = displacements(faces, N, stats, neutralIdx);
  const population: Population = { faces, r, change: changeOn(stats.mean), weights: regionWeights() };
  const expressions: Record<string, unknown> = {};
  for (const name of PRESET_NAMES) {
    const idx = isLabel(LABEL_OF[name]);
    if (!idx.length) {
      console.error(`no photos labelled ${LABEL_OF[name]}`);
      continue;
    }
    expressions[name] = makePreset(name, idx, population);
  }
  writePresets({
    format: 'leed-presets',
    version: 2,
    space:
      'template: displacements fitted to the proportions of src/engine/analyse/manifold.ts TEMPLATE; apply with target.ts retarget(d, TEMPLATE, srcNeutral), srcNeutral = correctNeutral(N(x), neutral)',
    source: `training/make_presets.ts on ${faces.length} colour photos (evaluation people left out): per expression and part of the face, the mean of x - N'(x) over the photos in a band of high percentiles of a score (RECIPES), blended with target.ts regionWeights, minus the mean over neutral photos`,
    neutral: {
      bias: round(stats.bias),
      smile: round(stats.smile),
      mean: round(stats.mean),
      smileLimit: +stats.smileLimit.toFixed(5),
      closedGap: stats.closedGap.map((g) => +g.toFixed(5)),
    },
    expressions,
  });
}

/** N(x) of every photo, by the disentangler (in batches). */
async function neutralFaces(faces: readonly LandmarkedFace[]): Promise<Point3[][]> {
  await initBackend(['cpu']);
  const dis = await createDisentangler(createModelStore(fileByteSource()));
  const N: Point3[][] = [];
  for (let i = 0; i < faces.length; i += 256) N.push(...(await dis.neutralBatch(faces.slice(i, i + 256).map((f) => f.canonical))));
  dis.dispose();
  return N;
}

/** The population's neutral statistics (target.ts NeutralStats) over the neutral photos; the smile from the happy ones. */
function neutralStatistics(faces: readonly LandmarkedFace[], N: Point3[][], neutralIdx: number[], happyIdx: number[]): NeutralStats {
  const rawD = (i: number) => retarget(subShapes(faces[i].canonical, N[i]), N[i], T);
  const bias = meanShape(neutralIdx.map(rawD));
  const smile = subShapes(meanShape(happyIdx.map(rawD)), bias);
  const mean = meanShape(neutralIdx.map((i) => faces[i].canonical));
  const smileCoef = neutralIdx.map((i) => dotShapes(subShapes(faces[i].canonical, mean), smile) / dotShapes(smile, smile));
  const closedGap = INNER_LIP_PAIRS.map(([u, l]) =>
    Math.max(
      0,
      quantile(
        neutralIdx.map((i) => faces[i].canonical[l][1] - faces[i].canonical[u][1]),
        0.25,
      ),
    ),
  );
  return { bias, smile, mean, smileLimit: quantile(smileCoef, 0.5), closedGap };
}

/** Displacements from the corrected neutral, template proportions, minus the neutral photos' mean (so neutral is zero). */
function displacements(faces: readonly LandmarkedFace[], N: Point3[][], stats: NeutralStats, neutralIdx: number[]): Point3[][] {
  const d = faces.map((f, i) => {
    const n = correctNeutral(N[i], stats);
    return retarget(subShapes(f.canonical, n), n, T);
  });
  const base = meanShape(neutralIdx.map((i) => d[i]));
  const r = d.map((x) => subShapes(x, base));
  const { bias, smile, smileLimit, closedGap } = stats;
  console.log(
    `neutral statistics from ${neutralIdx.length} neutral photos: N's bias ${size(bias).toFixed(2)} % IOD mean |d|; smile direction ${size(smile).toFixed(2)}; smile limit ${smileLimit.toFixed(3)}; closed lip gap ${closedGap.map((g) => (100 * g).toFixed(1)).join(' ')} % IOD`,
  );
  console.log(`after the correction, the neutral photos' mean displacement (subtracted) is ${size(base).toFixed(2)} % IOD (${size(bias).toFixed(2)} before)`);
  return r;
}

/** Measures of a displacement: the change it makes on the face `mean` (fitted to its proportions first). */
function changeOn(mean: Point3[]): (x: readonly Point3[]) => Measures {
  const m0 = faceMeasures(mean);
  return (x) => {
    const fitted = retarget(x, T, mean);
    const m = faceMeasures(mean.map((p, i) => [p[0] + fitted[i][0], p[1] + fitted[i][1], p[2] + fitted[i][2]] as Point3));
    return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v - m0[k as keyof Measures]])) as Measures;
  };
}

/** The preset `name` from its label's photos `idx`: each part's band, the strong parts' gain, blended; logged. */
function makePreset(name: PresetName, idx: number[], pop: Population): Record<string, unknown> {
  const recipe = RECIPES[name];
  const changes = new Map(idx.map((i) => [i, pop.change(pop.r[i])]));
  const { parts, used, strength } = bandParts(recipe, idx, changes, pop);
  const gain = strongGains(recipe, idx, changes, parts, pop);
  const disp = blend(parts, gain, pop.weights);
  const m = pop.change(disp);
  console.log(
    `${name.padEnd(9)} ${String(idx.length).padStart(5)} photos; gain ${PARTS.map((p) => `${p} ${gain[p]}`).join(', ')}; photos per part ${PARTS.map((p) => `${p} ${used[p]}`).join(', ')}; percentile of the preset's score ${PARTS.map((p) => `${p} ${strength[p]}`).join(', ')}`,
  );
  console.log(
    `          change on the mean neutral face, % IOD: brows ${pct(m.brow)} (inner ${pct(m.browInner)}, outer ${pct(m.browOuter)}, apart ${pct(m.browGap)}), eyes open ${pct(m.eyeOpen)}, mouth width ${pct(m.mouthWidth)}, corners up ${pct(m.corners)}, lips apart ${pct(m.lipGap)}, red lip height ${pct(m.lipHeight)}, chin down ${pct(m.chin)}`,
  );
  return {
    count: idx.length,
    people: new Set(idx.map((i) => pop.faces[i].person)).size,
    photosPerPart: used,
    strength,
    gain,
    measuresPercentIod: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, +(100 * v).toFixed(2)])),
    // the label's real photos: 1st and 99th percentile of each measure's change (tests/target.test.ts checks the preset lies inside)
    realRangePercentIod: Object.fromEntries(
      MEASURE_NAMES.map((k) => {
        const v = idx.map((i) => changes.get(i)![k]);
        return [k, [+(100 * quantile(v, 0.01)).toFixed(2), +(100 * quantile(v, 0.99)).toFixed(2)]];
      }),
    ),
    meanSizePercentIod: +size(disp).toFixed(3),
    displacement: round(disp),
  };
}

/**
 * Each part of the preset: the photos of the label ranked by the part's score, the mean displacement of those in the
 * recipe's band; with the number of photos it took and the percentile of its own score among the label's photos.
 */
function bandParts(recipe: Recipe, idx: number[], changes: Map<number, Measures>, pop: Population) {
  const { r, faces } = pop;
  const labelMean = meanShape(idx.map((i) => r[i]));
  const own = new Map(idx.map((i) => [i, faceMeasures(faces[i].canonical)]));
  const parts = {} as Record<Part, Point3[]>;
  const used = {} as Record<Part, number>;
  const strength = {} as Record<Part, number>;
  for (const part of PARTS) {
    const band = recipe[part] ?? recipe.default!;
    const w = pop.weights.map((x) => x[part]);
    const score = (x: readonly Point3[], m: Measures) => (band.score ? band.score(m) : dotShapes(x, labelMean, w));
    const pool = idx.filter((i) => !band.filter || band.filter(own.get(i)!));
    const ranked = pool.map((i) => ({ i, s: score(r[i], changes.get(i)!) })).sort((a, b) => a.s - b.s);
    const from = Math.floor(band.lo * ranked.length);
    const keep = ranked.slice(from, Math.max(from + 1, Math.ceil(band.hi * ranked.length)));
    parts[part] = meanShape(keep.map(({ i }) => r[i]));
    used[part] = keep.length;
    const s = score(parts[part], pop.change(parts[part]));
    strength[part] = +(idx.filter((i) => score(r[i], changes.get(i)!) < s).length / idx.length).toFixed(3);
  }
  return { parts, used, strength };
}

/** The parts blended over the face by their region weights, each scaled by its gain. */
const blend = (parts: Record<Part, Point3[]>, g: Record<Part, number>, weights: Population['weights']) =>
  T.map((_, j) => [0, 1, 2].map((c) => PARTS.reduce((s, part) => s + g[part] * weights[j][part] * parts[part][j][c], 0)) as Point3);

/**
 * A band's mean is smaller than its photos: where they disagree (one smile wider, another more open) averaging
 * cancels. A gain per part brings it back, until the first of the part's measures that moves (>= 1 % IOD) reaches
 * its label's STRONG_Q percentile (or 1 - STRONG_Q going down), at most MAX_GAIN, never below 1. Only the parts
 * that carry the expression (recipe.strong) are scaled; the rest of the face (cheeks, nose sides) follows the mouth.
 */
function strongGains(recipe: Recipe, idx: number[], changes: Map<number, Measures>, parts: Record<Part, Point3[]>, pop: Population): Record<Part, number> {
  const m1 = pop.change(blend(parts, { brows: 1, eyes: 1, mouth: 1, jaw: 1, rest: 1 }, pop.weights));
  const gain: Record<Part, number> = { brows: 1, eyes: 1, mouth: 1, jaw: 1, rest: 1 };
  for (const [part, measures] of Object.entries(recipe.strong ?? {}) as [Exclude<Part, 'rest'>, (keyof Measures)[]][]) {
    let g = MAX_GAIN;
    for (const k of measures) {
      const v = m1[k];
      if (Math.abs(v) < 0.01) continue;
      const edge = quantile(
        idx.map((i) => changes.get(i)![k]),
        v > 0 ? STRONG_Q : 1 - STRONG_Q,
      );
      g = Math.min(g, Math.sign(edge) === Math.sign(v) ? edge / v : 1);
    }
    gain[part] = +Math.max(1, g).toFixed(3);
  }
  gain.rest = gain.mouth;
  return gain;
}

/** Writes public/models/leed/presets.json and its sha256 into the manifest. */
function writePresets(out: unknown): void {
  const path = join(MODEL_DIR, PRESETS_PATH);
  writeFileSync(path, `${JSON.stringify(out)}\n`);
  const manifestPath = join(MODEL_DIR, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
  manifest.files[PRESETS_PATH] = createHash('sha256').update(readFileSync(path)).digest('hex');
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${path}`);
}

await main();
