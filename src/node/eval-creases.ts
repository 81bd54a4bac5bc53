/**
 * Creases (src/engine/render/creases.ts), with and without, against real photos. On neutral source photos of the
 * evaluation people, the presets whose motion squeezes the upper face (anger, surprise, sadness) are rendered at
 * intensity 1 by the renderer with creases and by the one without. Measured on each image:
 * - fine contrast in the brow band (between the brows, where frown lines form) and in the forehead band (where
 *   raised brows fold the skin): the root mean square of luminance minus its Gaussian blur (sigma 0.05 of the eyes'
 *   distance), over the band, relative to the band's mean luminance; the same on real photos of each label;
 * - the emotion model's reading (how often the edit reads as the preset's label);
 * - identity (cosine of face embeddings, source vs edit).
 * The bands are placed by the source's landmarks: the edit does not move the head.
 */
import type { PresetName, RGBAImage } from '../engine/index';
import { applyPatch, cosine, type Emotion } from '../engine/tools';
import { f2, f3, Failures, mean, median, type EvalContext, type EvalFace, type EvalSection } from './eval-common';
import { kit, neutralSources, openFace, padded, saveForEye, splitByLabel, topEmotion, type Kit } from './eval-kit';
import type { Point3 } from '../engine/index';

type Band = 'brow' | 'forehead';
/** Band boxes around landmark 9 (between the brows): u along the eyes' axis, v across it (down), in eye distances. */
const BANDS: Record<Band, { u: [number, number]; v: [number, number] }> = {
  brow: { u: [-0.17, 0.17], v: [-0.2, 0.12] },
  forehead: { u: [-0.4, 0.4], v: [-0.62, -0.28] },
};
const PRESETS: { preset: PresetName; label: string; emotion: Emotion }[] = [
  { preset: 'anger', label: 'anger', emotion: 'angry' },
  { preset: 'surprise', label: 'surprise', emotion: 'surprise' },
  { preset: 'sadness', label: 'sad', emotion: 'sad' },
];

const centroid = (pts: readonly Point3[], idx: readonly number[]) => [mean(idx.map((k) => pts[k][0])), mean(idx.map((k) => pts[k][1]))];
const RIGHT_EYE = [33, 133, 159, 145];
const LEFT_EYE = [263, 362, 386, 374];

/** Fine contrast of `img` in `band` of the face with landmarks `pts` (image pixels). */
export function bandContrast(img: RGBAImage, pts: readonly Point3[], band: Band): number {
  const [rx, ry] = centroid(pts, RIGHT_EYE);
  const [lx, ly] = centroid(pts, LEFT_EYE);
  const D = Math.hypot(lx - rx, ly - ry);
  const ax = (lx - rx) / D;
  const ay = (ly - ry) / D;
  const [ox, oy] = [pts[9][0], pts[9][1]];
  const sigma = 0.05 * D;
  const r = Math.ceil(3 * sigma);
  const b = BANDS[band];
  // the band's bounding box in the image, grown by the blur's reach
  const corners = [b.u[0], b.u[1]].flatMap((u) => [b.v[0], b.v[1]].map((v) => [ox + D * (u * ax - v * ay), oy + D * (u * ay + v * ax)]));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))) - r);
  const x1 = Math.min(img.width - 1, Math.ceil(Math.max(...corners.map((c) => c[0]))) + r);
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))) - r);
  const y1 = Math.min(img.height - 1, Math.ceil(Math.max(...corners.map((c) => c[1]))) + r);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  if (w < 4 || h < 4) return Number.NaN;
  const L = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = ((y + y0) * img.width + x + x0) * 4;
      L[y * w + x] = 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
    }
  const B = gaussianBlur(L, w, h, sigma);
  let ss = 0;
  let sl = 0;
  let n = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const px = x + x0 - ox;
      const py = y + y0 - oy;
      const u = (px * ax + py * ay) / D;
      const v = (-px * ay + py * ax) / D;
      if (u < b.u[0] || u > b.u[1] || v < b.v[0] || v > b.v[1]) continue;
      const d = L[y * w + x] - B[y * w + x];
      ss += d * d;
      sl += L[y * w + x];
      n++;
    }
  return n > 0 && sl > 0 ? Math.sqrt(ss / n) / (sl / n) : Number.NaN;
}

/** A separable Gaussian blur of `L` (w x h), edges renormalised. */
function gaussianBlur(L: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const pass = (src: Float32Array, dx: number, dy: number) => {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let a = 0;
        let n = 0;
        for (let i = -r; i <= r; i++) {
          const xx = x + i * dx;
          const yy = y + i * dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          a += k[i + r] * src[yy * w + xx];
          n += k[i + r];
        }
        out[y * w + x] = a / n;
      }
    return out;
  };
  return pass(pass(L, 1, 0), 0, 1);
}

/**
 * Fold contrast beside the mouth: in two boxes between each nose wing and mouth corner, reaching out over the
 * nasolabial folds and the cheeks, the RMS of the band of a smile's folds and bunching (luminance blurred by 0.015
 * minus blurred by 0.08 of the eye corners' distance) relative to the mean luminance; the mean of the two sides.
 */
export function foldContrast(img: RGBAImage, p: readonly Point3[]): number {
  const D = Math.hypot(p[263][0] - p[33][0], p[263][1] - p[33][1]);
  let total = 0;
  for (const [nose, corner, side] of [
    [98, 61, -1],
    [327, 291, 1],
  ] as const) {
    const cx = (p[nose][0] + p[corner][0]) / 2 + side * 0.08 * D;
    const cy = (p[nose][1] + p[corner][1]) / 2;
    const [hw, hh, m] = [0.16 * D, 0.2 * D, Math.ceil(0.25 * D)];
    const x0 = Math.max(0, Math.round(cx - hw - m));
    const y0 = Math.max(0, Math.round(cy - hh - m));
    const w = Math.min(img.width - x0, Math.round(2 * (hw + m)));
    const h = Math.min(img.height - y0, Math.round(2 * (hh + m)));
    const L = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = ((y + y0) * img.width + x + x0) * 4;
        L[y * w + x] = 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
      }
    const fine = gaussianBlur(L, w, h, 0.015 * D);
    const broad = gaussianBlur(L, w, h, 0.08 * D);
    let [ss, sl, n] = [0, 0, 0];
    for (let y = m; y < h - m; y++)
      for (let x = m; x < w - m; x++) {
        const d = fine[y * w + x] - broad[y * w + x];
        ss += d * d;
        sl += L[y * w + x];
        n++;
      }
    total += n > 0 && sl > 0 ? Math.sqrt(ss / n) / (sl / n) : Number.NaN;
  }
  return total / 2;
}

interface Tally {
  brow: number[];
  forehead: number[];
  agree: number;
  n: number;
  id: number[];
}
const tally = (): Tally => ({ brow: [], forehead: [], agree: 0, n: 0, id: [] });

export function creasesSection(options: { sources: number }): EvalSection {
  return {
    name: 'creases',
    async run(ctx: EvalContext): Promise<string> {
      const k = await kit(ctx);
      const fails = new Failures('creases edits');
      const lines: string[] = [];
      {
        // real photos of each label (evaluation people), bands at their own landmarks
        const real = new Map<string, Tally>();
        const byLabel = splitByLabel(ctx);
        for (const label of ['neutral', ...PRESETS.map((p) => p.label)]) {
          const t = tally();
          for (const f of (byLabel.get(label) ?? []).slice(0, 200)) {
            const img = await k.image(f);
            t.brow.push(bandContrast(img, padded(f.points), 'brow'));
            t.forehead.push(bandContrast(img, padded(f.points), 'forehead'));
          }
          real.set(label, t);
        }
        const sources = neutralSources(ctx).slice(0, options.sources);
        const cells = new Map<string, Tally>();
        const cell = (key: string) => cells.get(key) ?? cells.set(key, tally()).get(key)!;
        for (const [i, f] of sources.entries()) {
          await measureSource(k, f, i, cell, fails);
          process.stderr.write('.');
        }
        process.stderr.write('\n');
        lines.push(`fine contrast (RMS of luminance minus its blur, / mean) in the brow and forehead bands, medians; ${sources.length} neutral sources`);
        lines.push('what                          photos   brow    forehead  reads as label  identity');
        for (const [label, t] of real)
          lines.push(
            `real ${label.padEnd(24)} ${String(t.brow.length).padStart(6)}  ${f3(median(t.brow.filter(Number.isFinite)))}   ${f3(median(t.forehead.filter(Number.isFinite)))}`,
          );
        const src = cells.get('source');
        if (src) lines.push(`sources, no edit              ${String(src.brow.length).padStart(6)}  ${f3(median(src.brow))}   ${f3(median(src.forehead))}`);
        for (const p of PRESETS)
          for (const variant of ['without creases', 'with creases']) {
            const t = cells.get(`${p.preset}|${variant}`);
            if (!t) continue;
            lines.push(
              `${`${p.preset} at 1, ${variant}`.padEnd(29)} ${String(t.n).padStart(6)}  ${f3(median(t.brow))}   ${f3(median(t.forehead))}     ${`${t.agree}/${t.n}`.padStart(6)}        ${f3(mean(t.id))}`,
            );
          }
        const ratio = (preset: PresetName, label: string, band: Band) => {
          const e = cells.get(`${preset}|with creases`)?.[band] ?? [];
          const r = real.get(label)?.[band].filter(Number.isFinite) ?? [];
          return median(e) / median(r);
        };
        lines.push(
          `edit / real photos of the label, with creases: anger brow ${f2(ratio('anger', 'anger', 'brow'))}, surprise forehead ${f2(ratio('surprise', 'surprise', 'forehead'))}, sadness brow ${f2(ratio('sadness', 'sad', 'brow'))}`,
        );
      }
      lines.push(fails.toString());
      return lines.join('\n');
    },
  };
}

async function measureSource(k: Kit, f: EvalFace, i: number, cell: (key: string) => Tally, fails: Failures): Promise<void> {
  const opened = await openFace(k, f, fails);
  if (!opened) return;
  const pts = padded(f.points);
  const s = cell('source');
  s.brow.push(bandContrast(opened.img, pts, 'brow'));
  s.forehead.push(bandContrast(opened.img, pts, 'forehead'));
  const idSrc = await k.describer.embed(opened.img, pts);
  try {
    for (const p of PRESETS) {
      const edit = await opened.face.edit({ preset: p.preset });
      for (const variant of ['with creases', 'without creases'] as const) {
        const img = applyPatch(opened.img, await edit.render(1, { creases: variant === 'with creases', exact: true }));
        const t = cell(`${p.preset}|${variant}`);
        t.brow.push(bandContrast(img, pts, 'brow'));
        t.forehead.push(bandContrast(img, pts, 'forehead'));
        t.agree += topEmotion(await k.describer.emotion(img, pts)) === p.emotion ? 1 : 0;
        t.n++;
        t.id.push(cosine(idSrc, await k.describer.embed(img, pts)));
        if (i < 6) await saveForEye(img, `creases-${p.preset}-${variant.replace(' ', '-')}-${i}`);
      }
      edit.dispose();
    }
  } finally {
    opened.dispose();
  }
}
