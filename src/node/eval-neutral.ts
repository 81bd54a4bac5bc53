/**
 * Neutral error of the disentangler (LEED-DESIGN.md, "Evaluation"): for people with a neutral photo and
 * an expressive one, NME (2-D, % IOD of the neutral photo) of N(expressive) against the neutral photo's
 * canonical landmarks, averaged over the person's neutral photos; beside "no change" (the expressive
 * photo itself) and the population's mean neutral face. A last row gives the floor: one neutral photo
 * against another of the same person. N runs on the canonical vectors of the landmark file in batches
 * (the disentangler alone: no photo is opened).
 */
import type { Point3 } from '../engine/index';
import { correctNeutral, createDisentangler, loadPresets, meanShape, nme, type NeutralStats } from '../engine/tools';
import { EXPRESSIONS, Failures, mean, type EvalFace, type EvalSection } from './eval-common';

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number, n: number) => (Number.isFinite(x) ? x.toFixed(2) : '-').padStart(n);
const BATCH = 256;

export const neutralErrorSection: EvalSection = {
  name: 'Neutral error (LEED disentangler)',
  async run(ctx) {
    const dis = await createDisentangler(ctx.store);
    // N' (target.ts correctNeutral), what the editor uses, when the presets carry the neutral statistics
    let stats: NeutralStats | null = null;
    try {
      stats = (await loadPresets(ctx.store)).neutral;
    } catch {
      stats = null;
    }
    try {
      const neutralOf = new Map<EvalFace, Point3[]>();
      const correctedOf = new Map<EvalFace, Point3[]>();
      const all = ctx.faces;
      const batches = new Failures(`N(x), batches of ${BATCH} photos`);
      let lostPhotos = 0;
      for (let i = 0; i < all.length; i += BATCH) {
        const part = all.slice(i, i + BATCH);
        const out = await batches.attempt(() => dis.neutralBatch(part.map((f) => f.canonical)));
        if (!out) {
          lostPhotos += part.length;
          continue;
        }
        part.forEach((f, k) => {
          neutralOf.set(f, out[k]);
          if (stats) correctedOf.set(f, correctNeutral(out[k], stats));
        });
      }
      const neutrals = all.filter((f) => f.expression === 'neutral');
      type Acc = { people: Set<string>; photos: number; none: number[]; pop: number[]; n: number[]; nc: number[] };
      const table = new Map<string, Acc>();
      const acc = (k: string) => {
        let a = table.get(k);
        if (!a) {
          a = { people: new Set(), photos: 0, none: [], pop: [], n: [], nc: [] };
          table.set(k, a);
        }
        return a;
      };
      const floor: Acc = { people: new Set(), photos: 0, none: [], pop: [], n: [], nc: [] };
      const lines = [
        `mean NME, 2-D, % of the neutral photo's IOD, canonical landmarks; ${all.length} photos analysed, ${neutrals.length} neutral (population mean from these)`,
        stats
          ? "N'(x): N corrected toward real neutral faces (target.ts correctNeutral), what the editor uses; its statistics come from the presets file (training/make_presets.ts, neutral photos of the people outside the evaluation split)"
          : "N'(x): '-', the presets file has no neutral statistics",
      ];
      if (neutrals.length === 0) return [...lines, 'no neutral-labelled photo: nothing to measure', batches.toString()].join('\n');
      const popMean = meanShape(neutrals.map((f) => f.canonical));
      for (const [person, photos] of ctx.byPerson) {
        const neu = photos.filter((f) => f.expression === 'neutral');
        if (neu.length === 0) continue;
        for (const f of photos) {
          if (f.expression === 'unlabelled') continue;
          const nf = neutralOf.get(f);
          if (!nf) continue; // its batch failed: counted in `batches`
          // neutral photos: against the person's *other* neutral photos (the noise floor of this measure)
          const refs = f.expression === 'neutral' ? neu.filter((g) => g !== f) : neu;
          if (refs.length === 0) continue;
          const rowsFor = f.expression === 'neutral' ? [floor] : [acc(f.expression), acc('all expressive')];
          const none = mean(refs.map((g) => nme(f.canonical, g.canonical)));
          const pop = mean(refs.map((g) => nme(popMean, g.canonical)));
          const n = mean(refs.map((g) => nme(nf, g.canonical)));
          const ncf = correctedOf.get(f);
          const nc = ncf ? mean(refs.map((g) => nme(ncf, g.canonical))) : Number.NaN;
          for (const a of rowsFor) {
            a.people.add(person);
            a.photos++;
            a.none.push(none);
            a.pop.push(pop);
            a.n.push(n);
            a.nc.push(nc);
          }
        }
      }
      const order = ['all expressive', ...EXPRESSIONS, ...[...table.keys()].filter((k) => k !== 'all expressive' && !EXPRESSIONS.includes(k)).sort()];
      lines.push(
        `${pad('expression', 24)}${'people'.padStart(7)}${'photos'.padStart(8)}${'no change'.padStart(11)}${'pop. mean'.padStart(11)}${'N(x)'.padStart(8)}${'N vs no change'.padStart(16)}${"N'(x)".padStart(8)}${"N' vs no change".padStart(17)}`,
      );
      const line = (label: string, a: Acc) => {
        const rel = 100 * (1 - mean(a.n) / mean(a.none));
        lines.push(
          `${pad(label, 24)}${String(a.people.size).padStart(7)}${String(a.photos).padStart(8)}${num(mean(a.none), 11)}${num(mean(a.pop), 11)}${num(mean(a.n), 8)}${(`-${rel.toFixed(0)}%`).padStart(16)}${num(mean(a.nc), 8)}${(`-${(100 * (1 - mean(a.nc) / mean(a.none))).toFixed(0)}%`).padStart(17)}`,
        );
      };
      for (const k of order) {
        const a = table.get(k);
        if (a) line(k, a);
      }
      if (floor.photos) line('neutral vs other neutral', floor);
      lines.push('', `${batches}${lostPhotos ? `; ${lostPhotos} photos without N(x) left out of the table` : ''}`);
      return lines.join('\n');
    } finally {
      dis.dispose();
    }
  },
};
