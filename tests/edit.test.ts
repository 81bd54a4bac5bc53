/** The engine's editing API (src/engine/edit.ts) end to end on the real models, tfjs CPU backend. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, toEditorError, type Editor, type Face, type Photo } from '../src/engine/index';
import { applyPatch, decodeImage, LANDMARK_SETS } from '../src/engine/tools';
import { cpuEditor, sampleBytes } from './helpers';

let editor: Editor;
let photo: Photo;
let face: Face;

beforeAll(async () => {
  editor = await cpuEditor();
  photo = await editor.open(sampleBytes());
  face = await photo.face(0);
});
afterAll(() => editor?.dispose());

const MOUTH = [61, 291, 13, 14, 0, 17, 78, 308];
const meanMove = (a: readonly number[][], b: readonly number[][], idx: readonly number[]) =>
  idx.reduce((s, i) => s + Math.hypot(a[i][0] - b[i][0], a[i][1] - b[i][1]), 0) / idx.length;

describe('editing API', () => {
  it('loads every shipped model and says so in its capabilities', () => {
    expect(editor.capabilities.expression).toBe(true);
    expect(editor.capabilities.refiner).toBe(true);
    expect(editor.capabilities.presets).toEqual(expect.arrayContaining(['happy', 'surprise', 'anger', 'sadness']));
    expect(editor.capabilities.regions).toEqual(['brows', 'eyes', 'mouth', 'jaw']);
  });

  it('computes N(x) once per face and the fitted displacement once per face and reference', async () => {
    expect(face.neutral()).toBe(face.neutral());
    expect(await photo.face(0)).toBe(face);
    const a = await face.edit({ preset: 'happy' });
    const b = await face.edit({ preset: 'happy' }, { regions: ['mouth'] });
    const c = await face.edit({ preset: 'surprise' });
    expect(a.displacement).not.toBeNull();
    expect(b.displacement).toBe(a.displacement);
    expect(c.displacement).not.toBe(a.displacement);
    expect((await face.edit('neutral')).displacement).toBeNull();
  });

  it('intensity 0 is the photo itself; a preset moves the mouth, limited to the regions asked for', async () => {
    const happy = await face.edit({ preset: 'surprise' });
    const pts = face.landmarks.points;
    expect(meanMove(happy.target(0), pts, MOUTH)).toBeLessThan(1e-6);
    const iod = Math.hypot(pts[33][0] - pts[263][0], pts[33][1] - pts[263][1]);
    expect(meanMove(happy.target(1), pts, MOUTH) / iod).toBeGreaterThan(0.02);
    const browsOnly = await face.edit({ preset: 'surprise' }, { regions: ['brows'] });
    expect(meanMove(browsOnly.target(1), pts, MOUTH) / iod).toBeLessThan(0.005);
  });

  it('surprise over her own teeth: intensity 0 is the photo; at 1 the upper lip comes down over them, an "O"', async () => {
    // the sample smiles with her upper teeth showing, open enough that a preset keeps her own teeth (not the stock's)
    const img = photo.image;
    const edit = await face.edit({ preset: 'surprise' });
    const luma = (d: ArrayLike<number>, k: number) => 0.299 * d[k] + 0.587 * d[k + 1] + 0.114 * d[k + 2];
    const inside = (pts: readonly number[][], x: number, y: number) => {
      const ring = LANDMARK_SETS.innerMouthRing;
      let c = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = pts[ring[i]];
        const [xj, yj] = pts[ring[j]];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
      return c;
    };
    /** Share of the opening's pixels that are teeth-bright (luma over 150; her lips are about 130). */
    const bright = (im: { data: ArrayLike<number>; width: number }, pts: readonly number[][]) => {
      let n = 0;
      let b = 0;
      const xs = pts.map((p) => p[0]);
      const ys = pts.map((p) => p[1]);
      for (let y = Math.floor(Math.min(...ys)); y <= Math.max(...ys); y++)
        for (let x = Math.floor(Math.min(...xs)); x <= Math.max(...xs); x++) {
          if (!inside(pts, x, y)) continue;
          n++;
          if (luma(im.data, (y * im.width + x) * 4) > 150) b++;
        }
      return b / Math.max(n, 1);
    };
    const at0 = applyPatch(img, await edit.render(0));
    let diff = 0;
    for (let k = 0; k < img.data.length; k++) diff = Math.max(diff, Math.abs(at0.data[k] - img.data[k]));
    expect(diff).toBeLessThanOrEqual(1);
    const own = bright(img, face.landmarks.points);
    const at1 = bright(applyPatch(img, await edit.render(1)), edit.target(1));
    console.log(`surprise over her own teeth: teeth-bright share of the opening ${own.toFixed(2)} in the photo, ${at1.toFixed(2)} at 1`);
    expect(own).toBeGreaterThan(0.3);
    expect(at1).toBeLessThan(0.5 * own); // the upper lip covers most of her teeth (full height kept, they filled 0.57)
  });

  it('a face from another photo is a reference: its expression arrives on this face', async () => {
    // The sample mirrored is another photo of "another person" with the same expression (an open smile).
    const img = photo.image;
    const mirrored = new Uint8ClampedArray(img.data.length);
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        const o = (y * img.width + x) * 4;
        const m = (y * img.width + (img.width - 1 - x)) * 4;
        mirrored.set(img.data.subarray(m, m + 4), o);
      }
    const other = await editor.open({ width: img.width, height: img.height, data: mirrored });
    const ref = await other.face(0);
    const neutral = await face.edit('neutral');
    const back = await face.edit(ref);
    const pts = face.landmarks.points;
    // Neutralizing moves the smiling mouth; the smiling reference keeps it near where it is.
    expect(meanMove(back.target(1), pts, MOUTH)).toBeLessThan(0.5 * meanMove(neutral.target(1), pts, MOUTH));
    other.dispose();
  });

  it('render gives a patch that changes the mouth; export writes the whole photo at full size; no tensors leak', async () => {
    const edit = await face.edit({ preset: 'surprise' });
    await edit.render(1);
    const before = tf.memory().numTensors;
    const patch = await edit.render(1.2);
    expect(await edit.render(1.2)).toBe(patch); // the same value is not rendered twice
    expect(patch.intensity).toBe(1.2);
    expect(patch.width * patch.height * 4).toBe(patch.data.length);
    const bytes = (await edit.export(1.2, 'png')) as Uint8Array;
    const out = await decodeImage(bytes);
    expect([out.width, out.height]).toEqual([photo.image.width, photo.image.height]);
    let changed = 0;
    const [mx, my] = face.landmarks.points[13];
    for (let y = Math.round(my) - 10; y < my + 10; y++)
      for (let x = Math.round(mx) - 20; x < mx + 20; x++) {
        const o = (y * out.width + x) * 4;
        if (Math.abs(out.data[o] - photo.image.data[o]) > 8) changed++;
      }
    expect(changed).toBeGreaterThan(50);
    expect(Array.from(out.data.subarray(0, 400))).toEqual(Array.from(photo.image.data.subarray(0, 400)));
    expect(tf.memory().numTensors).toBe(before);
    edit.dispose();
    expect(() => edit.target(1)).toThrowError(expect.objectContaining({ code: ErrorCode.DISPOSED }));
  });

  it('a preview is the same warp at half resolution: half the pixels, close to the full-size frame shrunk; it is not an export', async () => {
    const edit = await face.edit({ preset: 'surprise' });
    const full = await edit.render(1, { refiner: false });
    const preview = await edit.render(1, { preview: true });
    expect([preview.x, preview.y, preview.width, preview.height]).toEqual([full.x, full.y, full.width, full.height]);
    expect([preview.dataWidth, preview.dataHeight]).toEqual([Math.floor(full.width / 2), Math.floor(full.height / 2)]);
    expect(preview.data.length).toBe(preview.dataWidth * preview.dataHeight * 4);
    expect(preview.refinedPixels).toBe(0);
    // each preview pixel against the mean of its 2 x 2 block of the full-size warp, luminance
    const L = (d: ArrayLike<number>, k: number) => 0.299 * d[k] + 0.587 * d[k + 1] + 0.114 * d[k + 2];
    let err = 0;
    for (let j = 0; j < preview.dataHeight; j++)
      for (let i = 0; i < preview.dataWidth; i++) {
        let m = 0;
        for (const [di, dj] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ])
          m += L(full.data, ((2 * j + dj) * full.width + 2 * i + di) * 4) / 4;
        err += Math.abs(L(preview.data, (j * preview.dataWidth + i) * 4) - m);
      }
    // measured 0.8 grey levels on average (the warp of 2 x 2 means vs the mean of the warp, plus the flow's rounding)
    expect(err / (preview.dataWidth * preview.dataHeight)).toBeLessThan(3);
    // renderFull and export are always full size; a preview patch cannot be applied to the photo
    expect((await edit.renderFull(1, { preview: true })).width).toBe(photo.image.width);
    expect(() => applyPatch(photo.image, preview)).toThrowError(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
    edit.dispose();
  });

  it('bad references and regions are BAD_ARGUMENT; a closed photo is DISPOSED', async () => {
    await expect(face.edit({ preset: 'boredom' as never })).rejects.toMatchObject({ code: ErrorCode.BAD_ARGUMENT });
    await expect(face.edit({ nonsense: 1 } as never)).rejects.toMatchObject({ code: ErrorCode.BAD_ARGUMENT });
    await expect(face.edit('neutral', { regions: ['ears' as never] })).rejects.toMatchObject({ code: ErrorCode.BAD_ARGUMENT });
    const p = await editor.open(sampleBytes());
    const f = await p.face(0);
    p.dispose();
    await expect(f.edit('neutral')).rejects.toMatchObject({ code: ErrorCode.DISPOSED });
    await expect(p.face(0)).rejects.toMatchObject({ code: ErrorCode.DISPOSED });
  });

  it('unexpected failures are INTERNAL, allocation failures OUT_OF_MEMORY, anything after a device loss GPU_LOST', () => {
    expect(toEditorError(new TypeError('x is undefined')).code).toBe(ErrorCode.INTERNAL);
    expect(toEditorError(new RangeError('Array buffer allocation failed')).code).toBe(ErrorCode.OUT_OF_MEMORY);
    expect(toEditorError(new Error('whatever'), { gpuLost: true }).code).toBe(ErrorCode.GPU_LOST);
  });
});
