/**
 * Generator figures of the evaluation (LEED-DESIGN.md, "Evaluation"), each for "warp + refiner" and
 * for the baseline "warp only": sources are neutral-labelled photos of different people, edited with
 * every preset at intensity 1 by the same engine code the app runs (disentangler, presets, render
 * session), then measured:
 * - transfer error: the landmark model re-run on the edited image against the target x_t (% IOD);
 * - identity: cosine similarity of face embeddings (faceres) between source and edit, beside the
 *   typical value for two photos of the same person and for two different people;
 * - expression agreement: the emotion model on the edit against the preset's label (confusion table).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor } from '../engine/analyse/analyser';
import { createDisentangler } from '../engine/expression/disentangle';
import { createRefiner } from '../engine/render/refine';
import { createRenderSession } from '../engine/render/session';
import { createFaceDescriber, cosine, EMOTIONS, type Emotion } from '../engine/analyse/describe';
import { decodeImage } from '../engine/analyse/decode';
import { nearestFace } from '../engine/analyse/detect';
import { padImage } from '../engine/analyse/pad';
import { fromCanonical, nme } from '../engine/analyse/manifold';
import { loadPresets, targetCanonical, PRESET_NAMES, type PresetName } from '../engine/expression/target';
import type { Point3, RGBAImage } from '../engine/types';
import type { EvalContext, EvalFace, EvalSection } from './eval-cli';
import { fileByteSource, useLocalWasm } from './platform';

/** Emotion-model label each preset should read as. */
export const PRESET_EMOTION: Record<PresetName, Emotion> = { happy: 'happy', surprise: 'surprise', anger: 'angry', sadness: 'sad', disgust: 'disgust', fear: 'fear' };
const PAD = 128;
const MODES = ['warp + refiner', 'warp only'] as const;
type Mode = (typeof MODES)[number];

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(v.length, 1);
const sd = (v: number[]) => { const m = mean(v); return Math.sqrt(mean(v.map((x) => (x - m) ** 2))); };
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');

/** Deterministic spread of `n` items over `list` (every k-th). */
function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]);
}

export function generatorSection(options: { sources?: number; pairs?: number } = {}): EvalSection {
  return {
    name: 'Generator: transfer error, identity, expression agreement (warp + refiner vs warp only)',
    async run(ctx: EvalContext): Promise<string> {
      const nSources = options.sources ?? 40;
      const nPairs = options.pairs ?? 150;
      useLocalWasm();
      const editor = await createEditor({ backends: ['wasm', 'cpu'], modelSource: fileByteSource() });
      const store = editor.store;
      const [disentangler, presets, refiner, describer] = await Promise.all([createDisentangler(store), loadPresets(store), createRefiner(store), createFaceDescriber(store)]);
      const imageCache = new Map<string, RGBAImage>();
      const padded = async (f: EvalFace) => {
        if (!imageCache.has(f.image)) imageCache.set(f.image, padImage(await decodeImage(readFileSync(join(ctx.dir, 'images', f.image))), PAD));
        return imageCache.get(f.image)!;
      };
      const shifted = (pts: Point3[]) => pts.map((p) => [p[0] + PAD, p[1] + PAD, p[2]] as Point3);
      /** Landmarks found by the engine in `img`: the face nearest the centre. */
      const landmarksOf = async (img: RGBAImage): Promise<Point3[] | null> => {
        const photo = await editor.open(img);
        try {
          if (!photo.faces.length) return null;
          return (await photo.face(nearestFace(photo.faces, [img.width / 2, img.height / 2]))).landmarks.points;
        } catch {
          return null;
        } finally {
          photo.dispose();
        }
      };

      // Identity references: two photos of one person, and two different people.
      const multi = [...ctx.byPerson.values()].filter((l) => l.length >= 2);
      const same: number[] = [];
      for (const l of spread(multi, nPairs)) same.push(cosine(await describer.embed(await padded(l[0]), shifted(l[0].points)), await describer.embed(await padded(l[1]), shifted(l[1].points))));
      const people = [...ctx.byPerson.values()];
      const diff: number[] = [];
      for (let i = 0; i < Math.min(nPairs, Math.floor(people.length / 2)); i++) {
        const a = people[(i * 7919) % people.length][0]; const b = people[(i * 7919 + Math.floor(people.length / 2)) % people.length][0];
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
      let used = 0; let lost = 0;
      for (const src of sources) {
        const img = await padded(src);
        const photo = await editor.open(img);
        let analysis;
        try {
          analysis = await photo.face(0);
        } catch {
          photo.dispose(); lost++; continue;
        }
        const x = analysis.canonical.points;
        const n = await disentangler.neutral(x);
        const srcEmbedding = await describer.embed(img, analysis.landmarks.points);
        const srcEmotion = await describer.emotion(img, analysis.landmarks.points);
        const srcTop = EMOTIONS[srcEmotion.indexOf(Math.max(...srcEmotion))];
        const session = await createRenderSession(photo.image, analysis, { refiner });
        used++;
        for (const preset of presets.names) {
          const target = fromCanonical(targetCanonical(x, n, presets.fitted(preset, n), 1), analysis.canonical.transform);
          targetDistance.push(nme(analysis.landmarks.points, target));
          confusion['source (no edit)'][preset][srcTop]++;
          for (const mode of MODES) {
            const edited = await session.renderFull(target, { useRefiner: mode === 'warp + refiner' });
            const found = await landmarksOf(edited);
            if (found) transfer[mode].push(nme(found, target));
            const lm = found ?? target;
            identity[mode].push(cosine(srcEmbedding, await describer.embed(edited, lm)));
            const em = await describer.emotion(edited, lm);
            confusion[mode][preset][EMOTIONS[em.indexOf(Math.max(...em))]]++;
          }
        }
        session.dispose();
        photo.dispose();
      }
      [disentangler, refiner, describer].forEach((m) => m.dispose());
      editor.dispose();

      const out: string[] = [];
      out.push(`${used} source photos (neutral-labelled, one per person${lost ? `, ${lost} skipped: face refused` : ''}) x ${presets.names.length} presets at intensity 1; backend ${editor.backend.name}.`);
      out.push('', '| figure | warp + refiner | warp only | reference |', '| --- | --- | --- | --- |');
      out.push(`| transfer error: landmarks found on the edit vs x_t, mean NME % IOD (n) | ${f2(mean(transfer['warp + refiner']))} (${transfer['warp + refiner'].length}) | ${f2(mean(transfer['warp only']))} (${transfer['warp only'].length}) | no edit (source landmarks vs x_t): ${f2(mean(targetDistance))} |`);
      out.push(`| identity: cosine(source, edit), mean ± sd | ${f3(mean(identity['warp + refiner']))} ± ${f3(sd(identity['warp + refiner']))} | ${f3(mean(identity['warp only']))} ± ${f3(sd(identity['warp only']))} | same person, two photos ${f3(mean(same))} ± ${f3(sd(same))} (${same.length} pairs); different people ${f3(mean(diff))} ± ${f3(sd(diff))} (${diff.length} pairs) |`);
      for (const mode of [...MODES, 'source (no edit)'] as const) {
        const agree = PRESET_NAMES.reduce((s, p) => s + confusion[mode][p][PRESET_EMOTION[p]], 0);
        const total = PRESET_NAMES.reduce((s, p) => s + EMOTIONS.reduce((t, e) => t + confusion[mode][p][e], 0), 0);
        out.push('', `Expression agreement, ${mode}: emotion model's top label on the ${mode === 'source (no edit)' ? 'unedited source' : 'edit'} vs the preset's label: ${agree}/${total} = ${f2((100 * agree) / Math.max(total, 1))}%`, '');
        out.push(`| preset \\ predicted | ${EMOTIONS.join(' | ')} |`, `| --- | ${EMOTIONS.map(() => '---').join(' | ')} |`);
        for (const p of PRESET_NAMES) out.push(`| ${p} (${PRESET_EMOTION[p]}) | ${EMOTIONS.map((e) => confusion[mode][p][e]).join(' | ')} |`);
      }
      return out.join('\n');
    },
  };
}
