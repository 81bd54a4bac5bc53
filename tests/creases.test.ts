/**
 * Creases (src/engine/render/creases.ts) on a real photo: London fixture 127 (../shared/fixtures/london, Face Research
 * Lab London Set, CC BY 4.0), 1350 x 1350, rendered with and without creases by the whole engine. Anger knits and
 * lowers her brows: lines form between them, her skin's grain stays inside them, nothing changes where the warp
 * squeezes nothing, and an edit that moves nothing draws nothing. The chin follows the lower lip when the mouth is
 * left out (target.ts chinFollowsLip): the case that put a bright blob on the chin.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Editor, Face, Photo, RGBAImage } from '../src/engine/index';
import { applyPatch } from '../src/engine/tools';
import { interOcular } from '../src/engine/analyse/manifold';
import { bandContrast } from '../src/node/eval-creases';
import { ROOT } from '../src/node/platform';
import { cpuEditor } from './helpers';

const PHOTO = join(ROOT, '..', 'shared', 'fixtures', 'london', 'neutral', '127.jpg');

let plain: Editor;
let creased: Editor;
const opened: Photo[] = [];
let facePlain: Face;
let faceCreased: Face;
let image: RGBAImage;

beforeAll(async () => {
  [plain, creased] = await Promise.all([cpuEditor({ creases: false, warmUp: false }), cpuEditor({ warmUp: false })]);
  const bytes = new Uint8Array(readFileSync(PHOTO));
  for (const e of [plain, creased]) opened.push(await e.open(bytes));
  [facePlain, faceCreased] = await Promise.all(opened.map((p) => p.face(0)));
  image = opened[1].image;
}, 120_000);
afterAll(() => {
  for (const p of opened) p.dispose();
  plain?.dispose();
  creased?.dispose();
});

const render = async (face: Face, preset: 'anger' | 'happy') => {
  const edit = await face.edit({ preset });
  const patch = await edit.render(1);
  edit.dispose();
  return { img: applyPatch(image, patch), patch };
};

/** RMS of luminance minus its 3 x 3 mean over a box: the grain. */
function grain(img: RGBAImage, x0: number, y0: number, w: number, h: number): number {
  const L = (x: number, y: number) => {
    const o = (y * img.width + x) * 4;
    return 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
  };
  let ss = 0;
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++) {
      let m = 0;
      for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) m += L(x + i, y + j);
      ss += (L(x, y) - m / 9) ** 2;
    }
  return Math.sqrt(ss / (w * h));
}

describe('creases on a real photo', () => {
  it('anger draws lines between the brows, keeps the grain there, and leaves the rest of the frame as it was', async () => {
    const [a, b] = [await render(facePlain, 'anger'), await render(faceCreased, 'anger')];
    const pts = faceCreased.landmarks.points;
    const without = bandContrast(a.img, pts, 'brow');
    const withCreases = bandContrast(b.img, pts, 'brow');
    expect(withCreases, 'fine contrast between the brows').toBeGreaterThan(1.15 * without);
    // the lines are a gain on the photo's pixels: its grain stays (0.8-1.2 of the render without creases)
    const iod = interOcular(pts);
    const [gx, gy] = [Math.round(pts[9][0] - 0.15 * iod), Math.round(pts[9][1] - 0.15 * iod)];
    const ratio = grain(b.img, gx, gy, Math.round(0.3 * iod), Math.round(0.25 * iod)) / grain(a.img, gx, gy, Math.round(0.3 * iod), Math.round(0.25 * iod));
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.35);
    // the mouth and chin (the lower face gets no creases) are the same pixels with and without
    let differ = 0;
    const chinY = Math.round(pts[17][1]);
    for (let y = chinY; y < Math.round(pts[152][1]); y++)
      for (let x = Math.round(pts[61][0]); x < Math.round(pts[291][0]); x++) {
        const o = (y * image.width + x) * 4;
        if (a.img.data[o] !== b.img.data[o]) differ++;
      }
    expect(differ).toBe(0);
  }, 240_000);

  it('an edit that moves nothing draws nothing', async () => {
    const edit = await faceCreased.edit({ preset: 'anger' });
    const patch = await edit.render(0);
    edit.dispose();
    const out = applyPatch(image, patch);
    let differ = 0;
    for (let k = 0; k < image.data.length; k++) if (out.data[k] !== image.data[k]) differ++;
    expect(differ).toBe(0);
  }, 120_000);

  it('surprise with the mouth left out: the chin drops no further than the lower lip (and 2 % IOD)', async () => {
    const iod = interOcular(faceCreased.landmarks.points);
    const src = faceCreased.landmarks.points;
    for (const [regions, most] of [
      [['brows', 'eyes', 'jaw'], 0.03],
      [['brows', 'eyes'], 0.03],
    ] as const) {
      const edit = await faceCreased.edit({ preset: 'surprise' }, { regions });
      const t = edit.target(1);
      edit.dispose();
      const drop = (k: number) => (t[k][1] - src[k][1]) / iod;
      expect(drop(152) - Math.max(0, drop(17)), regions.join('+')).toBeLessThan(most);
    }
    // with the mouth, the jaw drops: surprise opens it well past that
    const edit = await faceCreased.edit({ preset: 'surprise' });
    const t = edit.target(1);
    edit.dispose();
    expect((t[152][1] - src[152][1]) / iod).toBeGreaterThan(0.06);
  }, 120_000);
});
