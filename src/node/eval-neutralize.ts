/**
 * Neutralized smiles: happy-labelled photos of evaluation people edited to 'neutral': how often the edit reads as
 * neutral (beside real neutral photos, eval-ceiling.ts), how the mouth moved, identity, and where the smile still
 * reads (the emotion model with the eyes, the mouth, or the cheeks and folds blurred).
 */
import type { Point3, RGBAImage } from '../engine/index';
import { cosine, EMOTIONS } from '../engine/tools';
import { f1, f2, f3, Failures, mean, median, pc, sd, spread, type EvalSection } from './eval-common';
import { ceilingShare, inSourceFrame, kit, measureChange, openFace, refind, renderAt, saveForEye, splitByLabel, topEmotion } from './eval-kit';

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
