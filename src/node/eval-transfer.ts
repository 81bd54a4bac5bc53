/**
 * Reference transfer: another person's expressive photo (evaluation people) as the reference, on a neutral source
 * photo of another evaluation person. How much of the reference's displacement arrives (its projection on the
 * reference's over the image plane, canonical IOD units) at each stage: fitted (retarget), target x_t, render (the
 * landmarks found on the edit, in the source's canonical frame); pooled over the edits per region of the face; and
 * whether the edit reads as the reference's label.
 */
import { REGIONS, type Point3, type Reference } from '../engine/index';
import { dotShapes, meanShape, regionWeights, subShapes, targetCanonical } from '../engine/tools';
import { f2, Failures, median, pc, spread, type EvalContext, type EvalFace, type EvalSection } from './eval-common';
import { inSourceFrame, kit, LABEL_EMOTION, neutralSources, openFace, refind, renderAt, saveForEye, splitByLabel, topEmotion, type Kit } from './eval-kit';

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

const REF_LABELS = ['happy', 'surprise', 'anger', 'sad', 'neutral'] as const;

/** The figures of one reference label: per-edit projections (medians in the table), counts, and the pooled sums. */
interface Row {
  fits: number[];
  targets: number[];
  /** Render, landmarks found, image plane in the source's frame. */
  renders: number[];
  /** Render, 3-D, in the found face's own canonical frame. */
  renders3d: number[];
  /** Render on the reference's real displacement (its photo minus the person's neutral photos), where there are some. */
  real: number[];
  agree: number;
  refAgree: number;
  sameAsRef: number;
  n: number;
  pooledTarget: PooledAlong;
  pooledRender: PooledAlong;
}
const newRow = (): Row => ({
  fits: [],
  targets: [],
  renders: [],
  renders3d: [],
  real: [],
  agree: 0,
  refAgree: 0,
  sameAsRef: 0,
  n: 0,
  pooledTarget: new PooledAlong(),
  pooledRender: new PooledAlong(),
});

interface TransferFailures {
  src: Failures;
  edit: Failures;
  found: Failures;
}

export function transferSection(options: { refs?: number } = {}): EvalSection {
  return {
    name: "Reference transfer: another person's expression as the reference",
    async run(ctx) {
      const k = await kit(ctx);
      const split = splitByLabel(ctx);
      const sources = neutralSources(ctx);
      const fails: TransferFailures = {
        src: new Failures('photos (open, face, N(x))'),
        edit: new Failures('edits (render)'),
        found: new Failures('landmarks on the edited photo'),
      };
      const rows = new Map<string, Row>();
      const perRef = options.refs ?? 6;
      // sources taken in turn over all labels, skipping the reference's own person
      let s = 0;
      for (const label of REF_LABELS) {
        const row = newRow();
        rows.set(label, row);
        for (const refFace of spread(split.get(label) ?? [], perRef)) {
          let src = sources[s++ % sources.length];
          if (src.person === refFace.person) src = sources[s++ % sources.length];
          await transferOne(ctx, k, label, refFace, src, row, fails);
        }
      }
      return [...transferTables(rows, perRef), '', `${fails.src}`, `${fails.edit}`, `${fails.found}`].join('\n');
    },
  };
}

/** Edits `src` with `refFace` as the reference and adds what arrives to `row`. */
async function transferOne(ctx: EvalContext, k: Kit, label: string, refFace: EvalFace, src: EvalFace, row: Row, fails: TransferFailures) {
  const ref = await openFace(k, refFace, fails.src);
  const o = ref && (await openFace(k, src, fails.src));
  if (!ref || !o) {
    ref?.dispose();
    return;
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
    const edit = await fails.edit.attempt(() => o.face.edit(ref.face as Reference));
    if (!edit) return;
    try {
      const r = await fails.edit.attempt(() => renderAt(edit, 1, true, o.img));
      if (!r) return;
      const xt = targetCanonical(o.face.canonical.points, srcN, edit.displacement, 1);
      row.fits.push(along(edit.displacement as Point3[]));
      row.targets.push(along(subShapes(xt, o.face.canonical.points)));
      const face = await refind(k.editor, r.img, fails.found);
      const pts = face ? face.landmarks.points : edit.target(1);
      if (face) {
        const dEdit = subShapes(inSourceFrame(face.landmarks.points, o.face.canonical.transform), o.face.canonical.points);
        row.renders.push(along(dEdit));
        row.pooledTarget.add(subShapes(xt, o.face.canonical.points), dRef);
        row.pooledRender.add(dEdit, dRef);
        // the earlier measure (3-D, in the found face's own canonical frame), kept to compare with earlier results
        const own = subShapes(face.canonical.points, o.face.canonical.points);
        row.renders3d.push(dotShapes(own, dRef) / dotShapes(dRef, dRef));
        if (dReal) row.real.push(alongXY(dEdit, dReal));
      }
      const top = topEmotion(await k.describer.emotion(r.img, pts));
      const refTop = topEmotion(await k.realEmotion(refFace));
      const name = `transfer-${label}-${row.n}`;
      await saveForEye(ref.img, `${name}-reference-${refTop}`);
      await saveForEye(r.img, `${name}-edit-${top}`);
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

/** The section's two tables: medians per stage, then the pooled projection per region. */
function transferTables(rows: Map<string, Row>, perRef: number): string[] {
  const out = [
    `References: ${perRef} photos per label of evaluation people, each on a neutral source photo of another evaluation person, intensity 1, warp + refiner.`,
    "\"Arrives\": projection of the edit's displacement on the reference's (x_ref - N'(x_ref)) over the image plane (x, y: a 2-D edit renders no depth), canonical IOD units; 1 = all of it (retarget scales it by the source's proportions to the reference's, part by part: about 1 on average). Stages: fitted (retarget to the source), target (x_t - x_src), render (landmarks found on the edit, taken into the source's canonical frame, - x_src). \"3-D, own frame\": the render figure as measured before (x, y and the mesh's depth, each face in its own canonical frame). Last column: the found displacement projected on the reference's real displacement (its photo minus the person's neutral photos), where there are some.",
    '',
    '| reference label | edits | arrives: fitted | target | render | render, 3-D, own frame | vs real displacement (n) | edit reads as the label | the reference photo does | edit reads as the reference photo |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [label, r] of rows)
    out.push(
      `| ${label} | ${r.n} | ${f2(median(r.fits))} | ${f2(median(r.targets))} | ${f2(median(r.renders))} | ${f2(median(r.renders3d))} | ${f2(median(r.real))} (${r.real.length}) | ${pc(r.agree, r.n)} | ${pc(r.refAgree, r.n)} | ${pc(r.sameAsRef, r.n)} |`,
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
  return out;
}
