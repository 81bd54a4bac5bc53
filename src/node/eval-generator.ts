/**
 * Expression figures of the evaluation (LEED-DESIGN.md, "Evaluation"; issue 11), on the people of the evaluation split
 * (eval-common.ts isEvalPerson: left out of the presets), edits made through the editing API the app uses
 * (editor.open -> photo.face -> face.edit(reference) -> edit.render), measured with the emotion model and the face
 * description model of @vladmandic/human and with the landmarks the engine finds again on the edited image:
 *
 * - ceiling: how often the emotion model reads real photos of each label as that label (the reference every other
 *   agreement is divided by);
 * - upper face: how far the mesh sees brows and eyes move between a person's neutral and expressive photos;
 * - presets: each preset at intensity 1 and 1.5 on neutral sources: agreement, identity (cosine of face embeddings,
 *   source vs edit, beside the same-person level), the landmarks found on the edit against x_t, and how much of the
 *   target's brow and eye motion the mesh finds on the render; warp only (no refiner) at intensity 1 as the baseline;
 * - reference transfer: another person's expressive photo as the reference: how much of the reference's displacement
 *   arrives (projection on it over the image plane, canonical IOD units) at each stage: fitted (retarget), target x_t,
 *   render (landmarks found on the edit, in the source's canonical frame), and whether the edit reads as the
 *   reference's label;
 * - neutralized smiles: happy-labelled photos edited to 'neutral', read as neutral, beside real neutral photos, and
 *   where the smile still reads (the emotion model with the eyes, the mouth, or the cheeks and folds blurred).
 * Every engine failure is counted by error code and printed under its table.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createEditor,
  EditorError,
  encodeImage,
  ErrorCode,
  REGIONS,
  type Edit,
  type Editor,
  type Face,
  type Point3,
  type PresetName,
  type Reference,
  type RGBAImage,
} from '../engine/index';
import {
  applyPatch,
  cosine,
  createFaceDescriber,
  decodeImage,
  EMOTIONS,
  faceMeasures,
  invertSimilarity,
  nearestFace,
  nme,
  padImage,
  regionWeights,
  targetCanonical,
  type Emotion,
  type FaceDescriber,
  type FaceMeasures,
  type Similarity,
  dotShapes,
  meanShape,
  subShapes,
} from '../engine/tools';
import {
  f1,
  f2,
  Failures,
  isEvalPerson,
  mean,
  median,
  medianRange,
  modelSource,
  sd,
  spread,
  type EvalContext,
  type EvalFace,
  type EvalSection,
} from './eval-common';
import { pointWasmAtNodeModules } from './platform';

/** Emotion-model label each preset should read as. */
const PRESET_EMOTION: Record<PresetName, Emotion> = {
  happy: 'happy',
  surprise: 'surprise',
  anger: 'angry',
  sadness: 'sad',
  disgust: 'disgust',
  fear: 'fear',
};
/** Emotion-model label of each faces.csv label. */
const LABEL_EMOTION: Record<string, Emotion> = {
  neutral: 'neutral',
  happy: 'happy',
  surprise: 'surprise',
  anger: 'angry',
  sad: 'sad',
  disgust: 'disgust',
  fear: 'fear',
};
const PAD = 64;
const INTENSITIES = [1, 1.5] as const;

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const pc = (k: number, n: number) => (n ? `${k}/${n} = ${((100 * k) / n).toFixed(0)} %` : '-');
const topEmotion = (p: Float32Array): Emotion => EMOTIONS[p.indexOf(Math.max(...p))];
/**
 * Landmarks found on an edited image, in the source face's canonical frame (the frame x_t is computed in): the edit
 * moves pixels, not the head, so the source's transform is the one to undo. A face's own canonical frame is fitted to
 * its stable points, which the mesh sees move with the expression (on 250 px news photos, a chin raised 4 px moved the
 * found frame enough to hide the mouth corners' 2 px rise).
 */
export const inSourceFrame = (found: readonly Point3[], src: Similarity) => found.map((p) => invertSimilarity(src, p));
/**
 * Sums for a pooled projection over many edits, per part of the face: for each part (all of it, then each region of
 * target.ts: each landmark's d and r weighted by its membership w in it, so d.r counts w^2), sum of d.r and of r.r over
 * the image plane. Their ratio is how much of the references' displacement arrives with every edit weighed by how
 * much its reference moves, where a median of per-edit ratios lets a faint reference (a small r.r, mostly mesh noise)
 * count as much as a strong one.
 */
export class PooledAlong {
  static readonly PARTS = ['all', ...REGIONS] as const;
  private static weights: number[][] | null = null;
  readonly num = new Map<string, number>();
  readonly den = new Map<string, number>();
  add(d: readonly Point3[], r: readonly Point3[]): void {
    PooledAlong.weights ??= regionWeights().map((w) => REGIONS.map((g) => w[g]));
    const w = PooledAlong.weights;
    PooledAlong.PARTS.forEach((part, k) => {
      let dr = 0;
      let rr = 0;
      for (let i = 0; i < r.length; i++) {
        const m = k === 0 ? 1 : w[i][k - 1] ** 2;
        dr += m * (d[i][0] * r[i][0] + d[i][1] * r[i][1]);
        rr += m * (r[i][0] * r[i][0] + r[i][1] * r[i][1]);
      }
      this.num.set(part, (this.num.get(part) ?? 0) + dr);
      this.den.set(part, (this.den.get(part) ?? 0) + rr);
    });
  }
  /** Share that arrives in `part`; NaN with nothing added. */
  ratio(part: (typeof PooledAlong.PARTS)[number]): number {
    return (this.num.get(part) ?? Number.NaN) / (this.den.get(part) ?? Number.NaN);
  }
  /** The part's share of the references' whole displacement (r.r in the part over r.r of the face). */
  share(part: (typeof PooledAlong.PARTS)[number]): number {
    return (this.den.get(part) ?? Number.NaN) / (this.den.get('all') ?? Number.NaN);
  }
}

/** Projection of d on r over the image plane (x, y): a 2-D edit renders no depth, and the mesh's depth is its guess. */
export const alongXY = (d: readonly Point3[], r: readonly Point3[]) => {
  let dr = 0;
  let rr = 0;
  for (let i = 0; i < r.length; i++) {
    dr += d[i][0] * r[i][0] + d[i][1] * r[i][1];
    rr += r[i][0] * r[i][0] + r[i][1] * r[i][1];
  }
  return dr / rr;
};
/** Change of each measure from `a` to `b`, % IOD. */
const measureChange = (a: readonly Point3[], b: readonly Point3[]) => {
  const ma = faceMeasures(a);
  const mb = faceMeasures(b);
  return Object.fromEntries(Object.keys(ma).map((k) => [k, 100 * (mb[k as keyof FaceMeasures] - ma[k as keyof FaceMeasures])])) as FaceMeasures;
};

/** The evaluation split's photos, by label, in file order. */
function splitByLabel(ctx: EvalContext): Map<string, EvalFace[]> {
  const m = new Map<string, EvalFace[]>();
  for (const f of ctx.faces) if (isEvalPerson(f.person)) m.set(f.expression, [...(m.get(f.expression) ?? []), f]);
  return m;
}

/** One source photo per person: the first neutral photo of each evaluation person. */
function neutralSources(ctx: EvalContext): EvalFace[] {
  const out: EvalFace[] = [];
  for (const [person, list] of ctx.byPerson) {
    if (!isEvalPerson(person)) continue;
    const f = list.find((x) => x.expression === 'neutral');
    if (f) out.push(f);
  }
  return out;
}

/** Shared per run: the models, decoded photos, and the emotion model's reading of real photos. */
interface Kit {
  editor: Editor;
  describer: FaceDescriber;
  image(f: EvalFace): Promise<RGBAImage>;
  /** Emotion probabilities of a real photo at its landmark file's points. */
  realEmotion(f: EvalFace): Promise<Float32Array>;
  /** Share of the evaluation split's photos of each label the emotion model reads as that label. */
  ceiling: Map<string, { agree: number; n: number; counts: Record<Emotion, number> }>;
}
const kits = new WeakMap<EvalContext, Promise<Kit>>();

function kit(ctx: EvalContext): Promise<Kit> {
  let k = kits.get(ctx);
  if (!k) {
    k = (async () => {
      pointWasmAtNodeModules();
      const editor = await createEditor({ backends: [ctx.backend, 'cpu'], models: modelSource(), warmUp: false });
      const describer = await createFaceDescriber(modelSource());
      const images = new Map<string, RGBAImage>();
      const image = async (f: EvalFace) => {
        let img = images.get(f.image);
        if (!img) {
          img = padImage(await decodeImage(readFileSync(join(ctx.dir, 'images', f.image))), PAD);
          if (images.size > 200) images.clear();
          images.set(f.image, img);
        }
        return img;
      };
      const shifted = (pts: Point3[]) => pts.map((p) => [p[0] + PAD, p[1] + PAD, p[2]] as Point3);
      const emotions = new Map<string, Float32Array>();
      const realEmotion = async (f: EvalFace) => {
        let e = emotions.get(f.image);
        if (!e) {
          e = await describer.emotion(await image(f), shifted(f.points));
          emotions.set(f.image, e);
        }
        return e;
      };
      const ceiling: Kit['ceiling'] = new Map();
      for (const [label, list] of splitByLabel(ctx)) {
        const emo = LABEL_EMOTION[label];
        if (!emo) continue;
        const counts = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
        for (const f of list) counts[topEmotion(await realEmotion(f))]++;
        ceiling.set(label, { agree: counts[emo], n: list.length, counts });
      }
      return { editor, describer, image, realEmotion, ceiling };
    })();
    kits.set(ctx, k);
  }
  return k;
}

/** Disposes the models of a run (eval-cli calls it after the last section). */
export async function disposeKit(ctx: EvalContext): Promise<void> {
  const k = kits.get(ctx);
  if (!k) return;
  const { editor, describer } = await k;
  describer.dispose();
  editor.dispose();
  kits.delete(ctx);
}

const ceilingShare = (k: Kit, label: string) => {
  const c = k.ceiling.get(label);
  return c?.n ? c.agree / c.n : Number.NaN;
};

export const ceilingSection: EvalSection = {
  name: 'Ceiling: the emotion model on real photos of each label (evaluation people)',
  async run(ctx) {
    const k = await kit(ctx);
    const out = ['How often the emotion model reads real photos of the evaluation split as their own label: the level an edit is compared with.', ''];
    out.push(`| label | photos | read as the label | ${EMOTIONS.join(' | ')} |`, `| --- | --- | --- | ${EMOTIONS.map(() => '---').join(' | ')} |`);
    for (const label of ['neutral', 'happy', 'surprise', 'anger', 'sad', 'disgust', 'fear']) {
      const c = k.ceiling.get(label);
      if (!c) continue;
      out.push(`| ${label} (${LABEL_EMOTION[label]}) | ${c.n} | ${pc(c.agree, c.n)} | ${EMOTIONS.map((e) => c.counts[e]).join(' | ')} |`);
    }
    return out.join('\n');
  },
};

export const upperFaceSection: EvalSection = {
  name: 'Upper face: brow and eye motion the face mesh sees (real photos, same person)',
  async run(ctx) {
    const out = [
      "Change from the mean of a person's neutral photos to each of their expressive photos, canonical landmarks, % IOD (all people of the folder with both; labels used for evaluation only). brow = mean height of the 20 brow points; inner / outer = the four innermost / outermost; apart = distance of the inner ends; eyes = lid opening.",
      '',
    ];
    out.push(
      '| label | photos | brow raise: median [p10, p90] | inner brow | outer brow | brows apart | eyes open: median [p10, p90] | neutral vs other neutral, brow: median [p10, p90] |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    const rows = new Map<string, FaceMeasures[]>();
    for (const list of ctx.byPerson.values()) {
      const neu = list.filter((f) => f.expression === 'neutral');
      if (!neu.length) continue;
      for (const f of list) {
        const refs = f.expression === 'neutral' ? neu.filter((g) => g !== f) : neu;
        if (!refs.length || f.expression === 'unlabelled') continue;
        const c = measureChange(meanShape(refs.map((g) => g.canonical)), f.canonical);
        rows.set(f.expression, [...(rows.get(f.expression) ?? []), c]);
      }
    }
    const neutralBrow = (rows.get('neutral') ?? []).map((m) => m.brow);
    for (const label of ['surprise', 'fear', 'anger', 'sad', 'happy', 'disgust']) {
      const l = rows.get(label);
      if (!l?.length) continue;
      out.push(
        `| ${label} | ${l.length} | ${medianRange(l.map((m) => m.brow))} | ${f1(median(l.map((m) => m.browInner)))} | ${f1(median(l.map((m) => m.browOuter)))} | ${f1(median(l.map((m) => m.browGap)))} | ${medianRange(l.map((m) => m.eyeOpen))} | ${medianRange(neutralBrow)} |`,
      );
    }
    return out.join('\n');
  },
};

/**
 * With LEED_EVAL_SAVE=<folder>, the section's edited photos are written there as PNG (to judge the edits by eye:
 * the figures alone can look good over a picture that looks wrong).
 */
async function saveForEye(img: RGBAImage, name: string): Promise<void> {
  const dir = process.env.LEED_EVAL_SAVE;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.png`), (await encodeImage(img, 'png')) as Uint8Array);
}

interface Rendered {
  img: RGBAImage;
  motionScale: number;
}
async function renderAt(edit: Edit, a: number, refiner: boolean, img: RGBAImage): Promise<Rendered> {
  const patch = await edit.render(a, { refiner });
  return { img: applyPatch(img, patch), motionScale: patch.motionScale };
}

/** The face the engine finds on an edited image (nearest the centre), or undefined (counted in `fails`). */
async function refind(editor: Editor, img: RGBAImage, fails: Failures): Promise<Face | undefined> {
  return fails.attempt(async () => {
    const photo = await editor.open(img);
    try {
      if (!photo.faces.length) throw new EditorError(ErrorCode.NO_FACE, 'on the edited photo');
      return await photo.face(nearestFace(photo.faces, [img.width / 2, img.height / 2]));
    } finally {
      photo.dispose();
    }
  });
}

/** Identity reference levels: two photos of the same person, and two different people (evaluation split). */
async function identityLevels(ctx: EvalContext, k: Kit, pairs: number): Promise<{ same: number[]; diff: number[] }> {
  const shifted = (pts: Point3[]) => pts.map((p) => [p[0] + PAD, p[1] + PAD, p[2]] as Point3);
  const emb = async (f: EvalFace) => k.describer.embed(await k.image(f), shifted(f.points));
  const people = [...ctx.byPerson.entries()].filter(([p]) => isEvalPerson(p)).map(([, l]) => l);
  const same: number[] = [];
  for (const l of spread(
    people.filter((x) => x.length >= 2),
    pairs,
  ))
    same.push(cosine(await emb(l[0]), await emb(l[1])));
  const diff: number[] = [];
  for (let i = 0; i + 1 < people.length && diff.length < pairs; i += 2) diff.push(cosine(await emb(people[i][0]), await emb(people[i + 1][0])));
  return { same, diff };
}

interface Opened {
  face: Face;
  img: RGBAImage;
  dispose(): void;
}
async function openFace(k: Kit, f: EvalFace, fails: Failures): Promise<Opened | undefined> {
  const img = await k.image(f);
  return fails.attempt(async () => {
    const photo = await k.editor.open(img);
    try {
      const face = await photo.face(nearestFace(photo.faces, [img.width / 2, img.height / 2]));
      await face.neutral();
      return { face, img, dispose: () => photo.dispose() };
    } catch (e) {
      photo.dispose();
      throw e;
    }
  });
}

export function presetsSection(options: { sources?: number; pairs?: number; presets?: readonly PresetName[] } = {}): EvalSection {
  return {
    name: 'Presets on neutral sources: expression agreement at intensity 1 and 1.5, identity, landmarks on the edit',
    async run(ctx) {
      const k = await kit(ctx);
      const sources = spread(neutralSources(ctx), options.sources ?? 12);
      const presets = k.editor.capabilities.presets.filter((p) => !options.presets || options.presets.includes(p));
      const srcFails = new Failures('source photos (open, face, N(x))');
      const editFails = new Failures('edits (render)');
      const found = new Failures('landmarks on the edited photo (emotion and identity read at x_t without them)');
      type Cell = {
        emo: Record<Emotion, number>;
        n: number;
        id: number[];
        nme: number[];
        browT: number[];
        browF: number[];
        eyeT: number[];
        eyeF: number[];
        scale: number[];
      };
      const cell = (): Cell => ({
        emo: Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>,
        n: 0,
        id: [],
        nme: [],
        browT: [],
        browF: [],
        eyeT: [],
        eyeF: [],
        scale: [],
      });
      const cells = new Map<string, Cell>();
      const get = (key: string) => {
        let c = cells.get(key);
        if (!c) {
          c = cell();
          cells.set(key, c);
        }
        return c;
      };
      const unedited = cell();
      for (const src of sources) {
        const o = await openFace(k, src, srcFails);
        if (!o) continue;
        try {
          const srcEmb = await k.describer.embed(o.img, o.face.landmarks.points);
          unedited.emo[topEmotion(await k.describer.emotion(o.img, o.face.landmarks.points))]++;
          unedited.n++;
          for (const preset of presets) {
            const edit = await editFails.attempt(() => o.face.edit({ preset }));
            if (!edit) continue;
            try {
              const runs: [string, number, boolean][] = [
                ...INTENSITIES.map((a) => [`${preset}|${a}`, a, true] as [string, number, boolean]),
                [`${preset}|warp`, 1, false],
              ];
              for (const [key, a, refiner] of runs) {
                const r = await editFails.attempt(() => renderAt(edit, a, refiner, o.img));
                if (!r) continue;
                await saveForEye(r.img, `${src.image.replace(/[^\w.-]+/g, '_')}-${key.replace('|', '-')}`);
                const target = edit.target(a);
                const face = await refind(k.editor, r.img, found);
                const pts = face ? face.landmarks.points : target;
                const c = get(key);
                c.n++;
                c.emo[topEmotion(await k.describer.emotion(r.img, pts))]++;
                c.id.push(cosine(srcEmb, await k.describer.embed(r.img, pts)));
                c.scale.push(r.motionScale);
                if (face && refiner) {
                  c.nme.push(nme(face.landmarks.points, target));
                  // brow and eye change, source -> target and source -> found (canonical: the found face's own fit)
                  const xt = targetCanonical(o.face.canonical.points, await o.face.neutral(), edit.displacement, a);
                  const ct = measureChange(o.face.canonical.points, xt);
                  const cf = measureChange(o.face.canonical.points, inSourceFrame(face.landmarks.points, o.face.canonical.transform));
                  c.browT.push(ct.brow);
                  c.browF.push(cf.brow);
                  c.eyeT.push(ct.eyeOpen);
                  c.eyeF.push(cf.eyeOpen);
                }
              }
            } finally {
              edit.dispose();
            }
          }
        } finally {
          o.dispose();
        }
      }
      const { same, diff } = await identityLevels(ctx, k, options.pairs ?? 100);
      const out = [
        `${unedited.n} neutral source photos (evaluation people, one each) x ${presets.length} presets; warp + refiner at intensity 1 and 1.5, warp only at 1; backend ${k.editor.backend.name}.`,
        '',
      ];
      out.push(
        'Agreement: the emotion model\'s top label on the edit is the preset\'s; "x ceiling" divides it by the share of real photos of that label it reads so (ceiling section).',
        '',
      );
      out.push(
        '| preset | intensity 1 | x ceiling | intensity 1.5 | x ceiling | warp only, 1 | what intensity 1 reads as |',
        '| --- | --- | --- | --- | --- | --- | --- |',
      );
      const label = (p: PresetName) => Object.entries(LABEL_EMOTION).find(([, e]) => e === PRESET_EMOTION[p])![0];
      for (const p of presets) {
        const want = PRESET_EMOTION[p];
        const ceil = ceilingShare(k, label(p));
        const [c1, c15, cw] = [get(`${p}|1`), get(`${p}|1.5`), get(`${p}|warp`)];
        const spreadOf = EMOTIONS.filter((e) => c1.emo[e])
          .map((e) => `${e} ${c1.emo[e]}`)
          .join(', ');
        out.push(
          `| ${p} (${want}) | ${pc(c1.emo[want], c1.n)} | ${f2(c1.emo[want] / c1.n / ceil)} | ${pc(c15.emo[want], c15.n)} | ${f2(c15.emo[want] / c15.n / ceil)} | ${pc(cw.emo[want], cw.n)} | ${spreadOf} |`,
        );
      }
      out.push(
        '',
        `Unedited sources: ${EMOTIONS.filter((e) => unedited.emo[e])
          .map((e) => `${e} ${unedited.emo[e]}`)
          .join(', ')} (of ${unedited.n}).`,
        '',
      );
      out.push(
        '| preset | identity cos, 1 (mean ± sd) | identity cos, 1.5 | warp only, 1 | landmarks found vs x_t, NME % IOD (1 / 1.5) | brow change x_t -> found, % IOD (1) | eye opening x_t -> found (1) | render motion scale < 1 |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const p of presets) {
        const [c1, c15, cw] = [get(`${p}|1`), get(`${p}|1.5`), get(`${p}|warp`)];
        const scaled = [...c1.scale, ...c15.scale].filter((s) => s < 1).length;
        out.push(
          `| ${p} | ${f3(mean(c1.id))} ± ${f3(sd(c1.id))} | ${f3(mean(c15.id))} | ${f3(mean(cw.id))} | ${f2(mean(c1.nme))} / ${f2(mean(c15.nme))} | ${f1(mean(c1.browT))} -> ${f1(mean(c1.browF))} | ${f1(mean(c1.eyeT))} -> ${f1(mean(c1.eyeF))} | ${scaled} of ${c1.scale.length + c15.scale.length} |`,
        );
      }
      out.push(
        '',
        `Identity levels (evaluation people): same person, two photos ${f3(mean(same))} ± ${f3(sd(same))} (${same.length} pairs); different people ${f3(mean(diff))} ± ${f3(sd(diff))} (${diff.length} pairs).`,
      );
      out.push('', `${srcFails}`, `${editFails}`, `${found}`);
      return out.join('\n');
    },
  };
}

const REF_LABELS = ['happy', 'surprise', 'anger', 'sad'] as const;

export function transferSection(options: { refs?: number } = {}): EvalSection {
  return {
    name: "Reference transfer: another person's expression as the reference",
    async run(ctx) {
      const k = await kit(ctx);
      const split = splitByLabel(ctx);
      const sources = neutralSources(ctx);
      const srcFails = new Failures('photos (open, face, N(x))');
      const editFails = new Failures('edits (render)');
      const found = new Failures('landmarks on the edited photo');
      type Row = {
        fit: number;
        target: number;
        render: number;
        render3d: number;
        real: number[];
        agree: number;
        refAgree: number;
        sameAsRef: number;
        n: number;
        nFound: number;
        pooledTarget: PooledAlong;
        pooledRender: PooledAlong;
      };
      const rows = new Map<string, Row>();
      const perRef = options.refs ?? 6;
      let s = 0;
      for (const label of REF_LABELS) {
        const refs = spread(split.get(label) ?? [], perRef);
        const row: Row = {
          fit: 0,
          target: 0,
          render: 0,
          render3d: 0,
          real: [],
          agree: 0,
          refAgree: 0,
          sameAsRef: 0,
          n: 0,
          nFound: 0,
          pooledTarget: new PooledAlong(),
          pooledRender: new PooledAlong(),
        };
        rows.set(label, row);
        const fits: number[] = [];
        const targets: number[] = [];
        const renders: number[] = [];
        const renders3d: number[] = [];
        const realFit: number[] = [];
        for (const refFace of refs) {
          let src = sources[s++ % sources.length];
          if (src.person === refFace.person) src = sources[s++ % sources.length];
          const ref = await openFace(k, refFace, srcFails);
          const o = ref && (await openFace(k, src, srcFails));
          if (!ref || !o) {
            ref?.dispose();
            continue;
          }
          try {
            const refN = await ref.face.neutral();
            const srcN = await o.face.neutral();
            // the reference's displacement, canonical IOD units: what LEED transfers (x - N'(x)) ...
            const dRef = subShapes(ref.face.canonical.points, refN);
            const along = (d: readonly Point3[]) => alongXY(d, dRef);
            // ... and, where the reference person has neutral photos, its real displacement from them
            const ownNeutral = (ctx.byPerson.get(refFace.person) ?? []).filter((f) => f.expression === 'neutral');
            const dReal = ownNeutral.length ? subShapes(refFace.canonical, meanShape(ownNeutral.map((f) => f.canonical))) : null;
            const edit = await editFails.attempt(() => o.face.edit(ref.face as Reference));
            if (!edit) continue;
            try {
              const r = await editFails.attempt(() => renderAt(edit, 1, true, o.img));
              if (!r) continue;
              const xt = targetCanonical(o.face.canonical.points, srcN, edit.displacement, 1);
              fits.push(along(edit.displacement as Point3[]));
              targets.push(along(subShapes(xt, o.face.canonical.points)));
              const face = await refind(k.editor, r.img, found);
              const pts = face ? face.landmarks.points : edit.target(1);
              if (face) {
                const dEdit = subShapes(inSourceFrame(face.landmarks.points, o.face.canonical.transform), o.face.canonical.points);
                renders.push(along(dEdit));
                row.pooledTarget.add(subShapes(xt, o.face.canonical.points), dRef);
                row.pooledRender.add(dEdit, dRef);
                // the measure before 2026-11-30: 3-D, in the found face's own canonical frame
                const own = subShapes(face.canonical.points, o.face.canonical.points);
                renders3d.push(dotShapes(own, dRef) / dotShapes(dRef, dRef));
                if (dReal) realFit.push(alongXY(dEdit, dReal));
              }
              const top = topEmotion(await k.describer.emotion(r.img, pts));
              const refTop = topEmotion(await k.realEmotion(refFace));
              row.n++;
              if (top === LABEL_EMOTION[label]) row.agree++;
              if (refTop === LABEL_EMOTION[label]) row.refAgree++;
              if (top === refTop) row.sameAsRef++;
            } finally {
              edit.dispose();
            }
          } finally {
            ref.dispose();
            o.dispose();
          }
        }
        row.fit = median(fits);
        row.target = median(targets);
        row.render = median(renders);
        row.render3d = median(renders3d);
        row.real = realFit;
        row.nFound = renders.length;
      }
      const out = [
        `References: ${perRef} photos per label of evaluation people, each on a neutral source photo of another evaluation person, intensity 1, warp + refiner.`,
      ];
      out.push(
        "\"Arrives\": projection of the edit's displacement on the reference's (x_ref - N'(x_ref)) over the image plane (x, y: a 2-D edit renders no depth), canonical IOD units; 1 = all of it (retarget scales it by the source's proportions to the reference's, part by part: about 1 on average). Stages: fitted (retarget to the source), target (x_t - x_src), render (landmarks found on the edit, taken into the source's canonical frame, - x_src). \"3-D, own frame\": the render figure as measured before (x, y and the mesh's depth, each face in its own canonical frame). Last column: the found displacement projected on the reference's real displacement (its photo minus the person's neutral photos), where there are some.",
        '',
      );
      out.push(
        '| reference label | edits | arrives: fitted | target | render | render, 3-D, own frame | vs real displacement (n) | edit reads as the label | the reference photo does | edit reads as the reference photo |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const [label, r] of rows)
        out.push(
          `| ${label} | ${r.n} | ${f2(r.fit)} | ${f2(r.target)} | ${f2(r.render)} | ${f2(r.render3d)} | ${f2(median(r.real))} (${r.real.length}) | ${pc(r.agree, r.n)} | ${pc(r.refAgree, r.n)} | ${pc(r.sameAsRef, r.n)} |`,
        );
      out.push(
        '',
        "Medians over edits. Pooled over the edits whose landmarks were found (sum of d.r over sum of r.r, image plane: each edit weighs as much as its reference moves), for the whole face and per region (landmarks weighted by their membership in it, target.ts regionWeights); in brackets, the region's share of the references' displacement (r.r). Target x_t - x_src / render (found):",
        '',
        `| reference label | ${PooledAlong.PARTS.join(' | ')} |`,
        `| --- | ${PooledAlong.PARTS.map(() => '---').join(' | ')} |`,
      );
      for (const [label, r] of rows)
        out.push(
          `| ${label} | ${PooledAlong.PARTS.map((part) => `${f2(r.pooledTarget.ratio(part))} / ${f2(r.pooledRender.ratio(part))}${part === 'all' ? '' : ` (${f2(r.pooledRender.share(part))})`}`).join(' | ')} |`,
        );
      out.push('', `${srcFails}`, `${editFails}`, `${found}`);
      return out.join('\n');
    },
  };
}

const HAPPY = EMOTIONS.indexOf('happy');
/** Parts of the face blurred to see where a neutralized smile still reads as happy: landmark pairs whose midpoints are the centres. */
const BLUR_PARTS: Record<string, [number, number][]> = {
  eyes: [
    [159, 145],
    [386, 374],
  ],
  mouth: [[13, 14]],
  'cheeks and folds': [
    [205, 50],
    [425, 280],
    [216, 206],
    [436, 426],
  ],
};
/**
 * `img` with a box blur (radius 0.08 IOD) inside discs around the centres (radius 0.35 IOD, 0.6 for a single centre,
 * the mouth), feathered over their outer 30 %: it takes away the part's detail, not its mean tone.
 */
function blurAround(img: RGBAImage, pts: readonly Point3[], centres: readonly [number, number][]): RGBAImage {
  const iod = Math.hypot(pts[33][0] - pts[263][0], pts[33][1] - pts[263][1]);
  const k = Math.max(2, Math.round(0.08 * iod));
  const r = (centres.length === 1 ? 0.6 : 0.35) * iod;
  const { width: w, height: h, data } = img;
  const out = new Uint8ClampedArray(data);
  for (const [a, b] of centres) {
    const cx = (pts[a][0] + pts[b][0]) / 2;
    const cy = (pts[a][1] + pts[b][1]) / 2;
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, cy + r); y++)
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, cx + r); x++) {
        const d = Math.hypot(x - cx, y - cy) / r;
        if (d >= 1) continue;
        const t = d < 0.7 ? 1 : (1 - d) / 0.3;
        const sum = [0, 0, 0];
        let n = 0;
        for (let yy = Math.max(0, y - k); yy <= Math.min(h - 1, y + k); yy++)
          for (let xx = Math.max(0, x - k); xx <= Math.min(w - 1, x + k); xx++) {
            const i = (yy * w + xx) * 4;
            for (let c = 0; c < 3; c++) sum[c] += data[i + c];
            n++;
          }
        const i = (y * w + x) * 4;
        for (let c = 0; c < 3; c++) out[i + c] = data[i + c] + t * (sum[c] / n - data[i + c]);
      }
  }
  return { ...img, data: out };
}

export function neutralizeSection(options: { photos?: number } = {}): EvalSection {
  return {
    name: 'Neutralized smiles: happy-labelled photos edited to neutral',
    async run(ctx) {
      const k = await kit(ctx);
      const photos = spread(splitByLabel(ctx).get('happy') ?? [], options.photos ?? 24);
      const srcFails = new Failures('photos (open, face, N(x))');
      const editFails = new Failures('edits (render)');
      const found = new Failures('landmarks on the edited photo');
      const counts = { neutral: 0, happy: 0, n: 0, before: 0 };
      const id: number[] = [];
      const mouth: { w: number[]; gap: number[]; corners: number[] } = { w: [], gap: [], corners: [] };
      const happyP: Record<string, number[]> = { edit: [] };
      const blurNeutral: Record<string, number> = {};
      for (const f of photos) {
        const o = await openFace(k, f, srcFails);
        if (!o) continue;
        try {
          const edit = await editFails.attempt(() => o.face.edit('neutral'));
          if (!edit) continue;
          const r = await editFails.attempt(() => renderAt(edit, 1, true, o.img));
          if (!r) {
            edit.dispose();
            continue;
          }
          await saveForEye(r.img, `${f.image.replace(/[^\w.-]+/g, '_')}-neutralized`);
          const face = await refind(k.editor, r.img, found);
          const pts = face ? face.landmarks.points : edit.target(1);
          const probs = await k.describer.emotion(r.img, pts);
          const top = topEmotion(probs);
          happyP.edit.push(probs[HAPPY]);
          for (const [part, centres] of Object.entries(BLUR_PARTS)) {
            const blurred = await k.describer.emotion(blurAround(r.img, pts, centres), pts);
            happyP[part] = [...(happyP[part] ?? []), blurred[HAPPY]];
            if (topEmotion(blurred) === 'neutral') blurNeutral[part] = (blurNeutral[part] ?? 0) + 1;
          }
          counts.n++;
          if (top === 'neutral') counts.neutral++;
          if (top === 'happy') counts.happy++;
          if (topEmotion(await k.describer.emotion(o.img, o.face.landmarks.points)) === 'neutral') counts.before++;
          id.push(cosine(await k.describer.embed(o.img, o.face.landmarks.points), await k.describer.embed(r.img, pts)));
          if (face) {
            const c = measureChange(o.face.canonical.points, inSourceFrame(face.landmarks.points, o.face.canonical.transform));
            mouth.w.push(c.mouthWidth);
            mouth.gap.push(c.lipGap);
            mouth.corners.push(c.corners);
          }
          edit.dispose();
        } finally {
          o.dispose();
        }
      }
      const ceil = ceilingShare(k, 'neutral');
      const share = counts.n ? counts.neutral / counts.n : Number.NaN;
      const out = [`${counts.n} happy-labelled photos of evaluation people, edited to 'neutral' (intensity 1, warp + refiner).`, ''];
      out.push('| figure | value |', '| --- | --- |');
      out.push(`| read as neutral | ${pc(counts.neutral, counts.n)} (x ceiling ${f2(share / ceil)}; real neutral photos: ${f1(100 * ceil)} %) |`);
      out.push(`| still read as happy | ${pc(counts.happy, counts.n)} |`);
      out.push(`| the unedited photos read as neutral | ${pc(counts.before, counts.n)} |`);
      out.push(
        `| mouth on the edit vs the photo (landmarks found), % IOD, median: width, lips apart, corners up | ${f1(median(mouth.w))}, ${f1(median(mouth.gap))}, ${f1(median(mouth.corners))} |`,
      );
      out.push(`| identity cos(photo, edit), mean ± sd | ${f3(mean(id))} ± ${f3(sd(id))} |`);
      out.push(
        `| where the smile still reads: the emotion model's mean p(happy) on the edit, then with one part of the face blurred (read as neutral) | edit ${f3(mean(happyP.edit))}; ${Object.keys(
          BLUR_PARTS,
        )
          .map((part) => `${part} ${f3(mean(happyP[part] ?? []))} (${blurNeutral[part] ?? 0})`)
          .join(', ')} |`,
      );
      out.push('', `${srcFails}`, `${editFails}`, `${found}`);
      return out.join('\n');
    },
  };
}
