/** The render session on the real engine and a real photo (astronaut.png, tfjs CPU backend). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { alignedCropRect, applyAffine, cropTransformParams, DEFAULT_CROP, type CropSpec } from '../src/engine/render/aligned-crop';
import { createCompositor } from '../src/engine/render/composite';
import type { FaceAnalysis } from '../src/engine/analyse/analyser';
import type { Editor, Photo } from '../src/engine/index';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import { interOcular } from '../src/engine/analyse/manifold';
import { createSampler } from '../src/engine/render/sampler';
import { createRenderSession } from '../src/engine/render/session';
import type { Point3, RGBAImage } from '../src/engine/types';
import { maxFlowGradient, minJacobian } from '../src/engine/render/warp';
import { cpuEditor, cpuStore, sampleBytes } from './helpers';
import { openMouth, renderTarget } from './refine-helpers';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRefiner, type Refiner } from '../src/engine/render/refine';
import { MODEL_DIR } from '../src/node/platform';

let editor: Editor;
let photo: Photo;
let face: FaceAnalysis;
/** The shipped refiner. */
let refiner: Refiner;
beforeAll(async () => {
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

function pixel(img: RGBAImage, x: number, y: number): number[] {
  const o = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[o], img.data[o + 1], img.data[o + 2]];
}

/** Mean absolute RGB difference of the 5x5 neighbourhoods around a at image A and b at image B. */
function patchDiff(A: RGBAImage, a: number[], B: RGBAImage, b: number[]): number {
  let s = 0;
  let n = 0;
  for (let dy = -2; dy <= 2; dy++)
    for (let dx = -2; dx <= 2; dx++) {
      const p = pixel(A, a[0] + dx, a[1] + dy);
      const q = pixel(B, b[0] + dx, b[1] + dy);
      for (let c = 0; c < 3; c++) {
        s += Math.abs(p[c] - q[c]);
        n++;
      }
    }
  return s / n;
}

function inRect(x: number, y: number, r: { x: number; y: number; width: number; height: number }): boolean {
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
}

/**
 * A refiner with a result the test can predict: `image(crop)` and a constant attention (1 = warp kept, 0 = painted),
 * at crop size `size`. It goes through the session exactly as the shipped refiner does.
 */
function scriptedRefiner(size: number, image: (crop: tf.Tensor4D) => tf.Tensor4D, attention: number, crop: CropSpec = DEFAULT_CROP): Refiner {
  return {
    size,
    crop,
    refineWithMask: (c) => ({ image: image(c), mask: tf.fill([1, c.shape[1], c.shape[2], 1], attention) as tf.Tensor4D }),
    dispose: () => {},
  };
}

/** Paints the whole crop one flat grey (attention 0): makes the paste-back's footprint visible. */
const greyRefiner = (size: number) => scriptedRefiner(size, (crop) => tf.tidy(() => tf.mul(tf.onesLike(crop), 0.5)), 0);

describe('render session (warp only)', () => {
  it('identity target leaves the photo unchanged', async () => {
    const s = await createRenderSession(photo.image, face);
    const out = await s.renderFull(face.landmarks.points);
    s.dispose();
    expect([out.width, out.height]).toEqual([photo.image.width, photo.image.height]);
    let inRoi = 0;
    let outside = 0;
    for (let y = 0; y < out.height; y++)
      for (let x = 0; x < out.width; x++) {
        for (let c = 0; c < 4; c++) {
          const o = (y * out.width + x) * 4 + c;
          const d = Math.abs(out.data[o] - photo.image.data[o]);
          if (inRect(x, y, s.roi)) inRoi = Math.max(inRoi, d);
          else outside = Math.max(outside, d);
        }
      }
    expect(inRoi).toBeLessThanOrEqual(1);
    expect(outside).toBe(0);
  });

  it('opening the mouth moves the jaw, keeps far pixels bit-identical and does not tear', async () => {
    const s = await createRenderSession(photo.image, face);
    const target = openMouth(face, 0.3);
    const out = await s.renderFull(target);
    const img = photo.image;
    expect([out.width, out.height, out.data.length]).toEqual([img.width, img.height, img.data.length]);

    // the mouth region changed a lot: the lower lip (14 inner, 17 outer) and chin (152) went down
    const iod = interOcular(face.landmarks.points);
    const mouth = face.landmarks.points[14];
    let changed = 0;
    for (let y = Math.round(mouth[1]); y < mouth[1] + 0.5 * iod; y++)
      for (let x = Math.round(mouth[0] - 0.3 * iod); x < mouth[0] + 0.3 * iod; x++) {
        const o = (y * img.width + x) * 4;
        if (Math.abs(out.data[o] - img.data[o]) + Math.abs(out.data[o + 1] - img.data[o + 1]) + Math.abs(out.data[o + 2] - img.data[o + 2]) > 30) changed++;
      }
    expect(changed).toBeGreaterThan(0.1 * 0.5 * iod * 0.6 * iod);

    // content moved where the landmarks went: what was at the source point is now at the target point
    for (const i of [17, 152]) {
      const moved = patchDiff(out, target[i], img, face.landmarks.points[i]);
      const stayed = patchDiff(out, target[i], img, target[i]);
      expect(moved).toBeLessThan(0.3 * stayed);
    }

    // beyond the anchor ring, and outside the ROI, every byte is the original's
    const grid = s.flow(target);
    const { centre } = s.region;
    let farDiff = 0;
    let farCount = 0;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        if (Math.hypot(x - centre[0], y - centre[1]) <= grid.ringRadius + 2 && inRect(x, y, s.roi)) continue;
        farCount++;
        for (let c = 0; c < 4; c++) {
          const o = (y * img.width + x) * 4 + c;
          farDiff = Math.max(farDiff, Math.abs(out.data[o] - img.data[o]));
        }
      }
    expect(farCount).toBeGreaterThan(0.5 * img.width * img.height);
    expect(farDiff).toBe(0);

    // continuity: the 0.3 IOD (~13 px) jaw drop never jumps between neighbouring grid nodes
    const spacing = (s.roi.width - 1) / (grid.cols - 1);
    expect((0.3 * iod) / spacing).toBeGreaterThan(3); // what a tear would measure
    expect(maxFlowGradient(grid, s.roi)).toBeLessThan(1.5);
    // and never folds over (the lips' gap may stretch from a line, but nothing is mirrored)
    expect(minJacobian(grid, s.roi)).toBeGreaterThan(0);
    expect(minJacobian(s.flow(openMouth(face, -0.1)), s.roi)).toBeGreaterThan(0); // closing presses the lips together
    s.dispose();
  });

  it('render returns the ROI patch that renderFull pastes', async () => {
    const s = await createRenderSession(photo.image, face);
    const target = openMouth(face, 0.2);
    const patch = await s.render(target);
    const full = await s.renderFull(target);
    expect([patch.x, patch.y, patch.width, patch.height]).toEqual([s.roi.x, s.roi.y, s.roi.width, s.roi.height]);
    expect(patch.data.length).toBe(patch.width * patch.height * 4);
    for (const [x, y] of [
      [patch.width >> 1, patch.height >> 1],
      [3, 5],
      [patch.width - 1, patch.height - 1],
    ]) {
      const o = (y * patch.width + x) * 4;
      expect(Array.from(patch.data.subarray(o, o + 4))).toEqual(
        Array.from(full.data.subarray(((patch.y + y) * full.width + patch.x + x) * 4, ((patch.y + y) * full.width + patch.x + x) * 4 + 4)),
      );
    }
    s.dispose();
  });

  it('reports bad targets and use after dispose with codes', async () => {
    const s = await createRenderSession(photo.image, face);
    const code = async (p: () => Promise<unknown>) => {
      try {
        await p();
        return 'resolved';
      } catch (e) {
        return isEditorError(e) ? e.code : 'other';
      }
    };
    expect(await code(() => s.render(face.landmarks.points.slice(0, 10)))).toBe(ErrorCode.BAD_ARGUMENT);
    expect(await code(() => s.render(face.landmarks.points.map((p) => [p[0], Number.NaN, p[2]] as Point3)))).toBe(ErrorCode.BAD_ARGUMENT);
    // an edit too big for the face's region saturates instead of failing, and says so
    const far = await s.render(face.landmarks.points.map((p) => [p[0] + 1e3, p[1], p[2]] as Point3));
    expect(far.motionScale).toBeGreaterThan(0);
    expect(far.motionScale).toBeLessThan(0.1);
    expect((await s.render(openMouth(face, 0.3))).motionScale).toBe(1);
    expect(await code(() => s.render(face.landmarks.points, { useRefiner: true }))).toBe(ErrorCode.BAD_ARGUMENT);
    s.dispose();
    expect(await code(() => s.render(face.landmarks.points))).toBe(ErrorCode.DISPOSED);
  });
});

describe('render session at the image border', () => {
  it('a face cut by the image edge renders with the ROI clipped and everything else unchanged', async () => {
    // the sample cut at x = 200, y = 60: the face's right half and its forehead leave the picture
    const ox = 200;
    const oy = 60;
    const w = photo.image.width - ox;
    const h = photo.image.height - oy;
    const data = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++)
      data.set(photo.image.data.subarray(((y + oy) * photo.image.width + ox) * 4, ((y + oy) * photo.image.width + photo.image.width) * 4), y * w * 4);
    const img: RGBAImage = { width: w, height: h, data };
    const shift = (p: Point3): Point3 => [p[0] - ox, p[1] - oy, p[2]];
    const t = face.canonical.transform;
    const cut: FaceAnalysis = {
      ...face,
      landmarks: { ...face.landmarks, points: face.landmarks.points.map(shift) },
      canonical: { ...face.canonical, transform: { ...t, translation: shift(t.translation) } },
    };
    const s = await createRenderSession(img, cut, { refiner: greyRefiner(64) });
    expect(s.roi.x).toBe(0);
    expect(s.roi.y).toBe(0);
    const identity = await s.renderFull(cut.landmarks.points, { useRefiner: false });
    let d = 0;
    for (let i = 0; i < data.length; i++) d = Math.max(d, Math.abs(identity.data[i] - data[i]));
    expect(d).toBeLessThanOrEqual(1);
    for (const useRefiner of [false, true]) {
      const out = await s.renderFull(openMouth(cut, 0.3), { useRefiner });
      expect([out.width, out.height]).toEqual([w, h]);
      let outside = 0;
      let changed = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let c = 0; c < 4; c++) {
            const o = (y * w + x) * 4 + c;
            if (inRect(x, y, s.roi)) {
              if (out.data[o] !== data[o]) changed++;
            } else outside = Math.max(outside, Math.abs(out.data[o] - data[o]));
          }
      expect(outside).toBe(0);
      expect(changed).toBeGreaterThan(100);
    }
    s.dispose();
  });
});

describe('render session with a refiner', () => {
  it('cuts the crop the refiner was trained on (Refiner.crop), DEFAULT_CROP without a refiner', async () => {
    const t = face.canonical.transform;
    const own: CropSpec = { centre: [0, 0.5], side: 2.5 };
    const s = await createRenderSession(photo.image, face, { refiner: scriptedRefiner(64, (crop) => tf.clone(crop), 1, own) });
    expect(s.crop).toEqual(alignedCropRect(t, own));
    s.dispose();
    const plain = await createRenderSession(photo.image, face);
    expect(plain.crop).toEqual(alignedCropRect(t, DEFAULT_CROP));
    plain.dispose();
  });

  it('an unchanged crop with the warp kept (attention 1) pastes back to exactly the warp', async () => {
    const identity = scriptedRefiner(128, (crop) => tf.clone(crop), 1);
    const s = await createRenderSession(photo.image, face, { refiner: identity });
    const target = openMouth(face, 0.3);
    const withRefiner = await s.render(target);
    const warpOnly = await s.render(target, { useRefiner: false });
    let d = 0;
    for (let i = 0; i < warpOnly.data.length; i++) d = Math.max(d, Math.abs(withRefiner.data[i] - warpOnly.data[i]));
    expect(d).toBeLessThanOrEqual(1);
    s.dispose();
  });

  it("the refiner paints only what is new (the mouth opening): there its change lands, the eyes stay the warp's exactly", async () => {
    const s = await createRenderSession(photo.image, face, { refiner: greyRefiner(64) });
    const target = openMouth(face, 0.3);
    const refined = await s.renderFull(target);
    const warpOnly = await s.renderFull(target, { useRefiner: false });
    // in the middle of the opening the face becomes the refiner's grey (attention 0: the warp's detail is dropped)
    const mx = (target[13][0] + target[14][0]) / 2;
    const my = (target[13][1] + target[14][1]) / 2;
    const mean = [0, 0, 0];
    for (let dy = -2; dy <= 2; dy++)
      for (let dx = -2; dx <= 2; dx++)
        pixel(refined, mx + dx, my + dy).forEach((v, c) => {
          mean[c] += v / 25;
        });
    const luma = (p: number[]) => 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    expect(Math.abs(luma(mean) - 127.5)).toBeLessThan(4);
    // painted in colour: the grey network output takes the lips' hue (a mouth interior is reddish, not grey)
    expect(mean[0]).toBeGreaterThan(mean[2] + 5);
    expect(Math.abs(luma(pixel(refined, mx + 1, my + 1)) - 127.5)).toBeLessThan(5);
    // the crop centre (the nose) and the eyes only move: they are the warp's own pixels, byte for byte
    const crop = s.crop;
    expect(pixel(refined, crop.centre[0], crop.centre[1])).toEqual(pixel(warpOnly, crop.centre[0], crop.centre[1]));
    expect(Math.max(...pixel(warpOnly, crop.centre[0], crop.centre[1]).map((v) => Math.abs(v - 127.5)))).toBeGreaterThan(30); // skin is not grey
    for (const i of [159, 145, 386, 374, 33, 263]) expect(pixel(refined, target[i][0], target[i][1])).toEqual(pixel(warpOnly, target[i][0], target[i][1]));
    // past the crop's edge nothing differs from the warp, byte for byte
    let outsideDiff = 0;
    let outsideCount = 0;
    for (let y = 0; y < refined.height; y++)
      for (let x = 0; x < refined.width; x++) {
        const [u, v] = applyAffine(crop.fromImage, [x, y]);
        if (u >= 0 && u <= 1 && v >= 0 && v <= 1) continue;
        outsideCount++;
        for (let c = 0; c < 4; c++) {
          const o = (y * refined.width + x) * 4 + c;
          outsideDiff = Math.max(outsideDiff, Math.abs(refined.data[o] - warpOnly.data[o]));
        }
      }
    expect(outsideCount).toBeGreaterThan(0);
    expect(outsideDiff).toBe(0);
    s.dispose();
  });

  it('where the warp is kept (attention 1), a small change of the crop is added on top of the full-resolution warp, whose detail survives', async () => {
    const brighten = scriptedRefiner(64, (crop) => tf.tidy(() => tf.add(crop, 0.02)), 1);
    const s = await createRenderSession(photo.image, face, { refiner: brighten });
    const target = openMouth(face, 0.2);
    const refined = await s.render(target);
    const warpOnly = await s.render(target, { useRefiner: false });
    // in the middle of the mouth opening, the only place the refiner may change
    const cx = Math.round((target[13][0] + target[14][0]) / 2 - s.roi.x);
    const cy = Math.round((target[13][1] + target[14][1]) / 2 - s.roi.y);
    let spread = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -2; dx <= 2; dx++)
        for (let c = 0; c < 3; c++) {
          const o = ((cy + dy) * s.roi.width + cx + dx) * 4 + c;
          const d = refined.data[o] - warpOnly.data[o];
          if (warpOnly.data[o] < 245) expect(Math.abs(d - 0.02 * 255)).toBeLessThanOrEqual(1.5); // +5 levels, pixel by pixel (rounding, and the paint region's feather a crop pixel away)
          spread = Math.max(spread, Math.abs(warpOnly.data[o] - warpOnly.data[(cy * s.roi.width + cx) * 4 + c]));
        }
    expect(spread).toBeGreaterThan(10); // there was detail to keep
    s.dispose();
  });

  it('the crop handed to the refiner is the aligned crop: same as tf.image.transform with cropTransformParams', async () => {
    // the shipped refiner, S = 128; the crop is about 128 image px: no prefilter, so both are plain bilinear
    const { crop: seen, rect, size: S } = await renderTarget(photo.image, face, refiner, face.landmarks.points);
    const img = photo.image;
    const want = tf.tidy(() => {
      const t = tf.div(tf.cast(tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 4], 'int32'), 'float32'), 255);
      const rgb = tf.expandDims(tf.slice(t, [0, 0, 0], [img.height, img.width, 3]), 0) as tf.Tensor4D;
      return tf.image.transform(rgb, tf.tensor2d([cropTransformParams(rect, S)], [1, 8]), 'bilinear', 'nearest', 0, [S, S]).dataSync();
    });
    expect(rect.size).toBeLessThan(2 * S);
    let d = 0;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(seen[i] - want[i]));
    expect(d).toBeLessThan(1e-3);
  });

  it('compositor prefilters large faces (crop smaller than half the face) and keeps S x S x 3 in 0..1', () => {
    const c = createCompositor(
      { x: 0, y: 0, width: 64, height: 64 },
      { toImage: [60, 0, 2, 0, 60, 2], fromImage: [1 / 60, 0, -2 / 60, 0, 1 / 60, -2 / 60], centre: [32, 32], size: 60, angle: 0 },
      16,
      createSampler(),
    );
    const crop = tf.tidy(() => c.extractCrop(tf.fill([64 * 64, 4], 255) as tf.Tensor2D));
    expect(crop.shape).toEqual([1, 16, 16, 3]);
    expect(Math.max(...Array.from(crop.dataSync()))).toBeCloseTo(1, 5);
    crop.dispose();
    c.dispose();
  });
});

describe('render session with the shipped refiner', () => {
  const shipped = existsSync(join(MODEL_DIR, 'leed', 'refiner.json'));
  it.skipIf(!shipped)('runs createRefiner through the session: changes only inside the crop mask, frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const s = await createRenderSession(photo.image, face, { refiner });
    const target = openMouth(face, 0.3);
    const refined = await s.renderFull(target);
    const warpOnly = await s.renderFull(target, { useRefiner: false });
    expect([refined.width, refined.height]).toEqual([photo.image.width, photo.image.height]);
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < refined.height; y++)
      for (let x = 0; x < refined.width; x++) {
        const [u, v] = applyAffine(s.crop.fromImage, [x, y]);
        const o = (y * refined.width + x) * 4;
        const d =
          Math.abs(refined.data[o] - warpOnly.data[o]) +
          Math.abs(refined.data[o + 1] - warpOnly.data[o + 1]) +
          Math.abs(refined.data[o + 2] - warpOnly.data[o + 2]);
        if (u >= 0 && u <= 1 && v >= 0 && v <= 1) inside += d > 0 ? 1 : 0;
        else outside = Math.max(outside, d);
      }
    expect(inside).toBeGreaterThan(0);
    expect(outside).toBe(0);
    await s.render(openMouth(face, 0.1));
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('GPU path parity', () => {
  it('the tfjs-ops pipeline (what WebGL runs; WebGPU runs WGSL kernels, tests/render-webgpu.test.ts) matches the CPU typed-array pipeline', async () => {
    // a refiner that changes the crop in a position-dependent way and keeps the warp (attention 1), at S = 64 so the
    // crop is box-prefiltered (pool 2)
    const rampImage = (crop: tf.Tensor4D) => tf.tidy(() => tf.mul(crop, tf.reshape(tf.linspace(0.6, 1.2, 64), [1, 1, 64, 1]))) as tf.Tensor4D;
    const ramp = scriptedRefiner(64, rampImage, 1);
    // the same with an attention mask (rows: kept at the top, painted at the bottom)
    const rampWithMask: Refiner = {
      ...ramp,
      refineWithMask: (crop) => ({
        image: rampImage(crop),
        mask: tf.tidy(() => tf.tile(tf.reshape(tf.linspace(1, 0, 64), [1, 64, 1, 1]), [1, 1, 64, 1])) as tf.Tensor4D,
      }),
    };
    const target = openMouth(face, 0.25);
    const results = [];
    for (const refiner of [ramp, rampWithMask])
      for (const sampler of ['ops', 'js'] as const) {
        const before = tf.memory().numTensors;
        // the whole crop (the ramps are 64 wide), not the refiner's windows around the mouth
        const s = await createRenderSession(photo.image, face, { refiner, sampler, fullCropRefiner: true });
        results.push(await s.render(target));
        s.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
    let d = 0;
    let changed = 0;
    let maskMatters = 0;
    for (let i = 0; i < results[0].data.length; i++) {
      d = Math.max(d, Math.abs(results[0].data[i] - results[1].data[i]), Math.abs(results[2].data[i] - results[3].data[i]));
      maskMatters = Math.max(maskMatters, Math.abs(results[1].data[i] - results[3].data[i]));
    }
    expect(maskMatters).toBeGreaterThan(5);
    const plain = await createRenderSession(photo.image, face);
    const warpOnly = await plain.render(target);
    plain.dispose();
    for (let i = 0; i < warpOnly.data.length; i++) if (Math.abs(warpOnly.data[i] - results[1].data[i]) > 5) changed++;
    expect(d).toBeLessThanOrEqual(1);
    expect(changed).toBeGreaterThan(1000); // the refiner's change did reach the output
  });
});

describe('tensor hygiene', () => {
  it('numTensors returns to its baseline over 20 renders, with and without the refiner', async () => {
    const before = tf.memory().numTensors;
    const s = await createRenderSession(photo.image, face, { refiner: greyRefiner(64) });
    const afterCreate = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const target = openMouth(face, (i % 5) * 0.08);
      if (i % 4 === 3) await s.renderFull(target, { useRefiner: false });
      else await s.render(target, { useRefiner: i % 2 === 0 });
      expect(tf.memory().numTensors).toBe(afterCreate);
    }
    // overlapping calls (a slider moving faster than renders finish)
    await Promise.all([0.1, 0.2, 0.3].map((a, k) => s.render(openMouth(face, a), { useRefiner: k !== 1 })));
    expect(tf.memory().numTensors).toBe(afterCreate);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
