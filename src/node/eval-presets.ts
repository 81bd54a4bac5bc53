/**
 * The presets on neutral source photos (evaluation people, one photo each): each preset at intensity 1 and 1.5 with
 * the refiner, and warp only at 1 as the baseline. Measured on each render: agreement (the emotion model reads the
 * preset's label, beside the ceiling of real photos, eval-ceiling.ts), identity (cosine of face embeddings, source vs
 * edit, beside the levels of two photos of one person and of two people), the landmarks the engine finds on the edit
 * against x_t, and how much of the target's brow and eye motion the mesh finds on the render.
 */
import type { Edit, PresetName } from '../engine/index';
import { cosine, EMOTIONS, nme, targetCanonical, type Emotion } from '../engine/tools';
import { f1, f2, f3, Failures, isEvalPerson, mean, pc, sd, spread, type EvalContext, type EvalFace, type EvalSection } from './eval-common';
import {
  ceilingShare,
  inSourceFrame,
  kit,
  LABEL_EMOTION,
  measureChange,
  neutralSources,
  openFace,
  padded,
  refind,
  renderAt,
  saveForEye,
  topEmotion,
  type Kit,
  type Opened,
} from './eval-kit';

/** Emotion-model label each preset should read as. */
const PRESET_EMOTION: Record<PresetName, Emotion> = {
  happy: 'happy',
  surprise: 'surprise',
  anger: 'angry',
  sadness: 'sad',
  disgust: 'disgust',
  fear: 'fear',
};
const INTENSITIES = [1, 1.5] as const;

/** One render of each edit: `${preset}|${intensity}` with the refiner, or `${preset}|warp` (intensity 1, no refiner). */
interface Run {
  key: string;
  a: number;
  refiner: boolean;
}
const runsOf = (preset: PresetName): Run[] => [
  ...INTENSITIES.map((a) => ({ key: `${preset}|${a}`, a, refiner: true })),
  { key: `${preset}|warp`, a: 1, refiner: false },
];

/** Figures of one run over the sources (brow and eye: change source -> target x_t (T) and source -> found (F)). */
interface Cell {
  emo: Record<Emotion, number>;
  n: number;
  id: number[];
  nme: number[];
  browT: number[];
  browF: number[];
  eyeT: number[];
  eyeF: number[];
  scale: number[];
}
const newCell = (): Cell => ({
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
/** The cells by run key, empty until a render is measured. */
class Cells {
  private readonly cells = new Map<string, Cell>();
  get(key: string): Cell {
    let c = this.cells.get(key);
    if (!c) {
      c = newCell();
      this.cells.set(key, c);
    }
    return c;
  }
}

interface PresetFailures {
  src: Failures;
  edit: Failures;
  found: Failures;
}

export function presetsSection(options: { sources?: number; pairs?: number; presets?: readonly PresetName[] } = {}): EvalSection {
  return {
    name: 'Presets on neutral sources: expression agreement at intensity 1 and 1.5, identity, landmarks on the edit',
    async run(ctx) {
      const k = await kit(ctx);
      const sources = spread(neutralSources(ctx), options.sources ?? 12);
      const presets = k.editor.capabilities.presets.filter((p) => !options.presets || options.presets.includes(p));
      const fails: PresetFailures = {
        src: new Failures('source photos (open, face, N(x))'),
        edit: new Failures('edits (render)'),
        found: new Failures('landmarks on the edited photo (emotion and identity read at x_t without them)'),
      };
      const cells = new Cells();
      const unedited = newCell();
      for (const src of sources) {
        const o = await openFace(k, src, fails.src);
        if (!o) continue;
        try {
          const srcEmb = await k.describer.embed(o.img, o.face.landmarks.points);
          unedited.emo[topEmotion(await k.describer.emotion(o.img, o.face.landmarks.points))]++;
          unedited.n++;
          await editSource(k, src, o, srcEmb, presets, cells, fails);
        } finally {
          o.dispose();
        }
      }
      const { same, diff } = await identityLevels(ctx, k, options.pairs ?? 100);
      const out = [
        `${unedited.n} neutral source photos (evaluation people, one each) x ${presets.length} presets; warp + refiner at intensity 1 and 1.5, warp only at 1; backend ${k.editor.backend.name}.`,
        '',
      ];
      out.push(...agreementTable(k, presets, cells));
      out.push(
        '',
        `Unedited sources: ${EMOTIONS.filter((e) => unedited.emo[e])
          .map((e) => `${e} ${unedited.emo[e]}`)
          .join(', ')} (of ${unedited.n}).`,
        '',
      );
      out.push(...identityTable(presets, cells));
      out.push(
        '',
        `Identity levels (evaluation people): same person, two photos ${f3(mean(same))} ± ${f3(sd(same))} (${same.length} pairs); different people ${f3(mean(diff))} ± ${f3(sd(diff))} (${diff.length} pairs).`,
      );
      out.push('', `${fails.src}`, `${fails.edit}`, `${fails.found}`);
      return out.join('\n');
    },
  };
}

/** Each preset on one opened source photo, each run of it measured into its cell. */
async function editSource(k: Kit, src: EvalFace, o: Opened, srcEmb: Float32Array, presets: readonly PresetName[], cells: Cells, fails: PresetFailures) {
  for (const preset of presets) {
    const edit = await fails.edit.attempt(() => o.face.edit({ preset }));
    if (!edit) continue;
    try {
      for (const run of runsOf(preset)) await measureRun(k, src, o, edit, run, srcEmb, cells, fails);
    } finally {
      edit.dispose();
    }
  }
}

/**
 * One render of an edit, read by the emotion and identity models at the landmarks found on it (at x_t where none are
 * found); with the refiner, the found landmarks against x_t and the brow and eye motion the mesh finds.
 */
async function measureRun(k: Kit, src: EvalFace, o: Opened, edit: Edit, run: Run, srcEmb: Float32Array, cells: Cells, fails: PresetFailures) {
  const { key, a, refiner } = run;
  const r = await fails.edit.attempt(() => renderAt(edit, a, refiner, o.img));
  if (!r) return;
  await saveForEye(r.img, `${src.image.replace(/[^\w.-]+/g, '_')}-${key.replace('|', '-')}`);
  const target = edit.target(a);
  const face = await refind(k.editor, r.img, fails.found);
  const pts = face ? face.landmarks.points : target;
  const c = cells.get(key);
  c.n++;
  c.emo[topEmotion(await k.describer.emotion(r.img, pts))]++;
  c.id.push(cosine(srcEmb, await k.describer.embed(r.img, pts)));
  c.scale.push(r.motionScale);
  if (face && refiner) {
    c.nme.push(nme(face.landmarks.points, target));
    // brow and eye change, source -> target and source -> found (in the source's canonical frame)
    const xt = targetCanonical(o.face.canonical.points, await o.face.neutral(), edit.displacement, a);
    const ct = measureChange(o.face.canonical.points, xt);
    const cf = measureChange(o.face.canonical.points, inSourceFrame(face.landmarks.points, o.face.canonical.transform));
    c.browT.push(ct.brow);
    c.browF.push(cf.brow);
    c.eyeT.push(ct.eyeOpen);
    c.eyeF.push(cf.eyeOpen);
  }
}

/** Identity reference levels: two photos of the same person, and two different people (evaluation split). */
async function identityLevels(ctx: EvalContext, k: Kit, pairs: number): Promise<{ same: number[]; diff: number[] }> {
  const emb = async (f: EvalFace) => k.describer.embed(await k.image(f), padded(f.points));
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

/** Agreement of each preset's renders with its label, beside the ceiling of real photos of the label. */
function agreementTable(k: Kit, presets: readonly PresetName[], cells: Cells): string[] {
  const out = [
    'Agreement: the emotion model\'s top label on the edit is the preset\'s; "x ceiling" divides it by the share of real photos of that label it reads so (ceiling section).',
    '',
    '| preset | intensity 1 | x ceiling | intensity 1.5 | x ceiling | warp only, 1 | what intensity 1 reads as |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const label = (p: PresetName) => Object.entries(LABEL_EMOTION).find(([, e]) => e === PRESET_EMOTION[p])![0];
  for (const p of presets) {
    const want = PRESET_EMOTION[p];
    const ceil = ceilingShare(k, label(p));
    const [c1, c15, cw] = [cells.get(`${p}|1`), cells.get(`${p}|1.5`), cells.get(`${p}|warp`)];
    const spreadOf = EMOTIONS.filter((e) => c1.emo[e])
      .map((e) => `${e} ${c1.emo[e]}`)
      .join(', ');
    out.push(
      `| ${p} (${want}) | ${pc(c1.emo[want], c1.n)} | ${f2(c1.emo[want] / c1.n / ceil)} | ${pc(c15.emo[want], c15.n)} | ${f2(c15.emo[want] / c15.n / ceil)} | ${pc(cw.emo[want], cw.n)} | ${spreadOf} |`,
    );
  }
  return out;
}

/** Identity, landmarks found vs x_t, brow and eye motion, and how often the render held the motion back, per preset. */
function identityTable(presets: readonly PresetName[], cells: Cells): string[] {
  const out = [
    '| preset | identity cos, 1 (mean ± sd) | identity cos, 1.5 | warp only, 1 | landmarks found vs x_t, NME % IOD (1 / 1.5) | brow change x_t -> found, % IOD (1) | eye opening x_t -> found (1) | render motion scale < 1 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const p of presets) {
    const [c1, c15, cw] = [cells.get(`${p}|1`), cells.get(`${p}|1.5`), cells.get(`${p}|warp`)];
    const scaled = [...c1.scale, ...c15.scale].filter((s) => s < 1).length;
    out.push(
      `| ${p} | ${f3(mean(c1.id))} ± ${f3(sd(c1.id))} | ${f3(mean(c15.id))} | ${f3(mean(cw.id))} | ${f2(mean(c1.nme))} / ${f2(mean(c15.nme))} | ${f1(mean(c1.browT))} -> ${f1(mean(c1.browF))} | ${f1(mean(c1.eyeT))} -> ${f1(mean(c1.eyeF))} | ${scaled} of ${c1.scale.length + c15.scale.length} |`,
    );
  }
  return out;
}
