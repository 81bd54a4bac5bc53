/**
 * Ground truth on paired photos (a folder laid out like ../shared/fixtures/london: neutral/ID.jpg and
 * smiling/ID.jpg of the same person, same session; or a labelled set like ../shared/data/faces-color, faces.csv +
 * images/: for each person of the evaluation split with a neutral and a happy photo, the first of each, same person
 * but not the same day, light or pose, so the figures there are looser). Three edits, each against the real photo of the
 * expression it aims at:
 *   - "own smile": the neutral photo edited with the person's own smiling photo as the reference (vs smiling);
 *   - "happy preset": the neutral photo with the happy preset at intensity 1 (vs smiling);
 *   - "neutralized": the smiling photo edited to 'neutral' (vs neutral);
 * beside "no edit" (the source itself), "warp only" (the same edit without the refiner, the mouth interior carried
 * from an open-mouth photo, creases and fading folds) and "edit, no creases" (the renderer before creases and folds).
 * Figures, median over people (landmarks re-found on every image by the engine):
 *   - mouth NME: mouth landmarks after a similarity fit on the upper face (eyes, nose bridge, forehead), % IOD;
 *   - identity: cosine of face embeddings (Human's faceres) between the edit and the real photo;
 *   - emotion: how often the emotion model's top label is the wanted one (happy / neutral);
 *   - mouth and eye ΔE: CIE ΔE*ab (1976) between the mean Lab colour inside the region (lips' outer contour;
 *     eye contours) of the edit and of the real photo;
 *   - mouth interior chroma: mean C*ab inside the inner lip contour, edit / real (only where both are open);
 *   - sharpness: mean |Laplacian| of luminance inside the region, edit / real;
 *   - still eyes: where the eye landmarks moved under 1 % IOD, the mean absolute luminance difference of the
 *     eye regions between the edit and its source, grey levels;
 *   - teeth show: how many edits have an inner mouth (landmarks found on the edit, 10 px or more) brighter on
 *     average than their lips (between the outer and the inner lip contour); for a neutralized smile, 0 is the aim;
 *   - folds / real: fold contrast beside the mouth (eval-creases.ts foldContrast) of the edit over the real photo's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, type Editor, type Face, type Point3, type RenderOptions, type RGBAImage } from '../engine/index';
import {
  applySimilarity,
  cosine,
  createFaceDescriber,
  EMOTIONS,
  faceMeasures,
  fitSimilarity,
  curveAt,
  frameU,
  frameV,
  interOcular,
  mouthFrame,
  LANDMARK_SETS,
  type FaceDescriber,
} from '../engine/tools';
import { Failures, isEvalPerson, modelSource } from './eval-common';
import { foldContrast } from './eval-creases';

type Kind = 'no edit' | 'warp only' | 'edit, no creases' | 'edit';
const KINDS: Kind[] = ['no edit', 'warp only', 'edit, no creases', 'edit'];
const EDITS = ['own smile', 'happy preset', 'neutralized'] as const;
/** How each kind renders ('no edit' is the source photo). */
const RENDER_OF: Record<Exclude<Kind, 'no edit'>, RenderOptions> = {
  'warp only': { refiner: false, interior: false, creases: false },
  'edit, no creases': { creases: false },
  edit: {},
};

interface Measure {
  mouthNme: number;
  identity: number;
  emotionOk: number;
  mouthDE: number;
  eyeDE: number;
  mouthChroma: number | null;
  mouthSharp: number;
  eyeSharp: number;
  stillEyes: number | null;
  /** The inner mouth (found landmarks) is brighter than the lips: teeth show. False when it is closed (under 10 px). */
  teeth: boolean;
  /** Neutralized edits: upperLipTeeth on the target landmarks (null for other edits). */
  lipTeeth?: number | null;
  /** Fold contrast beside the mouth (eval-creases.ts foldContrast), over the real photo's. */
  folds: number;
}

const UPPER_FACE: readonly number[] = [33, 133, 362, 263, 168, 6, 197, 10, 151, 108, 337, 127, 356];
const MOUTH_POINTS: readonly number[] = [...LANDMARK_SETS.outerLipRing, ...LANDMARK_SETS.innerMouthRing];

function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lin = (c: number) => {
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const R = lin(r);
  const G = lin(g);
  const B = lin(b);
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

const luma = (img: RGBAImage, i: number) => 0.299 * img.data[i * 4] + 0.587 * img.data[i * 4 + 1] + 0.114 * img.data[i * 4 + 2];

/** Mean Lab, mean C*ab and mean |Laplacian| of luminance over pixel indices `px` of `img`. */
function regionStats(img: RGBAImage, px: Int32Array): { lab: [number, number, number]; chroma: number; sharp: number } {
  const lab: [number, number, number] = [0, 0, 0];
  let chroma = 0;
  let sharp = 0;
  let ns = 0;
  for (const i of px) {
    const l = srgbToLab(img.data[i * 4], img.data[i * 4 + 1], img.data[i * 4 + 2]);
    lab[0] += l[0];
    lab[1] += l[1];
    lab[2] += l[2];
    chroma += Math.hypot(l[1], l[2]);
    const x = i % img.width;
    const y = (i - x) / img.width;
    if (x > 0 && y > 0 && x < img.width - 1 && y < img.height - 1) {
      sharp += Math.abs(4 * luma(img, i) - luma(img, i - 1) - luma(img, i + 1) - luma(img, i - img.width) - luma(img, i + img.width));
      ns++;
    }
  }
  const n = Math.max(px.length, 1);
  return { lab: [lab[0] / n, lab[1] / n, lab[2] / n], chroma: chroma / n, sharp: sharp / Math.max(ns, 1) };
}

/** A function mapping `from`'s points onto `to`'s, fitted (3-D similarity) on `indices`. */
function fitSimilarityOn(from: readonly Point3[], to: readonly Point3[], indices: readonly number[]): (p: Point3) => Point3 {
  const t = fitSimilarity(from, to, indices);
  return (p) => applySimilarity(t, p);
}

/** Indices (y * width + x) of the pixels whose centres lie inside the polygon (even-odd rule). */
function polygonPixels(poly: readonly (readonly [number, number])[], width: number, height: number): Int32Array {
  const ys = poly.map((p) => p[1]);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  const out: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const xs: number[] = [];
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const [xi, yi] = poly[i];
      const [xj, yj] = poly[j];
      if (yi > y !== yj > y) xs.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(xs[k])); x <= Math.min(width - 1, Math.floor(xs[k + 1])); x++) out.push(y * width + x);
    }
  }
  return Int32Array.from(out);
}

const dE = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

function regions(img: RGBAImage, pts: readonly Point3[]) {
  const ring = (idx: readonly number[]) =>
    polygonPixels(
      idx.map((i) => [pts[i][0], pts[i][1]]),
      img.width,
      img.height,
    );
  const eyes = [ring(LANDMARK_SETS.rightEyeRing), ring(LANDMARK_SETS.leftEyeRing)];
  const eyeAll = new Int32Array(eyes[0].length + eyes[1].length);
  eyeAll.set(eyes[0]);
  eyeAll.set(eyes[1], eyes[0].length);
  const mouth = ring(LANDMARK_SETS.outerLipRing);
  const inner = ring(LANDMARK_SETS.innerMouthRing);
  const innerSet = new Set(inner);
  return { mouth, inner, lips: mouth.filter((i) => !innerSet.has(i)), eyes: eyeAll };
}

/**
 * Teeth in the lips over a closed mouth: the share of the upper lip's band along the target's upper inner lip line
 * (0.04 IOD above it, the inner 90 % of the mouth's width; target landmarks, so where the edit means the lips to be)
 * whose luminance is 40 grey levels above the lips' median (teeth; the lower lip's gloss is left out, it is as bright).
 */
function upperLipTeeth(img: RGBAImage, target: readonly Point3[]): number {
  const f = mouthFrame(target);
  const [ia, ib] = LANDMARK_SETS.mouthCorners.inner;
  const a = target[ia];
  const b = target[ib];
  const lips = regions(img, target).lips;
  const lipLuma = median(Array.from(lips, (i) => luma(img, i)));
  const band = 0.04 * f.iod;
  let n = 0;
  let bright = 0;
  const ys = LANDMARK_SETS.outerLipRing.map((i) => target[i][1]);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(img.height - 1, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(a[0], b[0]))); x <= Math.min(img.width - 1, Math.ceil(Math.max(a[0], b[0]))); x++) {
      const u = frameU(f, x, y);
      if (u < 0.05 || u > 0.95) continue;
      const above = curveAt(f.upper, u) - frameV(f, x, y);
      if (!(above > 1 && above < band)) continue;
      n++;
      if (luma(img, y * img.width + x) > lipLuma + 40) bright++;
    }
  }
  return n ? bright / n : 0;
}

const median = (v: number[]) => {
  if (!v.length) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface PairsOptions {
  backend?: 'wasm' | 'cpu';
  /** Only the first N people (a quick run). */
  limit?: number;
  log?: (line: string) => void;
}

/** One person's pair of photos. */
interface Pair {
  id: string;
  neutral: string;
  smiling: string;
}

/** The pairs in `dir`: neutral/ID.* + smiling/ID.*, or from faces.csv (evaluation-split people with both labels). */
function listPairs(dir: string, limit = Infinity): Pair[] {
  const csv = join(dir, 'faces.csv');
  if (existsSync(csv)) {
    const byPerson = new Map<string, { neutral?: string; happy?: string }>();
    for (const line of readFileSync(csv, 'utf8').split('\n').slice(1)) {
      const [person, image, label] = line.trim().split(',');
      if (!person || !image || !(label === 'neutral' || label === 'happy') || !isEvalPerson(person)) continue;
      const e = byPerson.get(person) ?? {};
      e[label] ??= image;
      byPerson.set(person, e);
    }
    return [...byPerson.entries()]
      .filter(([, e]) => e.neutral && e.happy)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([person, e]) => ({ id: person, neutral: join(dir, 'images', e.neutral!), smiling: join(dir, 'images', e.happy!) }));
  }
  const find = (sub: string, id: string) => {
    const f = readdirSync(join(dir, sub)).find((x) => x.replace(/\.[^.]+$/, '') === id);
    return join(dir, sub, f ?? `${id}.jpg`);
  };
  return readdirSync(join(dir, 'neutral'))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .map((f) => f.replace(/\.[^.]+$/, ''))
    .sort()
    .slice(0, limit)
    .map((id) => ({ id, neutral: find('neutral', id), smiling: find('smiling', id) }));
}

/** Runs the paired ground-truth section over `dir` and returns its printed text. */
export async function pairsSection(dir: string, options: PairsOptions = {}): Promise<string> {
  const log = options.log ?? (() => {});
  const editor: Editor = await createEditor({ backends: [options.backend ?? 'wasm', 'cpu'], models: modelSource(), warmUp: false });
  const describer: FaceDescriber = await createFaceDescriber(modelSource());
  const pairs = listPairs(dir, options.limit);
  const results = new Map<string, Measure[]>();
  const realRead = { neutral: 0, smiling: 0, n: 0 };
  const upper = { brow: [] as number[], eyes: [] as number[], width: [] as number[] };
  const landmarkNme: { all: number[]; mouth: number[]; smileAll: number[]; smileMouth: number[] } = { all: [], mouth: [], smileAll: [], smileMouth: [] };
  const failures = new Failures('edits');
  const open = async (bytes: Uint8Array | RGBAImage) => {
    const p = await editor.open(bytes);
    try {
      return { image: p.image, face: await p.face(0), photo: p };
    } catch (e) {
      p.dispose();
      throw e;
    }
  };
  const file = (path: string) => new Uint8Array(readFileSync(path));
  try {
    for (const [n, pair] of pairs.entries()) {
      log(`pairs: ${pair.id} (${n + 1}/${pairs.length})`);
      const neutral = await failures.attempt(() => open(file(pair.neutral)));
      const smiling = await failures.attempt(() => open(file(pair.smiling)));
      if (!neutral || !smiling) continue;
      const realEmb = {
        smile: await describer.embed(smiling.image, smiling.face.landmarks.points),
        neutral: await describer.embed(neutral.image, neutral.face.landmarks.points),
      };
      const real = { smile: smiling, neutral };
      // the real photos' own reading (the level a neutralized smile is compared with)
      const read = async (o: { image: RGBAImage; face: Face }) => {
        const e = await describer.emotion(o.image, o.face.landmarks.points);
        return EMOTIONS[e.indexOf(Math.max(...e))];
      };
      realRead.n++;
      if ((await read(neutral)) === 'neutral') realRead.neutral++;
      if ((await read(smiling)) === 'happy') realRead.smiling++;
      // landmarks only: N'(smiling) (the editor's neutral) against the real neutral photo, canonical (aligned on the upper face's stable points)
      const nSmile = await smiling.face.neutral();
      const canonNme = (a: readonly Point3[], idx: readonly number[]) =>
        (100 * idx.reduce((s, i) => s + Math.hypot(a[i][0] - neutral.face.canonical.points[i][0], a[i][1] - neutral.face.canonical.points[i][1]), 0)) /
        idx.length;
      const allIdx = nSmile.map((_, i) => i);
      landmarkNme.all.push(canonNme(nSmile, allIdx));
      landmarkNme.mouth.push(canonNme(nSmile, MOUTH_POINTS));
      landmarkNme.smileAll.push(canonNme(smiling.face.canonical.points, allIdx));
      landmarkNme.smileMouth.push(canonNme(smiling.face.canonical.points, MOUTH_POINTS));
      // upper face: what the mesh sees the brows and eyes do between the two photos (% IOD, canonical)
      const [mn, ms] = [faceMeasures(neutral.face.canonical.points), faceMeasures(smiling.face.canonical.points)];
      upper.brow.push(100 * (ms.brow - mn.brow));
      upper.eyes.push(100 * (ms.eyeOpen - mn.eyeOpen));
      upper.width.push(100 * (ms.mouthWidth - mn.mouthWidth));
      for (const name of EDITS) {
        const src = name === 'neutralized' ? smiling : neutral;
        const goal = name === 'neutralized' ? real.neutral : real.smile;
        const goalEmb = name === 'neutralized' ? realEmb.neutral : realEmb.smile;
        const wanted = name === 'neutralized' ? 'neutral' : 'happy';
        const edit = await failures.attempt(() =>
          src.face.edit(name === 'own smile' ? smiling.face : name === 'happy preset' ? { preset: 'happy' } : 'neutral'),
        );
        if (!edit) continue;
        for (const kind of KINDS) {
          const out = kind === 'no edit' ? src.image : await failures.attempt(() => edit.renderFull(1, { ...RENDER_OF[kind], exact: true }));
          if (!out) continue;
          const found = kind === 'no edit' ? src : await failures.attempt(() => open(out));
          if (!found) continue;
          const m = measure(out, found.face, goal.image, goal.face, src.image, src.face);
          const emb = await describer.embed(out, found.face.landmarks.points);
          const emo = await describer.emotion(out, found.face.landmarks.points);
          const top = EMOTIONS[emo.indexOf(Math.max(...emo))];
          m.identity = cosine(emb, goalEmb);
          m.emotionOk = top === wanted ? 1 : 0;
          if (name === 'neutralized' && kind !== 'no edit') m.lipTeeth = upperLipTeeth(out, edit.target(1));
          if (kind === 'edit' && (m.lipTeeth ?? 0) > 0.05)
            log(`pairs: ${pair.id}: teeth in the upper lip over the neutralized mouth (${(100 * m.lipTeeth!).toFixed(1)} %)`);
          if (m.teeth && name === 'neutralized' && kind === 'edit') log(`pairs: ${pair.id}: teeth show on the neutralized smile`);
          const key = `${name}|${kind}`;
          results.set(key, [...(results.get(key) ?? []), m]);
          if (found !== src) found.photo.dispose();
        }
        edit.dispose();
      }
      neutral.photo.dispose();
      smiling.photo.dispose();
    }
  } finally {
    describer.dispose();
    editor.dispose();
  }
  const extra = [
    '',
    `Real photos: the neutral ones read as neutral ${realRead.neutral}/${realRead.n}, the smiling ones as happy ${realRead.smiling}/${realRead.n}.`,
    `Upper face, smiling vs neutral photo (mesh, canonical, % IOD, median [min, max] over people): brows ${median(upper.brow).toFixed(1)} [${Math.min(...upper.brow).toFixed(1)}, ${Math.max(...upper.brow).toFixed(1)}], eye opening ${median(upper.eyes).toFixed(1)} [${Math.min(...upper.eyes).toFixed(1)}, ${Math.max(...upper.eyes).toFixed(1)}] (mouth width ${median(upper.width).toFixed(1)}).`,
    `Landmarks only (no render), canonical (aligned on the upper face's stable points), mean NME % IOD against the person's real neutral photo: the editor's neutral of the smiling photo ${median(landmarkNme.all).toFixed(2)} (mouth ${median(landmarkNme.mouth).toFixed(2)}) vs the smiling photo itself ${median(landmarkNme.smileAll).toFixed(2)} (mouth ${median(landmarkNme.smileMouth).toFixed(2)}); medians over people.`,
  ];
  return report(dir, pairs.length, results, failures) + extra.join('\n');
}

function measure(img: RGBAImage, face: Face, goal: RGBAImage, goalFace: Face, src: RGBAImage, srcFace: Face): Measure {
  const pts = face.landmarks.points;
  const gp = goalFace.landmarks.points;
  // mouth landmarks after aligning on the upper face
  const t = fitSimilarityOn(pts, gp, UPPER_FACE);
  const iod = interOcular(gp);
  let nme = 0;
  for (const i of MOUTH_POINTS) {
    const p = t(pts[i]);
    nme += Math.hypot(p[0] - gp[i][0], p[1] - gp[i][1]);
  }
  nme = (100 * nme) / MOUTH_POINTS.length / iod;
  const r = regions(img, pts);
  const g = regions(goal, gp);
  const mouth = regionStats(img, r.mouth);
  const mouthG = regionStats(goal, g.mouth);
  const eyes = regionStats(img, r.eyes);
  const eyesG = regionStats(goal, g.eyes);
  const innerOpen = r.inner.length > 30 && g.inner.length > 30;
  // still eyes: the eye landmarks barely moved between the source and the edit
  const sp = srcFace.landmarks.points;
  const eyeIdx = [...LANDMARK_SETS.rightEyeRing, ...LANDMARK_SETS.leftEyeRing];
  const tS = fitSimilarityOn(pts, sp, UPPER_FACE);
  const eyeMove =
    eyeIdx.reduce((s, i) => {
      const p = tS(pts[i]);
      return s + Math.hypot(p[0] - sp[i][0], p[1] - sp[i][1]);
    }, 0) /
    eyeIdx.length /
    interOcular(sp);
  let stillEyes: number | null = null;
  if (eyeMove < 0.01) {
    const se = regions(src, sp).eyes;
    let d = 0;
    for (const i of se) d += Math.abs(luma(img, i) - luma(src, i));
    stillEyes = d / Math.max(se.length, 1);
  }
  const meanLuma = (px: Int32Array) => px.reduce((a, i) => a + luma(img, i), 0) / Math.max(px.length, 1);
  const teeth = r.inner.length >= 10 && meanLuma(r.inner) > meanLuma(r.lips);
  return {
    teeth,
    mouthNme: nme,
    identity: 0,
    emotionOk: 0,
    mouthDE: dE(mouth.lab, mouthG.lab),
    eyeDE: dE(eyes.lab, eyesG.lab),
    mouthChroma: innerOpen ? regionStats(img, r.inner).chroma / Math.max(regionStats(goal, g.inner).chroma, 1e-6) : null,
    mouthSharp: mouth.sharp / mouthG.sharp,
    eyeSharp: eyes.sharp / eyesG.sharp,
    stillEyes,
    folds: foldContrast(img, pts) / foldContrast(goal, gp),
  };
}

function report(dir: string, people: number, results: Map<string, Measure[]>, failures: Failures): string {
  const lines = [`${dir}: ${people} people; medians over people; each edit against the real photo of the expression it aims at.`, ''];
  lines.push(
    '| edit | kind | mouth NME % IOD | identity cos | emotion agrees | mouth ΔE | eye ΔE | mouth interior chroma / real (n) | mouth sharpness / real | eye sharpness / real | still eyes: grey levels vs source (n) | teeth show | folds / real |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  for (const name of EDITS)
    for (const kind of KINDS) {
      const ms = results.get(`${name}|${kind}`) ?? [];
      if (!ms.length) continue;
      const chroma = ms.map((m) => m.mouthChroma).filter((x): x is number => x !== null);
      const still = ms.map((m) => m.stillEyes).filter((x): x is number => x !== null);
      const ok = ms.reduce((s, m) => s + m.emotionOk, 0);
      lines.push(
        `| ${name} | ${kind} | ${f(median(ms.map((m) => m.mouthNme)))} | ${f(median(ms.map((m) => m.identity)), 3)} | ${ok}/${ms.length} | ${f(median(ms.map((m) => m.mouthDE)), 1)} | ${f(median(ms.map((m) => m.eyeDE)), 1)} | ${f(median(chroma))} (${chroma.length}) | ${f(median(ms.map((m) => m.mouthSharp)))} | ${f(median(ms.map((m) => m.eyeSharp)))} | ${f(median(still), 1)} (${still.length}) | ${ms.filter((m) => m.teeth).length}/${ms.length} | ${f(median(ms.map((m) => m.folds)))} |`,
      );
    }
  const lipTeeth = (kind: string) => (results.get(`neutralized|${kind}`) ?? []).map((m) => m.lipTeeth).filter((x): x is number => typeof x === 'number');
  const lt = KINDS.filter((k) => k !== 'no edit').map((k) => {
    const v = lipTeeth(k);
    return `${k}: median ${f(100 * median(v), 1)} %, over 5 % on ${v.filter((x) => x > 0.05).length}/${v.length}`;
  });
  lines.push(
    '',
    `Neutralized smiles, teeth in the upper lip over the closed mouth (the band 0.04 IOD above the target's upper inner lip line, pixels 40 grey levels above the lips' median): ${lt.join('; ')}.`,
  );
  lines.push('', failures.toString());
  return lines.join('\n');
}
