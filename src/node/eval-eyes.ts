/**
 * Upper face, a second opinion: does the 468-point face mesh see how far lids and brows move with an expression? The
 * same photos are measured twice, with the mesh's points and with MediaPipe's iris landmark model's (eye-model.ts: one
 * eye at a time at 64 x 64, lid contours and brows), each as the change from the mean of the person's neutral photos
 * (labels used for evaluation only). Both are measured in the photo's plane, in the same frame (the mesh's outer eye
 * corners: the eye line and the IOD), so the two differ only by where each model puts the points.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, Point3 } from '../engine/index';
import { decodeImage, initBackend } from '../engine/tools';
import { f2, Failures, mean, medianRange, sd, spread, type EvalFace, type EvalSection } from './eval-common';
import { loadEyeModel, REFINED_BROW_POINTS } from './eye-model';
import { pointWasmAtNodeModules } from './platform';

/** Lid and brow measures of a face, % IOD, y up, in the frame of the mesh's outer eye corners (33, 263). */
export function eyeMeasures(p: readonly Point3[], frame: readonly Point3[]) {
  const [a, b] = [frame[33], frame[263]];
  const iod = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const ux = (b[0] - a[0]) / iod;
  const uy = (b[1] - a[1]) / iod;
  // height above the eye line (perpendicular, up), % IOD
  const up = (i: number) => (100 * -(-uy * (p[i][0] - a[0]) + ux * (p[i][1] - a[1]))) / iod;
  const avg = (idx: readonly number[]) => idx.reduce((s, i) => s + up(i), 0) / idx.length;
  return {
    /** Lid opening at the middle of each eye (159 - 145, 386 - 374), both eyes. */
    eyeOpen: (up(159) - up(145) + up(386) - up(374)) / 2,
    /** Height of the lower lids' middle (a smile raises it). */
    lowerLid: avg([145, 374]),
    /** Height of the brows (both edges of both brows, the points the eye model refines). */
    brow: avg(REFINED_BROW_POINTS),
  };
}
type Measures = ReturnType<typeof eyeMeasures>;
/** At most this many of a person's neutral photos make their neutral (some people have hundreds). */
const NEUTRALS_PER_PERSON = 10;
const KEYS: (keyof Measures)[] = ['eyeOpen', 'lowerLid', 'brow'];

export function eyeModelSection(options: { perLabel?: number } = {}): EvalSection {
  return {
    name: "Upper face, a second opinion: lids and brows by the face mesh and by MediaPipe's iris landmark model",
    async run(ctx) {
      // the eye model on the editing sections' backend (WASM by default; the section before runs on the plain CPU one)
      const before = tf.getBackend() as BackendName;
      pointWasmAtNodeModules();
      await initBackend([ctx.backend, 'cpu']);
      const eye = await loadEyeModel();
      const fails = new Failures('photos (decode, eye model)');
      const cache = new Map<string, { mesh: Measures; iris: Measures }>();
      const measure = async (f: EvalFace) => {
        let m = cache.get(f.image);
        if (!m) {
          const img = await decodeImage(readFileSync(join(ctx.dir, 'images', f.image)));
          m = { mesh: eyeMeasures(f.points, f.points), iris: eyeMeasures(eye.refineEyes(img, f.points), f.points) };
          cache.set(f.image, m);
        }
        return m;
      };
      const perLabel = options.perLabel ?? 150;
      type Delta = { mesh: Measures; iris: Measures };
      const rows = new Map<string, Delta[]>();
      try {
        for (const label of ['surprise', 'anger', 'sad', 'happy', 'neutral']) {
          // photos of the label whose person has neutral photos (for 'neutral': at least one other), with those photos
          const photos = ctx.faces
            .filter((f) => f.expression === label)
            .map((f) => ({ f, neu: (ctx.byPerson.get(f.person) ?? []).filter((g) => g.expression === 'neutral' && g !== f) }))
            .filter(({ neu }) => neu.length > 0);
          const list: Delta[] = [];
          for (const { f, neu: all } of spread(photos, perLabel)) {
            const neu = spread(all, NEUTRALS_PER_PERSON);
            const got = await fails.attempt(async () => {
              const own = await measure(f);
              const base = await Promise.all(neu.map(measure));
              const delta = (k: 'mesh' | 'iris') => Object.fromEntries(KEYS.map((key) => [key, own[k][key] - mean(base.map((b) => b[k][key]))])) as Measures;
              return { mesh: delta('mesh'), iris: delta('iris') };
            });
            if (got) list.push(got);
          }
          rows.set(label, list);
        }
      } finally {
        eye.dispose();
        await initBackend([before]);
      }
      const corr = (x: number[], y: number[]) => {
        const [mx, my] = [mean(x), mean(y)];
        let sxy = 0;
        let sxx = 0;
        let syy = 0;
        x.forEach((v, i) => {
          sxy += (v - mx) * (y[i] - my);
          sxx += (v - mx) ** 2;
          syy += (y[i] - my) ** 2;
        });
        return sxy / Math.sqrt(sxx * syy);
      };
      const out = [
        `Change from the mean of the person's neutral photos (a neutral photo: from the person's other neutral ones), % IOD, the photo's plane, y up; up to ${perLabel} photos per label, spread over the folder. eyeOpen: lid opening at the middle of the eyes; lowerLid: height of the lower lids' middle; brow: height of both edges of both brows. "Mesh / eye model": ratio of the mean changes (how much of the eye model's motion the mesh shows); r: correlation of the two over photos; neutral rows: the spread (sd) of each, the noise of one photo against another.`,
        '',
        '| label | photos | measure | mesh: median [p10, p90] | eye model: median [p10, p90] | mean, mesh / eye model | r |',
        '| --- | --- | --- | --- | --- | --- | --- |',
      ];
      for (const [label, list] of rows) {
        for (const key of KEYS) {
          const m = list.map((d) => d.mesh[key]);
          const e = list.map((d) => d.iris[key]);
          const ratio = label === 'neutral' ? `sd ${f2(sd(m))} / ${f2(sd(e))}` : `${f2(mean(m))} / ${f2(mean(e))} = ${f2(mean(m) / mean(e))}`;
          out.push(`| ${label} | ${list.length} | ${key} | ${medianRange(m)} | ${medianRange(e)} | ${ratio} | ${f2(corr(m, e))} |`);
        }
      }
      out.push('', `${fails}`);
      return out.join('\n');
    },
  };
}
