/**
 * Small faces in large photos (issue 12): a photo with a side over 2048 px is searched on a
 * downscaled copy, where a 140 px face in 4000 px is 9 detector pixels. The face must still be found
 * where it is, with landmarks as good as the full-resolution pixels allow, edits must land on it, and
 * a face too small to edit must be refused as FACE_TOO_SMALL, saying the size it needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs-core';
import { createAnalyser, MIN_FACE_WIDTH_PX, MIN_IOD_PX, mergeBoxes, smallestFindableFace, tileGrid } from '../src/engine/analyse/analyser';
import type { FaceDetector } from '../src/engine/analyse/detect';
import type { FaceMesh } from '../src/engine/analyse/mesh';
import { decodeImage } from '../src/engine/analyse/decode';
import { interOcular, nme } from '../src/engine/analyse/manifold';
import type { Editor, Face, Photo } from '../src/engine/edit/types';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import type { FaceBox, Point3, RGBAImage } from '../src/engine/types';
import { cpuEditor, sampleBytes } from './helpers';

let editor: Editor;
let sample: RGBAImage;
let truth: { box: FaceBox; points: Point3[] };
beforeAll(async () => {
  editor = await cpuEditor();
  sample = await decodeImage(sampleBytes());
  const photo = await editor.open(sample);
  const face = await photo.face(0);
  truth = { box: photo.faces[0], points: face.landmarks.points };
  photo.dispose();
});
afterAll(() => editor?.dispose());

/** Area-average resample to w x h (every output pixel the coverage-weighted mean of the input pixels it spans). */
function resizeArea(img: RGBAImage, w: number, h: number): RGBAImage {
  const pass = (src: Float32Array, sw: number, sh: number, dw: number, horizontal: boolean): Float32Array => {
    const n = horizontal ? sw : sh;
    const m = horizontal ? sh : sw;
    const k = n / dw;
    const out = new Float32Array((horizontal ? dw * sh : sw * dw) * 4);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < dw; i++) {
        const a = i * k;
        const b = a + k;
        const acc = [0, 0, 0, 0];
        for (let s = Math.floor(a); s < Math.min(n, Math.ceil(b)); s++) {
          const c = Math.min(b, s + 1) - Math.max(a, s);
          const o = (horizontal ? j * sw + s : s * sw + j) * 4;
          for (let q = 0; q < 4; q++) acc[q] += src[o + q] * c;
        }
        const o = (horizontal ? j * dw + i : i * sw + j) * 4;
        for (let q = 0; q < 4; q++) out[o + q] = acc[q] / k;
      }
    }
    return out;
  };
  const across = pass(Float32Array.from(img.data), img.width, img.height, w, true);
  return { width: w, height: h, data: Uint8ClampedArray.from(pass(across, w, img.height, h, false)) };
}

/** The sample scaled so its face box is `faceWidth` px, pasted at (x, y) into a flat grey width x height photo; the ground truth comes with it. */
function smallFacePhoto(width: number, height: number, faceWidth: number, x: number, y: number) {
  const side = Math.round((sample.width * faceWidth) / truth.box.width);
  const r = side / sample.width;
  const small = resizeArea(sample, side, side);
  const data = new Uint8ClampedArray(width * height * 4).fill(128);
  for (let row = 0; row < side; row++) data.set(small.data.subarray(row * side * 4, (row + 1) * side * 4), ((y + row) * width + x) * 4);
  const points = truth.points.map((p) => [(p[0] + 0.5) * r - 0.5 + x, (p[1] + 0.5) * r - 0.5 + y, p[2] * r] as Point3);
  const b = truth.box;
  const box = { x: b.x * r + x, y: b.y * r + y, width: b.width * r, height: b.height * r };
  return { photo: { width, height, data } as RGBAImage, points, box };
}

function expectSameFace(photo: Photo, face: Face, gt: { points: Point3[]; box: { x: number; y: number; width: number } }): void {
  const iod = interOcular(gt.points);
  const box = photo.faces[face.index];
  expect(Math.abs(box.x + box.width / 2 - (gt.box.x + gt.box.width / 2))).toBeLessThan(0.15 * gt.box.width);
  expect(box.width / gt.box.width).toBeGreaterThan(0.8);
  expect(box.width / gt.box.width).toBeLessThan(1.25);
  expect(nme(face.landmarks.points, gt.points)).toBeLessThan(3);
  expect(Math.abs(interOcular(face.landmarks.points) - iod) / iod).toBeLessThan(0.03);
  expect(Math.abs(face.pose.yaw)).toBeLessThan(10);
}

/** Pixels of `b` that differ from `a`, and the box holding them. */
function changed(a: RGBAImage, b: RGBAImage): { count: number; x0: number; y0: number; x1: number; y1: number } {
  let count = 0;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const A = new Uint32Array(a.data.buffer, a.data.byteOffset, a.width * a.height);
  const B = new Uint32Array(b.data.buffer, b.data.byteOffset, b.width * b.height);
  for (let i = 0; i < A.length; i++) {
    if (A[i] === B[i]) continue;
    count++;
    const x = i % a.width;
    const y = (i - x) / a.width;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return { count, x0, y0, x1, y1 };
}

describe('small faces in large photos', () => {
  it('finds a 140 px face in a 4000 x 3000 photo where it is, and edits only around it; the edit is found where it was meant', async () => {
    const gt = smallFacePhoto(4000, 3000, 140, 1700, 1100);
    const photo = await editor.open(gt.photo);
    try {
      expect(photo.analysisScale).toBe(2);
      expect(photo.faces).toHaveLength(1);
      const face = await photo.face(0);
      expectSameFace(photo, face, gt);

      const edit = await face.edit({ preset: 'surprise' });
      const out = await edit.renderFull(1);
      expect(out.width).toBe(4000);
      const d = changed(gt.photo, out);
      expect(d.count).toBeGreaterThan(500);
      // every changed pixel lies within a face width of the face box
      const b = gt.box;
      expect(d.x0).toBeGreaterThanOrEqual(b.x - b.width);
      expect(d.x1).toBeLessThanOrEqual(b.x + 2 * b.width);
      expect(d.y0).toBeGreaterThanOrEqual(b.y - b.width);
      expect(d.y1).toBeLessThanOrEqual(b.y + 2 * b.width);

      // the edited full-size photo, opened again: its face is where the edit put it
      const again = await editor.open(out);
      try {
        expect(again.faces).toHaveLength(1);
        const found = await again.face(0);
        // within a few % IOD: the face is where the edit put it (a misplaced face is tens of %); the mesh finds most but
        // not all of a strong expression's motion (docs/results.md, action units)
        expect(nme(found.landmarks.points, edit.target(1))).toBeLessThan(4);
      } finally {
        again.dispose();
      }
    } finally {
      photo.dispose();
    }
  });

  it('finds an 80 px face the whole pass only half-sees in a 4000 x 3000 photo: frontal, edited only around it', async () => {
    const gt = smallFacePhoto(4000, 3000, 80, 2900, 600);
    const photo = await editor.open(gt.photo);
    try {
      expect(photo.faces).toHaveLength(1);
      const face = await photo.face(0);
      expectSameFace(photo, face, gt);
      const out = await (await face.edit({ preset: 'surprise' })).renderFull(1);
      const d = changed(gt.photo, out);
      const b = gt.box;
      expect(d.count).toBeGreaterThan(100);
      expect(d.x0).toBeGreaterThanOrEqual(b.x - b.width);
      expect(d.x1).toBeLessThanOrEqual(b.x + 2 * b.width);
      expect(d.y0).toBeGreaterThanOrEqual(b.y - b.width);
      expect(d.y1).toBeLessThanOrEqual(b.y + 2 * b.width);
    } finally {
      photo.dispose();
    }
  });

  it('refuses a 24 px face in a 3000 x 2000 photo as too small, saying the size it needs', async () => {
    const gt = smallFacePhoto(3000, 2000, 24, 1700, 1100);
    const photo = await editor.open(gt.photo);
    try {
      expect(photo.faces).toHaveLength(1);
      const box = photo.faces[0];
      expect(Math.abs(box.x + box.width / 2 - (gt.box.x + gt.box.width / 2))).toBeLessThan(0.25 * gt.box.width);
      const err = await photo.face(0).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isEditorError(err) && err.code).toBe(ErrorCode.FACE_TOO_SMALL);
      expect(isEditorError(err) && err.detail).toMatch(new RegExp(`^\\d+ px between the eyes, ${MIN_IOD_PX} needed$`));
    } finally {
      photo.dispose();
    }
  });
});

describe('size rules and the search plan', () => {
  it('the face width limit is the eye distance limit as a box width', () => {
    // a frontal face's detector box is about 2.4 IOD wide (the sample: 103.6 px for 43.0 px);
    // the app's message quotes both (tests/app-messages.test.ts)
    expect(MIN_FACE_WIDTH_PX).toBeGreaterThanOrEqual(2.4 * MIN_IOD_PX);
    expect(MIN_FACE_WIDTH_PX).toBeLessThanOrEqual(2.6 * MIN_IOD_PX);
  });

  it('tiles only photos the whole pass sees coarsely, at most 3 x 3, covering every pixel', () => {
    expect(tileGrid(512, 512)).toHaveLength(0);
    expect(tileGrid(320, 240)).toHaveLength(0);
    for (const [w, h] of [
      [2000, 1500],
      [1500, 1000],
      [500, 2000],
      [1024, 768],
    ]) {
      const tiles = tileGrid(w, h);
      expect(tiles.length).toBeGreaterThan(0);
      expect(tiles.length).toBeLessThanOrEqual(9);
      for (const [x, y] of [
        [0, 0],
        [w - 1, h - 1],
        [w - 1, 0],
        [0, h - 1],
        [w >> 1, h >> 1],
      ]) {
        expect(tiles.some((t) => x >= t.x && x < t.x + t.side && y >= t.y && y < t.y + t.side)).toBe(true);
      }
    }
    // a 12-megapixel photo: faces from about 75 px are found even when the whole pass misses them
    expect(smallestFindableFace(4000, 3000)).toBeLessThanOrEqual(80);
  });

  /**
   * A stand-in for BlazeFace with its resolution limit: it "detects" the white square of a dark image
   * when the square is at least 12 pixels wide at the input side it is run at (256, or the glance's 128).
   */
  function squareDetector(calls: number[]): FaceDetector {
    return {
      minScore: 0.5,
      async detect(image: tf.Tensor3D, scale = 1, _minScore?: number, input = 256) {
        const [h, w] = image.shape;
        const d = await image.data();
        let x0 = Infinity;
        let y0 = Infinity;
        let x1 = -1;
        let y1 = -1;
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            if (d[(y * w + x) * 3] > 200) {
              x0 = Math.min(x0, x);
              x1 = Math.max(x1, x);
              y0 = Math.min(y0, y);
              y1 = Math.max(y1, y);
            }
        calls.push(Math.max(h, w));
        const size = Math.max(x1 - x0 + 1, y1 - y0 + 1);
        if (x1 < 0 || (size * input) / Math.max(h, w) < 12) return [];
        return [{ x: x0 * scale, y: y0 * scale, width: size * scale, height: size * scale, score: 0.9, keypoints: [] }];
      },
      dispose() {},
    };
  }
  const darkPhoto = (w: number, h: number, square?: { x: number; y: number; side: number }): RGBAImage => {
    const data = new Uint8ClampedArray(w * h * 4).fill(30);
    if (square) for (let y = square.y; y < square.y + square.side; y++) data.fill(255, (y * w + square.x) * 4, (y * w + square.x + square.side) * 4);
    return { width: w, height: h, data };
  };

  it('finds a face the whole pass cannot see in the tiles, with its box from a full-resolution zoom', async () => {
    const calls: number[] = [];
    const analyser = createAnalyser(squareDetector(calls), {} as FaceMesh);
    const photo = await analyser.open(darkPhoto(2400, 1800, { x: 2000, y: 1500, side: 60 }));
    // the glance (133 px copy of the 1200 px one: the square is 3 px), the whole pass (300 px: 6 detector px), 9 tiles
    // of 512 px (15 px), one zoom of 240 px (64 px)
    expect(calls).toEqual([133, 300, ...Array(9).fill(512), 240]);
    expect(photo.faces).toHaveLength(1);
    const b = photo.faces[0];
    expect([b.x, b.y, b.width]).toEqual([2000, 1500, 60]);
    photo.dispose();
  });

  it('says how small a face can go unfound when a large photo has none; small photos are not tiled', async () => {
    const calls: number[] = [];
    const analyser = createAnalyser(squareDetector(calls), {} as FaceMesh);
    const photo = await analyser.open(darkPhoto(2400, 1800));
    expect(calls).toHaveLength(11);
    const err = await photo.face(0).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isEditorError(err) && err.code).toBe(ErrorCode.NO_FACE);
    expect(isEditorError(err) && err.detail).toContain(`faces narrower than about ${smallestFindableFace(2400, 1800)} px can be missed`);
    photo.dispose();
    calls.length = 0;
    (await analyser.open(darkPhoto(512, 384))).dispose();
    expect(calls).toEqual([128, 256]); // the glance, then the whole pass
  });

  it('takes a large face from the glance alone; a small one anywhere sends the photo through the whole search', async () => {
    const calls: number[] = [];
    const analyser = createAnalyser(squareDetector(calls), {} as FaceMesh);
    const portrait = await analyser.open(darkPhoto(1350, 1350, { x: 400, y: 300, side: 500 }));
    expect(calls).toEqual([135]); // 1350 / 10: the square is 50 glance px
    expect(portrait.faces.map((b) => [b.x, b.y, b.width])).toEqual([[400, 300, 500]]);
    portrait.dispose();
    calls.length = 0;
    // a square a seventh of the photo's side: the glance sees it (19 px), but too small to be sure of it
    const small = await analyser.open(darkPhoto(1350, 1350, { x: 400, y: 300, side: 200 }));
    expect(calls).toEqual([135, 270]);
    expect(small.faces.map((b) => [b.x, b.y, b.width])).toEqual([[400, 300, 200]]);
    small.dispose();
  });

  it('merges duplicate boxes of one face, keeps neighbours apart', () => {
    const box = (x: number, y: number, w: number, score: number): FaceBox => ({ x, y, width: w, height: w, score, keypoints: [] });
    const merged = mergeBoxes([box(100, 100, 100, 0.6), box(110, 105, 95, 0.9), box(120, 120, 40, 0.7), box(300, 100, 100, 0.8)]);
    expect(merged.map((b) => b.score).sort()).toEqual([0.8, 0.9]);
  });
});
