/**
 * The upper face: how far the face mesh sees brows and eyes move between a person's neutral photos and their
 * expressive ones (real photos, all people of the folder). It is the motion an edit's brows and eyes can be expected
 * to show on the mesh (eval-presets.ts), beside the spread between two neutral photos of the same person.
 */
import { meanShape, type FaceMeasures } from '../engine/tools';
import { f1, median, medianRange, type EvalSection } from './eval-common';
import { measureChange } from './eval-kit';

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
