import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { Editor } from '../src/engine/index';
import { decodeImage } from '../src/engine/analyse/decode';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import { eyeCentres, fitSimilarity, applySimilarity, invertSimilarity, nme, STABLE_POINTS } from '../src/engine/analyse/manifold';
import type { Point3, RGBAImage } from '../src/engine/types';
import { cpuEditor, sampleBytes } from './helpers';

let editor: Editor;
beforeAll(async () => {
  editor = await cpuEditor();
});
afterAll(() => editor?.dispose());

/** Rotates by `deg` about the image centre, scales by `s` and shifts by (dx, dy), on a larger grey canvas. */
function transformImage(img: RGBAImage, deg: number, s: number, dx: number, dy: number, outW: number, outH: number): RGBAImage {
  const pixels = tf.tidy(() => {
    const t = tf.browser.fromPixels({ data: new Uint8Array(img.data.buffer), width: img.width, height: img.height }, 3);
    const a = (deg * Math.PI) / 180;
    const c = Math.cos(a) / s;
    const sn = Math.sin(a) / s;
    const cx = outW / 2 + dx;
    const cy = outH / 2 + dy;
    // output (x, y) -> input: inverse rotation/scale about the output centre, then to the input centre.
    const tr = [c, sn, img.width / 2 - c * cx - sn * cy, -sn, c, img.height / 2 + sn * cx - c * cy, 0, 0];
    const out = tf.image.transform(tf.expandDims(tf.cast(t, 'float32'), 0) as tf.Tensor4D, tf.tensor2d([tr]), 'bilinear', 'constant', 128, [outH, outW]);
    const rgb = tf.squeeze(out, [0]);
    const rgba = tf.concat([rgb, tf.fill([outH, outW, 1], 255)], 2);
    return tf.clipByValue(tf.round(rgba), 0, 255);
  });
  const data = new Uint8ClampedArray(pixels.dataSync());
  pixels.dispose();
  return { width: outW, height: outH, data };
}

describe('face detection and landmarks on the sample portrait', () => {
  it('finds exactly one face with eyes and mouth where they are in the picture', async () => {
    const photo = await editor.open(sampleBytes());
    try {
      expect(photo.faces).toHaveLength(1);
      expect(photo.faces[0].score).toBeGreaterThan(0.7);
      const fa = await photo.face(0);
      const P = fa.landmarks.points;
      expect(P).toHaveLength(468);
      expect(fa.landmarks.score).toBeGreaterThan(0.9);
      // Positions read by hand off the 512x512 picture (pupil centres, mouth corners), in pixels.
      const [right, left] = eyeCentres(P);
      const near = (p: number[], q: number[], tol: number) => expect(Math.hypot(p[0] - q[0], p[1] - q[1])).toBeLessThan(tol);
      near(right, [203, 102], 4);
      near(left, [246, 103], 4);
      near(P[61], [202, 141], 4);
      near(P[291], [246, 143], 4);
      // The smile shows teeth: the inner lips are apart.
      expect(P[14][1] - P[13][1]).toBeGreaterThan(3);
    } finally {
      photo.dispose();
    }
  });

  it('gives the same canonical landmarks for the photo rotated by 17°, scaled and shifted (within 2% IOD)', async () => {
    const orig = await decodeImage(sampleBytes());
    const moved = transformImage(orig, 17, 1.35, 60, -40, 800, 760);
    const a = await editor.open(orig);
    const b = await editor.open(moved);
    try {
      expect(b.faces).toHaveLength(1);
      const fa = await a.face(0);
      const fb = await b.face(0);
      expect(Math.abs(fb.landmarks.pose.roll - fa.landmarks.pose.roll - 17)).toBeLessThan(3);
      expect(fb.canonical.transform.scale / fa.canonical.transform.scale).toBeCloseTo(1.35, 1);
      const err = nme(fb.canonical.points, fa.canonical.points, 3);
      expect(err).toBeLessThan(2);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('reports NO_FACE for a photo without a face and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const blank: RGBAImage = { width: 320, height: 240, data: new Uint8ClampedArray(320 * 240 * 4).fill(200) };
    const photo = await editor.open(blank);
    expect(photo.faces).toHaveLength(0);
    await expect(photo.face(0)).rejects.toSatisfy((e: unknown) => isEditorError(e) && e.code === ErrorCode.NO_FACE);
    photo.dispose();
    const p2 = await editor.open(sampleBytes());
    await p2.face(0);
    p2.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('similarity fit', () => {
  it('recovers a known 3-D similarity exactly and inverts it', () => {
    const pts: Point3[] = Array.from({ length: 468 }, (_, i) => [Math.sin(i), Math.cos(i * 1.7), Math.sin(i * 0.3) * 0.5]);
    const a = 0.4;
    const b = -0.2;
    const Rz = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
    const Rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
    const R = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => Rz[3 * r] * Rx[c] + Rz[3 * r + 1] * Rx[3 + c] + Rz[3 * r + 2] * Rx[6 + c]));
    const truth = { scale: 37.5, rotation: R, translation: [120, -40, 7] as Point3 };
    const moved = pts.map((p) => applySimilarity(truth, p));
    const fit = fitSimilarity(pts, moved, STABLE_POINTS);
    expect(fit.scale).toBeCloseTo(37.5, 6);
    fit.rotation.forEach((v, i) => expect(v).toBeCloseTo(R[i], 6));
    const back = invertSimilarity(fit, moved[200]);
    back.forEach((v, i) => expect(v).toBeCloseTo(pts[200][i], 6));
  });
});
