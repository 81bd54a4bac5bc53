/** Warp and crop geometry: pure calculators and the tfjs sampler, on synthetic inputs (no model needed). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import jpeg from 'jpeg-js';
import {
  alignedCropRect,
  applyAffine,
  cropCorners,
  cropPixelToImage,
  cropTransformParams,
  DEFAULT_CROP,
  invertAffine,
} from '../src/engine/render/aligned-crop';
import { featherWeight } from '../src/engine/render/composite';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import { applySimilarity, TEMPLATE } from '../src/engine/analyse/manifold';
import { LANDMARK_SETS } from '../src/engine/landmark-sets';
import type { Point3, Similarity } from '../src/engine/types';
import { bicubicSample, bilinearSample, sampleCubicInto, sampleInto } from '../src/engine/render/interpolate';
import { createSampler } from '../src/engine/render/sampler';
import { flowGrid, maxFlowGradient, minJacobian, warpRegion, type FlowGrid } from '../src/engine/render/warp';
import { ROOT } from '../src/node/platform';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Rotation about z by `roll` after a turn about y by `yaw` (radians), row-major. */
function rotation(roll: number, yaw = 0): number[] {
  const c = Math.cos(roll);
  const s = Math.sin(roll);
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const Rz = [
    [c, -s, 0],
    [s, c, 0],
    [0, 0, 1],
  ];
  const Ry = [
    [cy, 0, sy],
    [0, 1, 0],
    [-sy, 0, cy],
  ];
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) out.push(Rz[r][0] * Ry[0][k] + Rz[r][1] * Ry[1][k] + Rz[r][2] * Ry[2][k]);
  return out;
}

/** A face-like cloud: 3 rings of points (radius 1, 0.66, 0.33 of `r`) around `c`, plus the centre. */
function facePoints(c: [number, number], r: number): Point3[] {
  const pts: Point3[] = [[c[0], c[1], 0]];
  for (const f of [1, 0.66, 0.33])
    for (let k = 0; k < 24; k++) {
      const a = (2 * Math.PI * k) / 24;
      pts.push([c[0] + f * r * Math.cos(a), c[1] + 1.2 * f * r * Math.sin(a), 0]);
    }
  return pts;
}

describe('aligned crop', () => {
  const t: Similarity = { scale: 50, rotation: rotation(Math.PI / 6), translation: [200, 150, 3] };

  it('is the canonical square (centre (0, 0.45), side 3) carried into the image by the similarity', () => {
    const rect = alignedCropRect(t, DEFAULT_CROP);
    const want = [
      [-1.5, -1.05],
      [1.5, -1.05],
      [1.5, 1.95],
      [-1.5, 1.95],
    ].map((p) => applySimilarity(t, [p[0], p[1], 0]));
    cropCorners(rect).forEach((c, i) => {
      expect(c[0]).toBeCloseTo(want[i][0], 9);
      expect(c[1]).toBeCloseTo(want[i][1], 9);
    });
    const centre = applySimilarity(t, [DEFAULT_CROP.centre[0], DEFAULT_CROP.centre[1], 0]);
    expect(rect.centre[0]).toBeCloseTo(centre[0], 9);
    expect(rect.centre[1]).toBeCloseTo(centre[1], 9);
    expect(rect.size).toBeCloseTo(150, 9);
    expect(rect.angle).toBeCloseTo(Math.PI / 6, 9);
    const back = applyAffine(rect.fromImage, applyAffine(rect.toImage, [0.3, 0.8]));
    expect(back[0]).toBeCloseTo(0.3, 12);
    expect(back[1]).toBeCloseTo(0.8, 12);
  });

  it('uses only the x, y part of the similarity: a turned head gives a narrower parallelogram', () => {
    const turned = alignedCropRect({ ...t, rotation: rotation(0, Math.PI / 4) }, DEFAULT_CROP);
    const [a, b, , d] = cropCorners(turned);
    expect(Math.hypot(b[0] - a[0], b[1] - a[1])).toBeCloseTo(150 * Math.cos(Math.PI / 4), 6);
    expect(Math.hypot(d[0] - a[0], d[1] - a[1])).toBeCloseTo(150, 6);
  });

  it('is the square the CropSpec gives (the refiner says which), not a fixed one', () => {
    const rect = alignedCropRect(t, { centre: [0.2, 0.3], side: 2 });
    const want = [
      [-0.8, -0.7],
      [1.2, -0.7],
      [1.2, 1.3],
      [-0.8, 1.3],
    ].map((p) => applySimilarity(t, [p[0], p[1], 0]));
    cropCorners(rect).forEach((c, i) => {
      expect(c[0]).toBeCloseTo(want[i][0], 9);
      expect(c[1]).toBeCloseTo(want[i][1], 9);
    });
    expect(rect.size).toBeCloseTo(100, 9);
  });

  it('crop pixel centres follow tf.image.transform: cropTransformParams samples exactly where cropPixelToImage says', () => {
    const rect = alignedCropRect({ scale: 12, rotation: rotation(0.3), translation: [40, 30, 0] }, DEFAULT_CROP);
    const S = 16;
    // an image whose channels hold each pixel's own x and y
    const H = 80;
    const W = 90;
    const xy = new Float32Array(H * W * 2);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        xy[2 * (y * W + x)] = x;
        xy[2 * (y * W + x) + 1] = y;
      }
    const sampled = tf.tidy(() =>
      tf.image.transform(tf.tensor4d(xy, [1, H, W, 2]), tf.tensor2d([cropTransformParams(rect, S)], [1, 8]), 'bilinear', 'constant', -1, [S, S]).dataSync(),
    );
    const m = cropPixelToImage(rect, S);
    for (const [u, v] of [
      [0, 0],
      [15, 0],
      [7, 9],
      [15, 15],
    ]) {
      const [x, y] = applyAffine(m, [u, v]);
      expect(sampled[2 * (v * S + u)]).toBeCloseTo(x, 3);
      expect(sampled[2 * (v * S + u) + 1]).toBeCloseTo(y, 3);
    }
    // pixel (0, 0) is half a pixel inside the crop's corner
    const corner = applyAffine(rect.toImage, [0.5 / S, 0.5 / S]);
    expect(applyAffine(m, [0, 0])[0]).toBeCloseTo(corner[0], 9);
  });

  it('feather mask is 1 over the face, 0 at the crop edge, and monotone in between', () => {
    expect(featherWeight(0.5, 0.5)).toBe(1);
    expect(featherWeight(0.5, 0.8)).toBe(1); // the mouth
    expect(featherWeight(0, 0.5)).toBe(0);
    expect(featherWeight(0.5, 1)).toBe(0);
    let prev = 1;
    for (let s = 0.5; s <= 1; s += 0.01) {
      const m = featherWeight(s, 0.5);
      expect(m).toBeLessThanOrEqual(prev + 1e-12);
      prev = m;
    }
  });

  it('invertAffine inverts', () => {
    const m = invertAffine(invertAffine([2, 0.5, 3, -1, 4, 7]));
    [2, 0.5, 3, -1, 4, 7].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 12));
  });
});

describe('bilinear sampler', () => {
  const H = 23;
  const W = 31;
  const C = 4;
  const img = Float32Array.from({ length: H * W * C }, (_, i) => (i * 7919) % 256);
  const ref = (x: number, y: number, c: number): number => {
    x = Math.min(Math.max(x, 0), W - 1);
    y = Math.min(Math.max(y, 0), H - 1);
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const x1 = Math.min(x0 + 1, W - 1);
    const y1 = Math.min(y0 + 1, H - 1);
    const fx = x - x0;
    const fy = y - y0;
    const v = (xx: number, yy: number) => img[(yy * W + xx) * C + c];
    return (1 - fy) * ((1 - fx) * v(x0, y0) + fx * v(x1, y0)) + fy * ((1 - fx) * v(x0, y1) + fx * v(x1, y1));
  };

  it('tfjs-ops and typed-array paths agree with bilinear interpolation, clamp at the border and are exact on pixels', () => {
    const xs = [0, 3, 30, 12.25, 7.5, -4, 40, 29.99, 5.5];
    const ys = [0, 4, 22, 3.75, 21.5, 2, -3, 0.01, 30];
    const start = tf.memory().numTensors;
    const js = new Float32Array(xs.length * C);
    xs.forEach((x, k) => {
      sampleInto(img, H, W, C, x, ys[k], js, k * C);
    });
    for (const impl of ['ops', 'js'] as const) {
      const got = impl === 'js' ? js : tf.tidy(() => bilinearSample(tf.tensor2d(img, [H * W, C]), H, W, tf.tensor1d(xs), tf.tensor1d(ys)).dataSync());
      xs.forEach((x, k) => {
        for (let c = 0; c < C; c++) expect(got[k * C + c]).toBeCloseTo(ref(x, ys[k], c), 3);
      });
      expect(got[C * 1]).toBe(img[(4 * W + 3) * C]); // exact at a pixel
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it("createSampler: 'auto' picks the typed-array sampler on the CPU backend; 'webgpu' and 'webgl' need their backends", () => {
    expect(createSampler('auto').kind).toBe('js');
    expect(createSampler('ops').kind).toBe('ops');
    for (const kind of ['webgpu', 'webgl'] as const) {
      let code = '';
      try {
        createSampler(kind);
      } catch (e) {
        code = isEditorError(e) ? e.code : 'other';
      }
      expect(code).toBe(ErrorCode.BAD_ARGUMENT);
    }
  });

  it('warp: ops and typed-array samplers agree on a real flow, and zero flow returns the pixels exactly', () => {
    const pts = facePoints([15, 11], 6);
    const region = warpRegion(pts, W, H);
    const moved = pts.map((p, i) => (i > 24 ? [p[0] + 1.5, p[1] - 1, 0] : p) as Point3);
    const grid = flowGrid(pts, moved, region);
    const { roi } = region;
    const sub = new Float32Array(roi.width * roi.height * C);
    for (let j = 0; j < roi.height; j++) sub.set(img.subarray(((roi.y + j) * W + roi.x) * C, ((roi.y + j) * W + roi.x + roi.width) * C), j * roi.width * C);
    const [a, b, same] = tf.tidy(() => {
      const t = tf.tensor2d(sub, [roi.width * roi.height, C]);
      const [ops, js] = [createSampler('ops'), createSampler('js')];
      return [
        ops.warp(t, roi.height, roi.width, grid).dataSync(),
        js.warp(t, roi.height, roi.width, grid).dataSync(),
        ops.warp(t, roi.height, roi.width, flowGrid(pts, pts, region)).dataSync(),
      ];
    });
    let d = 0;
    let changed = 0;
    for (let i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
      if (Math.abs(a[i] - sub[i]) > 1) changed++;
    }
    expect(d).toBeLessThan(1e-3);
    expect(changed).toBeGreaterThan(20);
    expect(Array.from(same)).toEqual(Array.from(sub));
  });
});

describe('bicubic warp sampling', () => {
  const H = 23;
  const W = 31;
  const C = 4;
  const img = Float32Array.from({ length: H * W * C }, (_, i) => (i * 7919) % 256);
  /** The Catmull-Rom kernel (a = -0.5) in its textbook piecewise form, independent of the samplers' Horner form. */
  const kernel = (d: number): number => {
    const a = -0.5;
    const x = Math.abs(d);
    if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
    if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
    return 0;
  };
  const ref = (src: ArrayLike<number>, h: number, w: number, x: number, y: number, c: number): number => {
    x = Math.min(Math.max(x, 0), w - 1);
    y = Math.min(Math.max(y, 0), h - 1);
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    let v = 0;
    for (let b = -1; b <= 2; b++)
      for (let a = -1; a <= 2; a++) {
        const xi = Math.min(Math.max(x0 + a, 0), w - 1);
        const yi = Math.min(Math.max(y0 + b, 0), h - 1);
        v += kernel(x - x0 - a) * kernel(y - y0 - b) * src[(yi * w + xi) * C + c];
      }
    return Math.min(Math.max(v, 0), 255);
  };
  /** A constant flow of (sx, sy) px over the whole ROI. */
  const shift = (sx: number, sy: number): FlowGrid => ({
    cols: 2,
    rows: 2,
    dx: new Float32Array(4).fill(sx),
    dy: new Float32Array(4).fill(sy),
    ringRadius: 0,
    motionScale: 1,
  });
  /** Mean |Laplacian| of the RGB channels, `m` pixels in from the border (eval-pairs.ts measures sharpness so, on luminance). */
  const laplacian = (d: ArrayLike<number>, w: number, h: number, m = 4): number => {
    let s = 0;
    let n = 0;
    for (let j = m; j < h - m; j++)
      for (let i = m; i < w - m; i++)
        for (let c = 0; c < 3; c++) {
          const k = (j * w + i) * C + c;
          s += Math.abs(4 * d[k] - d[k - C] - d[k + C] - d[k - w * C] - d[k + w * C]);
          n++;
        }
    return s / n;
  };
  /** Sharpness kept by a (0.5, 0.5) px shift through the 'js' warp (bicubic), and through bilinear sampleInto. */
  const halfPixel = (src: Float32Array, w: number, h: number): { cubic: number; bilinear: number } => {
    const cubic = tf.tidy(() =>
      createSampler('js')
        .warp(tf.tensor2d(src, [w * h, C]), h, w, shift(0.5, 0.5))
        .dataSync(),
    );
    const bil = new Float32Array(src.length);
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) sampleInto(src, h, w, C, i + 0.5, j + 0.5, bil, (j * w + i) * C);
    const l0 = laplacian(src, w, h);
    return { cubic: laplacian(cubic, w, h) / l0, bilinear: laplacian(bil, w, h) / l0 };
  };

  it('tfjs-ops and typed-array paths are Catmull-Rom, clamp at the border and to 0..255, and are exact on pixels', () => {
    const xs = [0, 3, 30, 12.25, 7.5, -4, 40, 29.99, 5.5, 0.3, 1.7];
    const ys = [0, 4, 22, 3.75, 21.5, 2, -3, 0.01, 30, 21.6, 0.4];
    const start = tf.memory().numTensors;
    const js = new Float32Array(xs.length * C);
    xs.forEach((x, k) => {
      sampleCubicInto(img, H, W, C, x, ys[k], js, k * C);
    });
    for (const impl of ['ops', 'js'] as const) {
      const got = impl === 'js' ? js : tf.tidy(() => bicubicSample(tf.tensor2d(img, [H * W, C]), H, W, tf.tensor1d(xs), tf.tensor1d(ys)).dataSync());
      xs.forEach((x, k) => {
        for (let c = 0; c < C; c++) expect(got[k * C + c]).toBeCloseTo(ref(img, H, W, x, ys[k], c), 3);
      });
      expect(got[C * 1]).toBe(img[(4 * W + 3) * C]); // exact at a pixel
    }
    // overshoot next to a hard 0 | 255 edge is clamped to the inputs' range
    const edge = Float32Array.from({ length: 8 * 8 * C }, (_, i) => (Math.floor(i / C) % 8 < 4 ? 0 : 255));
    const out = new Float32Array(C);
    for (const x of [2.5, 4.5, 2.75, 4.25]) {
      sampleCubicInto(edge, 8, 8, C, x, 3, out, 0);
      const raw = [-1, 0, 1, 2].reduce((v, a) => v + kernel(x - Math.floor(x) - a) * (Math.floor(x) + a < 4 ? 0 : 255), 0);
      expect(raw < 0 || raw > 255).toBe(true);
      expect(out[0]).toBe(Math.min(Math.max(raw, 0), 255));
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a whole-pixel shift reproduces the pixels exactly (js and ops), the border replicated', () => {
    const [sx, sy] = [2, -3];
    const want = new Float32Array(img.length);
    for (let j = 0; j < H; j++)
      for (let i = 0; i < W; i++) {
        const k = (Math.min(Math.max(j + sy, 0), H - 1) * W + Math.min(Math.max(i + sx, 0), W - 1)) * C;
        want.set(img.subarray(k, k + C), (j * W + i) * C);
      }
    for (const kind of ['js', 'ops'] as const) {
      const got = tf.tidy(() =>
        createSampler(kind)
          .warp(tf.tensor2d(img, [H * W, C]), H, W, shift(sx, sy))
          .dataSync(),
      );
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('a (0.5, 0.5) px shift keeps a sharp pattern sharp: >= 85 % of its mean |Laplacian|, bilinear much less', () => {
    // six plane waves of period 4 px (half the Nyquist frequency), random directions and phases
    const w = 64;
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const waves = Array.from({ length: 6 }, () => {
      const a = rnd() * Math.PI;
      return [(Math.cos(a) * Math.PI) / 2, (Math.sin(a) * Math.PI) / 2, rnd() * 2 * Math.PI];
    });
    const src = new Float32Array(w * w * C);
    for (let j = 0; j < w; j++)
      for (let i = 0; i < w; i++) {
        const v = waves.reduce((s, [kx, ky, ph]) => s + 20 * Math.sin(kx * i + ky * j + ph), 127.5);
        src.set([v, v, v, 255], (j * w + i) * C);
      }
    const r = halfPixel(src, w, w);
    // measured: Catmull-Rom keeps 0.914 of the mean |Laplacian|, bilinear 0.718
    expect(r.cubic).toBeGreaterThanOrEqual(0.85);
    expect(r.bilinear).toBeLessThan(0.75);
  });

  const PHOTO = join(ROOT, '..', 'shared', 'fixtures', 'london', 'neutral', '009.jpg');
  it.skipIf(!existsSync(PHOTO))(
    'a (0.5, 0.5) px shift of a real photo region (London 009, around the eyes) loses a quarter less sharpness than bilinear',
    () => {
      const photo = jpeg.decode(readFileSync(PHOTO), { useTArray: true });
      const [S, x0, y0] = [100, 575, 463];
      const src = new Float32Array(S * S * C);
      for (let j = 0; j < S; j++)
        for (let i = 0; i < S; i++) for (let c = 0; c < C; c++) src[(j * S + i) * C + c] = photo.data[((y0 + j) * photo.width + x0 + i) * 4 + c];
      const r = halfPixel(src, S, S);
      // measured: Catmull-Rom keeps 0.771 of the mean |Laplacian|, bilinear 0.594. Not 85 %: much of a photo's
      // |Laplacian| is near-Nyquist detail (grain, JPEG), which no symmetric interpolant keeps at a half-pixel shift.
      expect(r.cubic).toBeGreaterThan(0.74);
      expect(r.bilinear).toBeLessThan(0.62);
    },
  );

  it('the tfjs-ops warp, in row chunks and column ranges, matches the typed-array one and copies still pixels bit for bit', () => {
    // 320 x 240: two chunks of rows; motion on a few interior nodes only, so that whole chunks, and columns left and
    // right of the motion, are still
    const [w, h, cols, rows] = [320, 240, 9, 7];
    const src = Float32Array.from({ length: w * h * C }, (_, i) => (i * 7919 + (i >> 9)) % 256);
    const dx = new Float32Array(cols * rows);
    const dy = new Float32Array(cols * rows);
    for (const [r, c, x, y] of [
      [4, 3, 2.3, -1.1],
      [4, 4, -0.7, 3.4],
      [5, 5, 0.5, 0.5],
      [5, 6, 1.6, -2.2],
    ])
      [dx[r * cols + c], dy[r * cols + c]] = [x, y];
    const grid: FlowGrid = { cols, rows, dx, dy, ringRadius: 0, motionScale: 1 };
    const start = tf.memory().numTensors;
    const [a, b] = tf.tidy(() => {
      const t = tf.tensor2d(src, [w * h, C]);
      return [createSampler('ops').warp(t, h, w, grid).dataSync(), createSampler('js').warp(t, h, w, grid).dataSync()];
    });
    expect(tf.memory().numTensors).toBe(start);
    let d = 0;
    let moved = 0;
    let still = 0;
    const [kx, ky] = [(cols - 1) / (w - 1), (rows - 1) / (h - 1)];
    for (let j = 0; j < h; j++)
      for (let i = 0; i < w; i++) {
        const [c0, r0] = [Math.floor(i * kx), Math.floor(j * ky)];
        const nodes = [
          r0 * cols + c0,
          r0 * cols + Math.min(c0 + 1, cols - 1),
          Math.min(r0 + 1, rows - 1) * cols + c0,
          Math.min(r0 + 1, rows - 1) * cols + Math.min(c0 + 1, cols - 1),
        ];
        const isStill = nodes.every((k) => dx[k] === 0 && dy[k] === 0);
        for (let c = 0; c < C; c++) {
          const k = (j * w + i) * C + c;
          d = Math.max(d, Math.abs(a[k] - b[k]));
          if (isStill) {
            still++;
            expect(a[k]).toBe(src[k]);
          } else if (Math.abs(a[k] - src[k]) > 1) moved++;
        }
      }
    expect(d).toBeLessThan(0.02); // float32 positions (i + flow, i up to 319) against float64: far below a grey level
    expect(moved).toBeGreaterThan(1000);
    expect(still).toBeGreaterThan(w * h * C * 0.5);
  });

  it('the tfjs-ops warp works in row chunks: its peak tensor memory on a 1000 x 1000 ROI stays a few ROI copies', async () => {
    const n = 1000;
    const roi = tf.tidy(() => tf.mul(tf.randomUniform([n * n, C], 0, 1, 'float32', 3), 255)) as tf.Tensor2D;
    const grid: FlowGrid = {
      cols: 9,
      rows: 9,
      dx: Float32Array.from({ length: 81 }, (_, k) => Math.sin(k) * 3),
      dy: Float32Array.from({ length: 81 }, (_, k) => Math.cos(k) * 3),
      ringRadius: 0,
      motionScale: 1,
    };
    const before = tf.memory().numBytes;
    let out: tf.Tensor | undefined;
    const info = await tf.profile(() => {
      out = createSampler('ops').warp(roi, n, n, grid);
      return out;
    });
    const bytes = n * n * C * 4; // one ROI copy, 16 MB
    // measured: 46.5 MB, 2.9 ROI copies above the input (the output, its chunks before the concat, the upsampled
    // flow, one chunk's temporaries); the whole ROI in one tidy peaked at 23 copies (368 MB) bicubic, 20.5 (328 MB)
    // with the bilinear gather this replaced
    console.log(
      `ops warp 1000 x 1000: peak ${((info.peakBytes - before) / 1e6).toFixed(1)} MB above the input, ${((info.peakBytes - before) / bytes).toFixed(2)} ROI copies`,
    );
    expect(info.peakBytes - before).toBeLessThan(4 * bytes);
    expect(tf.memory().numBytes - before).toBe(bytes);
    tf.dispose([roi, out!]);
  }, 120_000);
});

describe('flow grid', () => {
  const centre: [number, number] = [300, 260];
  const src = facePoints(centre, 100);
  const region = warpRegion(src, 640, 560);

  it('the ROI holds the largest ring and stays inside the image', () => {
    expect(region.faceRadius).toBeCloseTo(120, 6);
    expect(region.roi.x).toBeLessThanOrEqual(centre[0] - 1.8 * 120);
    expect(region.roi.x + region.roi.width).toBeGreaterThanOrEqual(centre[0] + 1.8 * 120);
    const edge = warpRegion(src, 400, 300);
    expect(edge.roi.x + edge.roi.width).toBe(400);
    expect(edge.roi.y + edge.roi.height).toBe(300);
  });

  it('is zero for the identity target', () => {
    const g = flowGrid(src, src, region);
    expect(g.dx.every((v) => v === 0) && g.dy.every((v) => v === 0)).toBe(true);
  });

  it('interpolates inside the face, fades continuously, and is exactly zero beyond the anchor ring', () => {
    // move the lower half of the face down by 20 px: target = source + (0, 20)
    const tgt = src.map((p) => (p[1] > centre[1] + 1 ? [p[0], p[1] + 20, 0] : p) as Point3);
    const g = flowGrid(src, tgt, region);
    const { roi } = region;
    const sx = (roi.width - 1) / (g.cols - 1);
    const sy = (roi.height - 1) / (g.rows - 1);
    let inside = 0;
    let outsideNonZero = 0;
    let maxAbs = 0;
    for (let j = 0; j < g.rows; j++)
      for (let i = 0; i < g.cols; i++) {
        const x = roi.x + i * sx;
        const y = roi.y + j * sy;
        const k = j * g.cols + i;
        const r = Math.hypot(x - centre[0], y - centre[1]);
        maxAbs = Math.max(maxAbs, Math.hypot(g.dx[k], g.dy[k]));
        if (r > g.ringRadius + 1e-6 && (g.dx[k] !== 0 || g.dy[k] !== 0)) outsideNonZero++;
        // well inside the moved lower half, the backward map points 20 px up
        if (Math.abs(x - centre[0]) < 40 && y > centre[1] + 60 && y < centre[1] + 100) {
          inside++;
          expect(g.dy[k]).toBeCloseTo(-20, 4);
          expect(g.dx[k]).toBeCloseTo(0, 4);
        }
      }
    expect(inside).toBeGreaterThan(10);
    expect(outsideNonZero).toBe(0);
    expect(maxAbs).toBeLessThanOrEqual(20 + 1e-4);
    // continuous: no neighbouring nodes differ by more than the motion's own stretch allows
    expect(maxFlowGradient(g, roi)).toBeLessThan(1);
    expect(minJacobian(g, roi)).toBeGreaterThan(0); // no fold-over
    expect(minJacobian(flowGrid(src, src, region), roi)).toBe(1);
    // a tear (a jump of the full 20 px between neighbours) would read as 20 / node spacing
    expect(20 / sy).toBeGreaterThan(3);
  });

  it('saturates targets that leave the region the ROI holds, and refuses non-finite ones', () => {
    const far = src.map((p) => [p[0] + 200, p[1], 0] as Point3);
    const g = flowGrid(src, far, region);
    expect(g.motionScale).toBeGreaterThan(0.1);
    expect(g.motionScale).toBeLessThan(1);
    expect(g.ringRadius).toBeCloseTo(1.8 * region.faceRadius, 6);
    // the scaled motion still vanishes at the ring: nodes beyond it are zero
    const { roi } = region;
    const sx = (roi.width - 1) / (g.cols - 1);
    const sy = (roi.height - 1) / (g.rows - 1);
    for (let j = 0; j < g.rows; j++)
      for (let i = 0; i < g.cols; i++) {
        if (Math.hypot(roi.x + i * sx - centre[0], roi.y + j * sy - centre[1]) > g.ringRadius + 1e-6) expect(g.dx[j * g.cols + i]).toBe(0);
      }
    expect(
      flowGrid(
        src,
        src.map((p) => [p[0] + 5, p[1], 0] as Point3),
        region,
      ).motionScale,
    ).toBe(1);
    let code = '';
    try {
      flowGrid(
        src,
        src.map((p, i) => (i === 3 ? [NaN, p[1], 0] : p) as Point3),
        region,
      );
    } catch (e) {
      code = isEditorError(e) ? e.code : 'other';
    }
    expect(code).toBe(ErrorCode.BAD_ARGUMENT);
  });
});

describe('eyes: the eyeball stays, the lids move', () => {
  it('a squint: grid nodes inside the eye opening (target and photo) do not move; the lowered upper lid does', () => {
    // the canonical template face (IOD units) at 150 px per IOD
    const src = TEMPLATE.map((p) => [320 + 150 * p[0], 300 + 150 * p[1], 150 * p[2]] as Point3);
    const rim = LANDMARK_SETS.rightEyeRing;
    const upper = rim.slice(1, rim.indexOf(LANDMARK_SETS.eyeCorners.rightInner)); // between the corners, over the top
    const target = src.map((p, i) => (upper.includes(i) ? ([p[0], p[1] + 4, p[2]] as Point3) : p));
    const region = warpRegion(src, 640, 600);
    const grid = flowGrid(src, target, region);
    const { roi } = region;
    const sx = (roi.width - 1) / (grid.cols - 1);
    const sy = (roi.height - 1) / (grid.rows - 1);
    const at = (x: number, y: number) => {
      const k = Math.round((y - roi.y) / sy) * grid.cols + Math.round((x - roi.x) / sx);
      return Math.hypot(grid.dx[k], grid.dy[k]);
    };
    const cx = rim.reduce((s, i) => s + src[i][0], 0) / rim.length;
    const cy = rim.reduce((s, i) => s + src[i][1], 0) / rim.length;
    expect(at(cx, cy + 2)).toBe(0); // the iris: exactly still
    // just above the lowered lid line, inside the photo's opening but outside the target's: lid pixels come down
    const top = src[rim[4]];
    expect(at(top[0], top[1] + 2)).toBeGreaterThan(1);
  });
});
