/**
 * The refiner on windows of the aligned crop (src/engine/render/refine-windows.ts): the window plan, and the render
 * session with the shipped refiner on the sample photo (tfjs CPU backend) against the refiner on the whole crop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { Editor, Face, Photo } from '../src/engine/index';
import { applyAffine } from '../src/engine/render/aligned-crop';
import { createRefiner, type Refiner } from '../src/engine/render/refine';
import { maskBox, paintBoxes, REFINER_MARGIN, refinerWindows, windowFor, windowSides } from '../src/engine/render/refine-windows';
import { createRenderSession, type RenderPatch, type RenderSession } from '../src/engine/render/session';
import type { Point3 } from '../src/engine/types';
import type { Rect } from '../src/engine/render/warp';
import { cpuEditor, cpuStore, sampleBytes } from './helpers';
import { closedMouthFace, openMouth } from './refine-helpers';
import { closeEyes } from '../src/node/synthetic';

const S = 128;
const contains = (w: Rect, x0: number, y0: number, x1: number, y1: number) => w.x <= x0 && w.y <= y0 && w.x + w.width >= x1 && w.y + w.height >= y1;
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('window plan', () => {
  it('a square window on the 8-pixel grid, side a multiple of 16, holding the box and its margin (clipped to the crop)', () => {
    for (const box of [
      { x: 45, y: 80, width: 37, height: 13 },
      { x: 0, y: 3, width: 20, height: 9 },
      { x: 100, y: 110, width: 27, height: 18 },
      { x: 60, y: 60, width: 1, height: 1 },
    ]) {
      const w = windowFor(box, S, 16);
      expect(w.width).toBe(w.height);
      expect(w.width % 16).toBe(0);
      expect([w.x % 8, w.y % 8]).toEqual([0, 0]);
      expect(w.x >= 0 && w.y >= 0 && w.x + w.width <= S && w.y + w.height <= S).toBe(true);
      expect(contains(w, Math.max(0, box.x - 16), Math.max(0, box.y - 16), Math.min(S, box.x + box.width + 16), Math.min(S, box.y + box.height + 16))).toBe(
        true,
      );
    }
    // a box that needs more than the ladder's last side below S takes the whole crop
    expect(windowFor({ x: 10, y: 10, width: 100, height: 20 }, S, 16)).toEqual({ x: 0, y: 0, width: S, height: S });
  });

  it('windowSides lists every side a window can take (the shapes a GPU warm-up compiles)', () => {
    expect(windowSides(S, REFINER_MARGIN)).toEqual([32, 48, 64, 80, 96, 112, 128]);
    const seen = new Set<number>();
    for (let w = 1; w <= 90; w += 7)
      for (let h = 1; h <= 40; h += 5)
        for (const x of [0, 13, 40, S - w]) for (const y of [0, 37, S - h]) seen.add(windowFor({ x, y, width: w, height: h }, S, REFINER_MARGIN).width);
    expect([...seen].sort((a, b) => a - b)).toEqual(windowSides(S, REFINER_MARGIN));
  });

  it('one window per part, merged where they overlap or where one is not dearer; none for nothing to paint', () => {
    expect(refinerWindows([], S, 16)).toEqual([]);
    // mouth and two eyes far apart: three disjoint windows
    const mouth = { x: 44, y: 100, width: 40, height: 10 };
    const eyes = [
      { x: 20, y: 16, width: 16, height: 6 },
      { x: 92, y: 16, width: 16, height: 6 },
    ];
    const three = refinerWindows([mouth, ...eyes], S, 8);
    expect(three).toHaveLength(3);
    for (let i = 0; i < three.length; i++) for (let j = i + 1; j < three.length; j++) expect(overlap(three[i], three[j])).toBe(false);
    // with a wide margin their windows overlap: one window holds them all
    const one = refinerWindows([mouth, ...eyes], S, 24);
    expect(one).toHaveLength(1);
    for (const b of [mouth, ...eyes]) expect(contains(one[0], b.x, b.y, b.x + b.width, b.y + b.height)).toBe(true);
  });

  it('the paint boxes cover the paint region, one per part that grew paint', () => {
    const paint = new Float32Array(S * S);
    const mouth = new Float32Array(S * S);
    const eye = new Float32Array(S * S);
    const set = (m: Float32Array, x0: number, y0: number, x1: number, y1: number, v = 1) => {
      for (let v0 = y0; v0 < y1; v0++) for (let u = x0; u < x1; u++) m[v0 * S + u] = v;
    };
    set(mouth, 50, 80, 70, 90);
    set(paint, 48, 78, 72, 92, 0.5);
    set(eye, 30, 40, 40, 44); // an eye that grew no paint (a sliver thinner than the feather keeps none)
    expect(paintBoxes(paint, [mouth, eye], S, 2)).toEqual([{ x: 48, y: 78, width: 24, height: 14 }]);
    expect(maskBox(new Float32Array(S * S), S)).toBeNull();
  });
});

describe('render session: refiner windows vs the whole crop (shipped refiner, sample photo)', () => {
  let editor: Editor;
  let photo: Photo;
  let face: Face;
  let refiner: Refiner;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    editor = await cpuEditor();
    photo = await editor.open(sampleBytes());
    face = await photo.face(0);
    refiner = await createRefiner(cpuStore());
  });
  afterAll(() => {
    refiner?.dispose();
    photo?.dispose();
    editor?.dispose();
  });

  /** ROI pixels whose crop position samples a paint weight > 0 (the paste-back's bilinear footprint of the paint region). */
  function painted(s: RenderSession, target: readonly Point3[]): Uint8Array {
    const paint = s.paintRegion(target) as Float32Array;
    const { roi, crop } = s;
    const out = new Uint8Array(roi.width * roi.height);
    for (let j = 0; j < roi.height; j++)
      for (let i = 0; i < roi.width; i++) {
        const [a, b] = applyAffine(crop.fromImage, [roi.x + i, roi.y + j]);
        const u0 = Math.floor(a * S - 0.5);
        const v0 = Math.floor(b * S - 0.5);
        for (const [du, dv] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ]) {
          const u = u0 + du;
          const v = v0 + dv;
          if (u >= 0 && u < S && v >= 0 && v < S && paint[v * S + u] > 0) out[j * roi.width + i] = 1;
        }
      }
    return out;
  }

  /** Max and mean absolute RGB difference of two patches of the same ROI, where `where` is 1 (everywhere by default). */
  function diff(a: RenderPatch, b: RenderPatch, where?: Uint8Array): { max: number; mean: number; n: number } {
    let max = 0;
    let sum = 0;
    let n = 0;
    for (let k = 0; k < a.width * a.height; k++) {
      if (where && !where[k]) continue;
      n++;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a.data[4 * k + c] - b.data[4 * k + c]);
        max = Math.max(max, d);
        sum += d;
      }
    }
    return { max, mean: sum / (3 * Math.max(1, n)), n };
  }

  it(`a mouth that opens: windows (margin ${REFINER_MARGIN}) give the whole crop's result in the paint region, on a fraction of its pixels`, async () => {
    const before = tf.memory().numTensors;
    const full = await createRenderSession(photo.image, face, { refiner, fullCropRefiner: true });
    const win = await createRenderSession(photo.image, face, { refiner });
    const target = openMouth(face, 0.3);
    // the refiner's own output: no full-resolution mouth interior carried over it
    const own = { interior: null } as const;
    const a = await full.render(target, own);
    const b = await win.render(target, own);
    const warpOnly = await win.render(target, { ...own, useRefiner: false });
    expect([a.refinerWindows, a.refinedPixels]).toEqual([1, S * S]);
    expect(b.refinerWindows).toBe(1);
    expect(b.refinedPixels).toBeLessThan(0.6 * S * S); // 96 x 96
    const inside = painted(full, target);
    const d = diff(a, b, inside);
    expect(d.n).toBeGreaterThan(200);
    // the refiner does change the opening (so the comparison means something) ...
    expect(diff(a, warpOnly, inside).max).toBeGreaterThan(20);
    // ... and the windows give the same: measured max 1, mean 0.007 grey levels (scripts/bench-refiner-windows.ts)
    expect(d.max).toBeLessThanOrEqual(3);
    expect(d.mean).toBeLessThan(0.5);
    // outside the paint region both are the warp's pixels
    expect(diff(a, b).max).toBe(d.max);
    full.dispose();
    win.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('windows go back where they were cut: with a refiner that works pixel by pixel, mouth and eye windows give the whole crop exactly', async () => {
    // no context: each output pixel depends on its own input pixel (and the mouth mask) only, so only placement can differ
    const pointwise: Refiner = {
      size: S,
      crop: refiner.crop,
      refineWithMask: (c, m) =>
        tf.tidy(() => ({ image: tf.sub(1, c) as tf.Tensor4D, mask: tf.add(0.2, tf.mul(m ?? tf.zeros([1, c.shape[1], c.shape[2], 1]), 0.5)) as tf.Tensor4D })),
      dispose() {},
    };
    const target = closeEyes(openMouth(face, 0.3), 0.3);
    const full = await createRenderSession(photo.image, face, { refiner: pointwise, fullCropRefiner: true });
    const win = await createRenderSession(photo.image, face, { refiner: pointwise, refinerMargin: 8 });
    const a = await full.render(target);
    const b = await win.render(target);
    expect(b.refinerWindows).toBeGreaterThanOrEqual(2);
    expect(diff(a, b).max).toBe(0);
    expect(diff(a, await win.render(target, { useRefiner: false }), painted(full, target)).max).toBeGreaterThan(50); // it did paint
    full.dispose();
    win.dispose();
  });

  it('nothing new to paint (closed mouth, target = source): the refiner does not run and the patch is the warp, as with the whole crop', async () => {
    const closed = await closedMouthFace(photo.image, face);
    let calls = 0;
    const counting: Refiner = {
      ...refiner,
      refineWithMask(crop, mouth) {
        calls++;
        return refiner.refineWithMask(crop, mouth);
      },
    };
    const win = await createRenderSession(closed.image, closed.face, { refiner: counting });
    const full = await createRenderSession(closed.image, closed.face, { refiner, fullCropRefiner: true });
    const target = closed.face.landmarks.points;
    expect(Math.max(...(win.paintRegion(target) as Float32Array))).toBe(0);
    const p = await win.render(target);
    expect(calls).toBe(0);
    expect([p.refinerWindows, p.refinedPixels]).toEqual([0, 0]);
    const q = await full.render(target);
    expect(q.refinerWindows).toBe(1);
    expect(Buffer.from(p.data).equals(Buffer.from(q.data))).toBe(true);
    expect(Buffer.from(p.data).equals(Buffer.from((await win.render(target, { useRefiner: false })).data))).toBe(true);
    win.dispose();
    full.dispose();
  });
});
