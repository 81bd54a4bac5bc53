/**
 * The expression texture stays below the brows (src/engine/render/texture-scope.ts), on a real photo: London fixture
 * 127 (../shared/fixtures/london, Face Research Lab London Set, CC BY 4.0), sadness at intensity 1 through the whole
 * engine. Asked about brows that rise and knit, the network lit a band down the middle of the forehead to between the
 * eyes, about as much again as the warp's own change there; with the brows kept out of its target, that band is left
 * to the warp and the creases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Editor, Face, Photo, RGBAImage } from '../src/engine/index';
import { applyPatch } from '../src/engine/tools';
import type { Point3 } from '../src/engine/types';
import { ROOT } from '../src/node/platform';
import { cpuEditor } from './helpers';

const PHOTO = join(ROOT, '..', 'shared', 'fixtures', 'london', 'neutral', '127.jpg');

let editor: Editor;
let photo: Photo;
let face: Face;

beforeAll(async () => {
  editor = await cpuEditor({ warmUp: false });
  photo = await editor.open(new Uint8Array(readFileSync(PHOTO)));
  face = await photo.face(0);
}, 120_000);
afterAll(() => {
  photo?.dispose();
  editor?.dispose();
});

/** Mean luminance over x in [x0, x1), y in [y0, y1). */
function meanLuma(img: RGBAImage, x0: number, x1: number, y0: number, y1: number): number {
  let s = 0;
  let n = 0;
  for (let y = Math.round(y0); y < Math.round(y1); y++)
    for (let x = Math.round(x0); x < Math.round(x1); x++) {
      const o = (y * img.width + x) * 4;
      s += 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
      n++;
    }
  return s / n;
}

/**
 * How much lighter the band down the middle between the brows (within 0.07 IOD of the midline, from the glabella,
 * point 9, down to the top of the nose bridge, 168) is than the skin 0.1-0.18 IOD either side: grey levels.
 */
function bandContrast(img: RGBAImage, p: readonly Point3[]): number {
  const iod = Math.hypot(p[263][0] - p[33][0], p[263][1] - p[33][1]);
  const [mx, y0, y1] = [p[168][0], p[9][1], p[168][1]];
  const band = meanLuma(img, mx - 0.07 * iod, mx + 0.07 * iod, y0, y1);
  const left = meanLuma(img, mx - 0.18 * iod, mx - 0.1 * iod, y0, y1);
  const right = meanLuma(img, mx + 0.1 * iod, mx + 0.18 * iod, y0, y1);
  return band - (left + right) / 2;
}

describe('the expression texture below the brows', () => {
  it('sadness lights no band between the brows', async () => {
    const edit = await face.edit({ preset: 'sadness' });
    const out = applyPatch(photo.image, await edit.render(1));
    const before = bandContrast(photo.image, face.landmarks.points);
    const after = bandContrast(out, edit.target(1));
    edit.dispose();
    console.log(`band between the brows, lighter than beside it by: photo ${before.toFixed(1)}, sadness ${after.toFixed(1)} grey levels`);
    expect(after - before).toBeLessThan(10);
  }, 120_000);
});
