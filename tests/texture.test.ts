import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Editor, Face } from '../src/engine/index';
import { LANDMARK_SETS } from '../src/engine/tools';
import { alignedCropRect, applyAffine, cropPixelToImage, DEFAULT_CROP, invertAffine } from '../src/engine/render/aligned-crop';
import { createRefiner, type Refiner } from '../src/engine/render/refine';
import { createRenderSession, type RenderPatch } from '../src/engine/render/session';
import { createTextureModel, type TextureModel } from '../src/engine/render/texture';
import type { Point2, Point3 } from '../src/engine/types';
import { MAX_UNEXPLAINED, projectMotion } from '../src/engine/render/texture-gains';
import { ROOT } from '../src/node/platform';
import { REGIONS } from '../src/engine/expression/target';
import { cpuEditor, cpuStore, faceDiffs } from './helpers';

const golden = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'texture-golden.json'), 'utf8')) as {
  target: Point2[];
  source: Point2[];
  M: string;
  motion: string;
  gain: string;
};
/** A derived gain's frame against the network's (tests/measure-texture-reuse.ts; docs/results.md): grey levels in the face. */
const DERIVED_MEAN = 2;
const DERIVED_P99 = 14;
/** `model`, counting its network's runs (every run of the texture network goes through `network`). */
function countRuns(model: TextureModel): { counting: TextureModel; runs: () => number } {
  let n = 0;
  const counting: TextureModel = {
    ...model,
    network: (f) => {
      n++;
      return model.network(f);
    },
  };
  return { counting, runs: () => n };
}
const f32 = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);

describe('expression texture (texture.ts) against PyTorch (training/texture_export.py)', () => {
  let model: TextureModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = await createTextureModel(cpuStore());
  });
  afterAll(() => model?.dispose());

  it('computes the same skin mask and motion', () => {
    const { size: S, grid: n } = model.config;
    const f = model.fields(golden.target, golden.source);
    const M = f32(golden.M);
    let worst = 0;
    for (let j = 0; j < S / 4; j++) for (let i = 0; i < S / 4; i++) worst = Math.max(worst, Math.abs(f.mask[4 * j * S + 4 * i] - M[j * (S / 4) + i]));
    expect(worst).toBeLessThan(2e-3);
    const mot = f32(golden.motion); // [2, n, n]
    let wm = 0;
    for (let k = 0; k < n * n; k++) for (let c = 0; c < 2; c++) wm = Math.max(wm, Math.abs(f.motion[k * 2 + c] - mot[c * n * n + k]));
    expect(wm).toBeLessThan(1e-3);
    // the mask is skin: 0 inside the mouth and on the eyeballs, 1 on the cheeks
    expect(M.some((v) => v > 0.99)).toBe(true);
  });

  it('gives the same gain, and none without motion', () => {
    const S = model.config.size;
    const g = model.gain(golden.target, golden.source);
    const got = g.dataSync();
    g.dispose();
    const want = f32(golden.gain);
    let worst = 0;
    let mag = 0;
    for (let j = 0; j < S / 4; j++)
      for (let i = 0; i < S / 4; i++)
        for (let c = 0; c < 3; c++) {
          const w = want[(j * (S / 4) + i) * 3 + c];
          worst = Math.max(worst, Math.abs(got[(4 * j * S + 4 * i) * 3 + c] - w));
          mag = Math.max(mag, Math.abs(w));
        }
    expect(mag).toBeGreaterThan(0.01);
    expect(worst).toBeLessThan(2e-3);
    const still = model.gain(golden.target, golden.target);
    expect(Math.max(...Array.from(still.dataSync(), Math.abs))).toBe(0);
    still.dispose();
  });
});

describe('expression texture on a real photo (London fixture 009, CC BY 4.0)', () => {
  let editor: Editor;
  let texture: TextureModel;
  let refiner: Refiner;
  const london = (f: string) => new Uint8Array(readFileSync(join(ROOT, '..', 'shared', 'fixtures', 'london', f)));
  beforeAll(async () => {
    editor = await cpuEditor();
    texture = await createTextureModel(cpuStore());
    refiner = await createRefiner(cpuStore());
  });
  afterAll(() => {
    texture?.dispose();
    refiner?.dispose();
    editor?.dispose();
  });

  /** The gain (mean of RGB) at some target landmarks, for an edit of `file` towards `ref`. */
  async function gainAt(file: string, ref: Parameters<Face['edit']>[0], points: number[]): Promise<number[]> {
    const face = await (await editor.open(london(file))).face(0);
    const rect = alignedCropRect(face.canonical.transform, DEFAULT_CROP);
    const S = texture.config.size;
    const imageToCrop = invertAffine(cropPixelToImage(rect, S));
    const toCrop = (p: readonly number[]) => applyAffine(imageToCrop, p);
    const target = (await face.edit(ref)).target(1).map(toCrop);
    const g = texture.gain(target, face.landmarks.points.map(toCrop));
    const d = g.dataSync();
    g.dispose();
    return points.map((k) => {
      const i = Math.round(target[k][1]) * S + Math.round(target[k][0]);
      return (d[3 * i] + d[3 * i + 1] + d[3 * i + 2]) / 3;
    });
  }

  const FOLDS = [206, 426, 216, 436]; // beside the nose wings, down to the mouth corners
  const CHEEKS = [50, 280]; // the cheeks' apples

  it('a smile darkens the nasolabial folds and brightens the cheeks; neutralizing a smile does the reverse', async () => {
    const smile = await gainAt('neutral/009.jpg', { preset: 'happy' }, [...FOLDS, ...CHEEKS]);
    for (const g of smile.slice(0, 4)) expect(g).toBeLessThan(-0.03);
    for (const g of smile.slice(4)) expect(g).toBeGreaterThan(0.02);
    const neutral = await gainAt('smiling/009.jpg', 'neutral', [...FOLDS, ...CHEEKS]);
    for (const g of neutral.slice(0, 4)) expect(g).toBeGreaterThan(0.03);
    for (const g of neutral.slice(4)) expect(g).toBeLessThan(-0.02);
  });

  it('in the render: the folds darker than without it, nothing changed outside the face, the photo itself at intensity 0', async () => {
    const photo = await editor.open(london('neutral/009.jpg'));
    const face = await photo.face(0);
    const edit = await face.edit({ preset: 'happy' });
    const target = edit.target(1);
    const withT = await createRenderSession(photo.image, face, { refiner, texture });
    const without = await createRenderSession(photo.image, face, { refiner });
    try {
      const a = await withT.render(target);
      const b = await without.render(target);
      expect([a.x, a.y, a.width, a.height]).toEqual([b.x, b.y, b.width, b.height]);
      const lum = (p: RenderPatch, x: number, y: number) => {
        const i = ((Math.round(y) - p.y) * p.width + Math.round(x) - p.x) * 4;
        return 0.299 * p.data[i] + 0.587 * p.data[i + 1] + 0.114 * p.data[i + 2];
      };
      // 5 x 5 means around the folds' target landmarks: darker by more than 3 grey levels
      const mean = (p: RenderPatch, k: number) => {
        let s = 0;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) s += lum(p, target[k][0] + dx, target[k][1] + dy);
        return s / 25;
      };
      for (const k of FOLDS) expect(mean(a, k) - mean(b, k)).toBeLessThan(-3);
      // outside the face oval (beyond its bounding box, grown by a tenth) every pixel is the same
      const oval = LANDMARK_SETS.faceOval.map((k) => target[k]);
      const [x0, x1] = [Math.min(...oval.map((p) => p[0])), Math.max(...oval.map((p) => p[0]))];
      const [y0, y1] = [Math.min(...oval.map((p) => p[1])), Math.max(...oval.map((p) => p[1]))];
      const mx = (x1 - x0) / 10;
      const my = (y1 - y0) / 10;
      let outside = 0;
      for (let y = a.y; y < a.y + a.height; y++)
        for (let x = a.x; x < a.x + a.width; x++) {
          if (x > x0 - mx && x < x1 + mx && y > y0 - my && y < y1 + my) continue;
          const i = ((y - a.y) * a.width + x - a.x) * 4;
          outside = Math.max(outside, Math.abs(a.data[i] - b.data[i]), Math.abs(a.data[i + 1] - b.data[i + 1]), Math.abs(a.data[i + 2] - b.data[i + 2]));
        }
      expect(outside).toBeLessThanOrEqual(1);
      // intensity 0: the gain is 0 (no motion), the patch is the photo
      const still = await withT.render(edit.target(0));
      let worst = 0;
      for (let y = still.y; y < still.y + still.height; y += 3)
        for (let x = still.x; x < still.x + still.width; x += 3) {
          const i = ((y - still.y) * still.width + x - still.x) * 4;
          const j = (y * photo.image.width + x) * 4;
          for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(still.data[i + c] - photo.image.data[j + c]));
        }
      expect(worst).toBeLessThanOrEqual(1);
    } finally {
      withT.dispose();
      without.dispose();
    }
  });

  it('a slider runs the network once per edit (prepared in advance): its frames take the gain of intensity 1, scaled by the intensity', async () => {
    const photo = await editor.open(london('neutral/009.jpg'));
    const face = await photo.face(0);
    const edit = await face.edit({ preset: 'happy' });
    const { counting, runs } = countRuns(texture);
    const session = await createRenderSession(photo.image, face, { refiner, texture: counting });
    try {
      const t1 = edit.target(1);
      const fold = (p: RenderPatch) => {
        let s = 0;
        for (const k of FOLDS) {
          const i = ((Math.round(t1[k][1]) - p.y) * p.width + Math.round(t1[k][0]) - p.x) * 4;
          s += 0.299 * p.data[i] + 0.587 * p.data[i + 1] + 0.114 * p.data[i + 2];
        }
        return s / FOLDS.length;
      };
      await session.prepareTexture(t1); // what an edit asks for after its first preview
      expect(runs()).toBe(1);
      const at = (a: number, scale: number) => session.render(edit.target(a), { texture: { target: t1, scale } });
      const none = fold(await at(0.5, 0));
      const half = fold(await at(0.5, 0.5));
      const full = fold(await at(0.5, 1));
      expect(runs()).toBe(1);
      expect(full - none).toBeLessThan(-4);
      expect((half - none) / (full - none)).toBeGreaterThan(0.35);
      expect((half - none) / (full - none)).toBeLessThan(0.65);
    } finally {
      session.dispose();
    }
  });

  it('a part slider or a region switched off: no network run, the frame close to the one the network gives', async () => {
    const photo = await editor.open(london('neutral/009.jpg'));
    const face = await photo.face(0);
    const base = (await face.edit({ preset: 'happy' }, { prepareTexture: false })).target(1);
    // the texture's motion for a target: on the refiner's crop, as the session computes it
    const toCrop = invertAffine(cropPixelToImage(alignedCropRect(face.canonical.transform, refiner.crop), refiner.size));
    const onCrop = (t: readonly Point3[]) => t.map((p) => applyAffine(toCrop, p));
    const motion = (t: readonly Point3[]) => texture.fields(onCrop(t), onCrop(face.landmarks.points)).motion;
    const { counting, runs } = countRuns(texture);
    const derived = await createRenderSession(photo.image, face, { refiner, texture: counting });
    const exact = await createRenderSession(photo.image, face, { refiner, texture });
    try {
      await derived.prepareTexture(base); // the preset's edit, made before the change
      expect(runs()).toBe(1);
      for (const opts of [{ units: { lip_corner_pull: 0.6 } }, { regions: REGIONS.filter((r) => r !== 'eyes') }]) {
        const target = (await face.edit({ preset: 'happy' }, { ...opts, prepareTexture: false })).target(1);
        const a = await derived.render(target);
        expect(runs()).toBe(1);
        expect(projectMotion(motion(base), motion(target), texture.config.grid).unexplained).toBeLessThan(MAX_UNEXPLAINED);
        const b = await exact.render(target);
        // inside the face: mean and 99th percentile of the mean absolute RGB difference (grey levels)
        const d = faceDiffs(a, b, target).sort((p, q) => p - q);
        const mean = d.reduce((p, q) => p + q, 0) / d.length;
        expect(mean).toBeGreaterThan(0); // derived, not the network's own
        expect(mean).toBeLessThan(DERIVED_MEAN);
        expect(d[Math.floor(0.99 * d.length)]).toBeLessThan(DERIVED_P99);
      }
      // a new expression is not a part change: the projection leaves most of its motion unexplained, the network runs
      const surprise = (await face.edit({ preset: 'surprise' }, { prepareTexture: false })).target(1);
      expect(projectMotion(motion(base), motion(surprise), texture.config.grid).unexplained).toBeGreaterThan(MAX_UNEXPLAINED);
      await derived.render(surprise);
      expect(runs()).toBe(2);
      // an export asks for the network's own gain (edit.ts): the derived one is replaced, the frame is the network's
      const part = (await face.edit({ preset: 'happy' }, { units: { lip_corner_pull: 0.6 }, prepareTexture: false })).target(1);
      const c = await derived.render(part, { texture: { target: part, scale: 1, exact: true } });
      expect(runs()).toBe(3);
      const e = await exact.render(part);
      let worst = 0;
      for (let i = 0; i < c.data.length; i++) worst = Math.max(worst, Math.abs(c.data[i] - e.data[i]));
      expect(worst).toBe(0);
      // prepared ahead with `exact` (Edit.prepare, the app's thumbnails at rest): the network runs for a part change
      // it could derive, and the frame that follows finds that gain and runs nothing
      const ahead = (await face.edit({ preset: 'happy' }, { units: { lip_corner_pull: 0.9 }, prepareTexture: false })).target(1);
      await derived.prepareTexture(ahead, true);
      expect(runs()).toBe(4);
      await derived.render(ahead);
      expect(runs()).toBe(4);
    } finally {
      derived.dispose();
      exact.dispose();
    }
  }, 300_000);
});
