/**
 * The refiner on windows of the aligned crop (src/engine/render/refine-windows.ts) against the refiner on the
 * whole crop (RenderSessionOptions.fullCropRefiner): parity of the rendered patches and the time of render().
 * Cases: the sample photo (happy preset; mouth opened 0.3 IOD; the same with both eyes closing to 0.3) and the London fixtures
 * (../shared/fixtures/london, CC BY 4.0): each neutral photo with the happy preset and with the same person's
 * smiling photo as the reference, all at intensity 1.
 *
 *   npx tsx scripts/bench-refiner-windows.ts [--backend cpu] [--margins 8,16,24] [--ids 007,009] [--runs 0] [--net] [--no-sample]
 *
 * Parity, per case and margin: max and mean absolute difference (0..255, RGB) of the windowed patch from the
 * full-crop one, inside the paint region (ROI pixels whose crop position samples a paint weight > 0, as the
 * paste-back does) and over the whole patch; for scale, the same between the full-crop render and the warp alone. With --runs N > 0 it also times render() (fastest of N, taken in turn, after a
 * warm-up) on each case, full crop vs windows at the first margin, and the warp alone (what no refiner costs);
 * with --net also the network alone on each window side. All renders leave the mouth interior to the
 * refiner (RenderOptions.interior null), so that what is compared is the refiner's output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, type BackendName, type Face, type Photo, type Point3 } from '../src/engine/index';
import { applyAffine, createModelStore, createRefiner, createRenderSession, type RenderPatch, type RenderSession } from '../src/engine/tools';
import * as tf from '@tensorflow/tfjs-core';
import { fileByteSource, ROOT } from '../src/node/platform';
import { closeEyes, openMouth } from '../src/node/synthetic';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const backend = arg('backend', 'cpu') as BackendName;
const margins = arg('margins', '8,16,24').split(',').map(Number);
const runs = Number(arg('runs', '0'));
const LONDON = join(ROOT, '..', 'shared', 'fixtures', 'london');
const ids = arg('ids', '007,009,022,043,062,067,108,118,122,125,126,127').split(',').filter(Boolean);

/** The refiner's own output: no full-resolution mouth interior carried over it (mouth-interior.ts). */
const OWN = { interior: null } as const;

const editor = await createEditor({ backends: [backend], models: fileByteSource(), warmUp: false });
const refiner = await createRefiner(createModelStore(fileByteSource()));
const S = refiner.size;
console.log(`backend ${editor.backend.name}, refiner S = ${S}, margins ${margins.join(', ')}`);

/** ROI pixels (row-major over the patch) where the paste-back samples a paint weight > 0. */
function paintedPixels(s: RenderSession, target: readonly Point3[]): Uint8Array {
  const paint = s.paintRegion(target) as Float32Array;
  const { roi, crop } = s;
  const inside = new Uint8Array(roi.width * roi.height);
  for (let j = 0; j < roi.height; j++)
    for (let i = 0; i < roi.width; i++) {
      const [a, b] = applyAffine(crop.fromImage, [roi.x + i, roi.y + j]);
      const u = a * S - 0.5;
      const v = b * S - 0.5;
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      let p = 0;
      for (const [du, dv] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ]) {
        const uu = u0 + du;
        const vv = v0 + dv;
        if (uu >= 0 && uu < S && vv >= 0 && vv < S) p = Math.max(p, paint[vv * S + uu]);
      }
      inside[j * roi.width + i] = p > 0 ? 1 : 0;
    }
  return inside;
}

interface Diff {
  maxIn: number;
  meanIn: number;
  maxAll: number;
  meanAll: number;
  n: number;
}
function diff(a: RenderPatch, b: RenderPatch, inside: Uint8Array): Diff {
  let maxIn = 0;
  let sumIn = 0;
  let nIn = 0;
  let maxAll = 0;
  let sumAll = 0;
  for (let k = 0; k < inside.length; k++)
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[4 * k + c] - b.data[4 * k + c]);
      maxAll = Math.max(maxAll, d);
      sumAll += d;
      if (inside[k]) {
        maxIn = Math.max(maxIn, d);
        sumIn += d;
        nIn++;
      }
    }
  return { maxIn, meanIn: nIn ? sumIn / nIn : 0, maxAll, meanAll: sumAll / (3 * inside.length), n: nIn / 3 };
}

/**
 * Fastest of `runs` timings of each of `fns`, taken in turn (a, b, c, a, b, c, ...) after one warm-up each, so
 * that load from other processes falls on all of them alike; the minimum is what the work itself costs.
 */
async function timeInTurn(fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const f of fns) await f();
  const best = fns.map(() => Infinity);
  for (let i = 0; i < runs; i++)
    for (const [k, f] of fns.entries()) {
      const t0 = performance.now();
      await f();
      best[k] = Math.min(best[k], performance.now() - t0);
    }
  return best;
}

const rows: { name: string; per: Diff[] }[] = [];
const times: { name: string; full: number; win: number; warp: number }[] = [];
async function measure(name: string, photo: Photo, face: Face, target: Point3[]): Promise<void> {
  const full = await createRenderSession(photo.image, face, { refiner, fullCropRefiner: true });
  const ref = await full.render(target, OWN);
  const inside = paintedPixels(full, target);
  // how much the refiner changes there at all (the full-crop render against the warp alone), for scale
  const effect = diff(await full.render(target, { ...OWN, useRefiner: false }), ref, inside);
  const per: Diff[] = [];
  const info: string[] = [];
  let timed = false;
  for (const margin of margins) {
    const s = await createRenderSession(photo.image, face, { refiner, refinerMargin: margin });
    const p = await s.render(target, OWN);
    per.push(diff(p, ref, inside));
    info.push(`m${margin}: ${p.refinerWindows} win ${p.refinedPixels} px`);
    if (runs > 0 && !timed) {
      const [fullMs, win, warp] = await timeInTurn([
        () => full.render(target, OWN),
        () => s.render(target, OWN),
        () => full.render(target, { ...OWN, useRefiner: false }),
      ]);
      times.push({ name, full: fullMs, win, warp });
      info.push(`time full ${fullMs.toFixed(0)} ms, windows ${win.toFixed(0)} ms (x${(fullMs / win).toFixed(2)}), warp only ${warp.toFixed(0)} ms`);
      timed = true;
    }
    s.dispose();
  }
  full.dispose();
  rows.push({ name, per });
  const fmt = (d: Diff) => `in ${d.maxIn}/${d.meanIn.toFixed(3)} all ${d.maxAll}/${d.meanAll.toFixed(4)}`;
  console.log(
    `${name.padEnd(16)} paint ${per[0].n} px, refiner vs warp ${fmt(effect)} | ${per.map((d, k) => `m${margins[k]} ${fmt(d)}`).join(' | ')} | ${info.join(', ')}`,
  );
}

if (!process.argv.includes('--no-sample')) {
  const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, '..', 'shared', 'fixtures', 'astronaut.png'))));
  const face = await photo.face(0);
  const happy = await face.edit({ preset: 'happy' });
  await measure('sample happy', photo, face, happy.target(1));
  await measure('sample open 0.3', photo, face, openMouth(face, 0.3));
  await measure('sample eyes 0.3+open', photo, face, closeEyes(openMouth(face, 0.3)));
  photo.dispose();
}
for (const id of ids) {
  const photo = await editor.open(new Uint8Array(readFileSync(join(LONDON, 'neutral', `${id}.jpg`))));
  const smiling = await editor.open(new Uint8Array(readFileSync(join(LONDON, 'smiling', `${id}.jpg`))));
  const face = await photo.face(0);
  await measure(`${id} happy`, photo, face, (await face.edit({ preset: 'happy' })).target(1));
  await measure(`${id} own smile`, photo, face, (await face.edit(await smiling.face(0))).target(1));
  smiling.dispose();
  photo.dispose();
}

console.log('\nover all cases: worst max / mean of means (inside the paint region | whole patch)');
margins.forEach((m, k) => {
  const d = rows.map((r) => r.per[k]).filter((x) => x.n > 0);
  const all = rows.map((r) => r.per[k]);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(
    `margin ${m}: inside max ${Math.max(0, ...d.map((x) => x.maxIn))}, mean ${mean(d.map((x) => x.meanIn)).toFixed(3)} (worst ${Math.max(0, ...d.map((x) => x.meanIn)).toFixed(3)}) | ` +
      `patch max ${Math.max(...all.map((x) => x.maxAll))}, mean ${mean(all.map((x) => x.meanAll)).toFixed(4)}`,
  );
});
if (times.length && process.argv.includes('--net')) {
  // the network alone on the window sides of the ladder
  const sides = [S, 112, 96, 80, 64, 48].filter((n) => n <= S);
  const inputs = sides.map((n) => [tf.randomUniform([1, n, n, 3]) as tf.Tensor4D, tf.zeros([1, n, n, 1]) as tf.Tensor4D] as const);
  const best = await timeInTurn(
    inputs.map(([x, m]) => async () => {
      const r = refiner.refineWithMask(x, m);
      await r.image.data();
      tf.dispose([r.image, r.mask]);
    }),
  );
  console.log(`refineWithMask alone: ${sides.map((n, k) => `${n}x${n} ${best[k].toFixed(0)} ms`).join(', ')}`);
  tf.dispose(inputs.flat());
}
if (times.length) {
  const total = (k: 'full' | 'win' | 'warp') => times.reduce((a, t) => a + t[k], 0);
  const [tFull, tWin, tWarp] = [total('full'), total('win'), total('warp')];
  console.log(
    `render() time, sum over cases: full crop ${tFull.toFixed(0)} ms, windows (margin ${margins[0]}) ${tWin.toFixed(0)} ms: x${(tFull / tWin).toFixed(2)}; ` +
      `warp only ${tWarp.toFixed(0)} ms, so the refiner's share x${((tFull - tWarp) / (tWin - tWarp)).toFixed(2)}`,
  );
}
refiner.dispose();
editor.dispose();
