/**
 * Generator figures of the evaluation (LEED-DESIGN.md, "Evaluation"), each for "warp + refiner" and
 * for the baseline "warp only": sources are neutral-labelled photos of different people, edited with
 * every preset at intensity 1 through the editing API the app uses (editor.open -> photo.face ->
 * face.edit({ preset }) -> edit.renderFull), then measured:
 * - transfer error: the landmark model re-run on the edited image against the target x_t (% IOD);
 * - identity: cosine similarity of face embeddings (faceres) between source and edit, beside the
 *   typical value for two photos of the same person and for two different people;
 * - expression agreement: the emotion model on the edit against the preset's label (confusion table).
 * Failures are counted by error code and printed under the tables: source photos the engine refused,
 * edits that failed (both modes of a preset are left out together), edits the landmark model found no
 * face in (left out of the transfer error only).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cosine,
  createEditor,
  createFaceDescriber,
  decodeImage,
  EditorError,
  EMOTIONS,
  ErrorCode,
  nearestFace,
  nme,
  padImage,
  PRESET_NAMES,
  type Editor,
  type Emotion,
  type FaceDescriber,
  type Point3,
  type PresetName,
  type RGBAImage,
} from '../engine/index';
import { Failures, mean, sd, spread, type EvalContext, type EvalFace, type EvalSection } from './eval-common';
import { fileByteSource, pointWasmAtNodeModules } from './platform';

/** Emotion-model label each preset should read as. */
export const PRESET_EMOTION: Record<PresetName, Emotion> = {
  happy: 'happy',
  surprise: 'surprise',
  anger: 'angry',
  sadness: 'sad',
  disgust: 'disgust',
  fear: 'fear',
};
const PAD = 128;
const MODES = ['warp + refiner', 'warp only'] as const;
type Mode = (typeof MODES)[number];

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const topEmotion = (p: Float32Array): Emotion => EMOTIONS[p.indexOf(Math.max(...p))];

export function generatorSection(options: { sources?: number; pairs?: number } = {}): EvalSection {
  return {
    name: 'Generator: transfer error, identity, expression agreement (warp + refiner vs warp only)',
    async run(ctx: EvalContext): Promise<string> {
      const nSources = options.sources ?? 40;
      const nPairs = options.pairs ?? 150;
      pointWasmAtNodeModules();
      const editor = await createEditor({ backends: [ctx.backend, 'cpu'], models: fileByteSource() });
      try {
        if (!editor.capabilities.expression) throw new Error('the model folder has no disentangler: nothing to evaluate');
        const describer = await createFaceDescriber(fileByteSource());
        try {
          return await measure(ctx, editor, describer, nSources, nPairs);
        } finally {
          describer.dispose();
        }
      } finally {
        editor.dispose();
      }
    },
  };
}

async function measure(ctx: EvalContext, editor: Editor, describer: FaceDescriber, nSources: number, nPairs: number): Promise<string> {
  const presets = editor.capabilities.presets;
  const imageCache = new Map<string, RGBAImage>();
  const padded = async (f: EvalFace) => {
    if (!imageCache.has(f.image)) imageCache.set(f.image, padImage(await decodeImage(readFileSync(join(ctx.dir, 'images', f.image))), PAD));
    return imageCache.get(f.image)!;
  };
  const shifted = (pts: Point3[]) => pts.map((p) => [p[0] + PAD, p[1] + PAD, p[2]] as Point3);
  const sourceFailures = new Failures('source photos (open, face 0, N(x))');
  const editFailures = new Failures('edits (source x preset, both modes)');
  const redetect = new Failures('landmarks on the edited photo (transfer error without it; identity and emotion read at x_t)');
  /** Landmarks found by the engine in `img`: the face nearest the centre. */
  const landmarksOf = (img: RGBAImage): Promise<Point3[] | undefined> =>
    redetect.attempt(async () => {
      const photo = await editor.open(img);
      try {
        if (!photo.faces.length) throw new EditorError(ErrorCode.NO_FACE, 'on the edited photo');
        return (await photo.face(nearestFace(photo.faces, [img.width / 2, img.height / 2]))).landmarks.points;
      } finally {
        photo.dispose();
      }
    });

  // Identity references: two photos of one person, and two different people.
  const multi = [...ctx.byPerson.values()].filter((l) => l.length >= 2);
  const same: number[] = [];
  for (const l of spread(multi, nPairs))
    same.push(cosine(await describer.embed(await padded(l[0]), shifted(l[0].points)), await describer.embed(await padded(l[1]), shifted(l[1].points))));
  const people = [...ctx.byPerson.values()];
  const diff: number[] = [];
  for (let i = 0; i < Math.min(nPairs, Math.floor(people.length / 2)); i++) {
    const a = people[(i * 7919) % people.length][0];
    const b = people[(i * 7919 + Math.floor(people.length / 2)) % people.length][0];
    if (a.person === b.person) continue;
    diff.push(cosine(await describer.embed(await padded(a), shifted(a.points)), await describer.embed(await padded(b), shifted(b.points))));
  }

  // Sources: neutral photos of different people.
  const neutrals = [...ctx.byPerson.values()].map((l) => l.find((f) => f.expression === 'neutral')).filter((f): f is EvalFace => !!f);
  const sources = spread(neutrals, nSources);
  const transfer: Record<Mode, number[]> = { 'warp + refiner': [], 'warp only': [] };
  const identity: Record<Mode, number[]> = { 'warp + refiner': [], 'warp only': [] };
  const confusion: Record<Mode | 'source (no edit)', Record<PresetName, Record<Emotion, number>>> = Object.fromEntries(
    [...MODES, 'source (no edit)'].map((m) => [m, Object.fromEntries(PRESET_NAMES.map((p) => [p, Object.fromEntries(EMOTIONS.map((e) => [e, 0]))]))]),
  ) as never;
  const targetDistance: number[] = [];
  let used = 0;
  for (const src of sources) {
    const img = await padded(src);
    const opened = await sourceFailures.attempt(async () => {
      const photo = await editor.open(img);
      try {
        const face = await photo.face(0);
        await face.neutral();
        return { photo, face };
      } catch (e) {
        photo.dispose();
        throw e;
      }
    });
    if (!opened) continue;
    const { photo, face } = opened;
    try {
      const srcEmbedding = await describer.embed(img, face.landmarks.points);
      const srcTop = topEmotion(await describer.emotion(img, face.landmarks.points));
      used++;
      for (const preset of presets) {
        // measured for both modes first, kept only when both rendered: the columns stay over the same edits
        const result = await editFailures.attempt(async () => {
          const edit = await face.edit({ preset });
          try {
            const target = edit.target(1);
            const modes = [];
            for (const mode of MODES) {
              const edited = await edit.renderFull(1, { refiner: mode === 'warp + refiner' });
              modes.push({ mode, edited });
            }
            return { target, modes };
          } finally {
            edit.dispose();
          }
        });
        if (!result) continue;
        targetDistance.push(nme(face.landmarks.points, result.target));
        confusion['source (no edit)'][preset][srcTop]++;
        for (const { mode, edited } of result.modes) {
          const found = await landmarksOf(edited);
          if (found) transfer[mode].push(nme(found, result.target));
          const lm = found ?? result.target;
          identity[mode].push(cosine(srcEmbedding, await describer.embed(edited, lm)));
          confusion[mode][preset][topEmotion(await describer.emotion(edited, lm))]++;
        }
      }
    } finally {
      photo.dispose();
    }
  }

  const out: string[] = [];
  out.push(`${used} source photos (neutral-labelled, one per person) x ${presets.length} presets at intensity 1; backend ${editor.backend.name}.`);
  out.push('', '| figure | warp + refiner | warp only | reference |', '| --- | --- | --- | --- |');
  out.push(
    `| transfer error: landmarks found on the edit vs x_t, mean NME % IOD (n) | ${f2(mean(transfer['warp + refiner']))} (${transfer['warp + refiner'].length}) | ${f2(mean(transfer['warp only']))} (${transfer['warp only'].length}) | no edit (source landmarks vs x_t): ${f2(mean(targetDistance))} |`,
  );
  out.push(
    `| identity: cosine(source, edit), mean ± sd | ${f3(mean(identity['warp + refiner']))} ± ${f3(sd(identity['warp + refiner']))} | ${f3(mean(identity['warp only']))} ± ${f3(sd(identity['warp only']))} | same person, two photos ${f3(mean(same))} ± ${f3(sd(same))} (${same.length} pairs); different people ${f3(mean(diff))} ± ${f3(sd(diff))} (${diff.length} pairs) |`,
  );
  for (const mode of [...MODES, 'source (no edit)'] as const) {
    const agree = PRESET_NAMES.reduce((s, p) => s + confusion[mode][p][PRESET_EMOTION[p]], 0);
    const total = PRESET_NAMES.reduce((s, p) => s + EMOTIONS.reduce((t, e) => t + confusion[mode][p][e], 0), 0);
    out.push(
      '',
      `Expression agreement, ${mode}: emotion model's top label on the ${mode === 'source (no edit)' ? 'unedited source' : 'edit'} vs the preset's label: ${agree}/${total} = ${f2((100 * agree) / Math.max(total, 1))}%`,
      '',
    );
    out.push(`| preset \\ predicted | ${EMOTIONS.join(' | ')} |`, `| --- | ${EMOTIONS.map(() => '---').join(' | ')} |`);
    for (const p of PRESET_NAMES) out.push(`| ${p} (${PRESET_EMOTION[p]}) | ${EMOTIONS.map((e) => confusion[mode][p][e]).join(' | ')} |`);
  }
  out.push('', `${sourceFailures}`, `${editFailures}`, `${redetect}`);
  return out.join('\n');
}
