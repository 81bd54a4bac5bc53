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
import { applyPatch, LANDMARK_SETS } from '../src/engine/tools';
import { interOcular } from '../src/engine/analyse/manifold';
import { bandContrast, foldContrast } from '../src/node/eval-creases';
import { ROOT } from '../src/node/platform';
import { cpuEditor } from './helpers';

const PHOTO = join(ROOT, '..', 'shared', 'fixtures', 'london', 'neutral', '127.jpg');
const SMILING = join(ROOT, '..', 'shared', 'fixtures', 'london', 'smiling', '022.jpg');

let editor: Editor;
let photo: Photo;
let faceCreased: Face;
let image: RGBAImage;

beforeAll(async () => {
  editor = await cpuEditor({ warmUp: false });
  photo = await editor.open(new Uint8Array(readFileSync(PHOTO)));
  faceCreased = await photo.face(0);
  image = photo.image;
}, 120_000);
afterAll(() => {
  photo?.dispose();
  editor?.dispose();
});

const render = async (creases: boolean) => {
  const edit = await faceCreased.edit({ preset: 'anger' });
  const patch = await edit.render(1, { creases });
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
  it('anger draws lines between the brows, keeps the grain there, and leaves the pixels beside the face as they were', async () => {
    const [a, b] = [await render(false), await render(true)];
    const pts = faceCreased.landmarks.points;
    const without = bandContrast(a.img, pts, 'brow');
    const withCreases = bandContrast(b.img, pts, 'brow');
    console.log(`anger on 127, fine contrast between the brows: ${without.toFixed(4)} without creases, ${withCreases.toFixed(4)} with`);
    expect(withCreases, 'fine contrast between the brows').toBeGreaterThan(1.15 * without);
    // the lines are a gain on the photo's pixels: its grain stays (0.8-1.2 of the render without creases)
    const iod = interOcular(pts);
    const [gx, gy] = [Math.round(pts[9][0] - 0.15 * iod), Math.round(pts[9][1] - 0.15 * iod)];
    const ratio = grain(b.img, gx, gy, Math.round(0.3 * iod), Math.round(0.25 * iod)) / grain(a.img, gx, gy, Math.round(0.3 * iod), Math.round(0.25 * iod));
    console.log(`grain between the brows, with / without creases: ${ratio.toFixed(2)}`);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.2);
    // beside the face (left of its outline) the pixels are the same with and without
    let differ = 0;
    let seen = 0;
    const left = Math.min(...pts.map((p) => p[0])) - 0.05 * iod;
    for (let y = b.patch.y; y < b.patch.y + b.patch.height; y++)
      for (let x = b.patch.x; x < Math.min(left, b.patch.x + b.patch.width); x++) {
        const o = (y * image.width + x) * 4;
        seen++;
        if (a.img.data[o] !== b.img.data[o] || a.img.data[o + 1] !== b.img.data[o + 1]) differ++;
      }
    expect(seen).toBeGreaterThan(1000);
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

  it('sadness closes her closed lips further: they keep their own seam (no lip redrawn over teeth that are not there)', async () => {
    // the lips are redrawn from the photo's own only where they close over teeth it shows (mouth-interior.ts
    // coverLips); over a closed mouth that redraw cut the lower lip along a straight line
    const edit = await faceCreased.edit({ preset: 'sadness' });
    const [a, b] = [await edit.render(1), await edit.render(1, { interior: false })];
    const t = edit.target(1);
    edit.dispose();
    const ring = LANDMARK_SETS.outerLipRing;
    const [x0, x1] = [Math.min(...ring.map((i) => t[i][0])), Math.max(...ring.map((i) => t[i][0]))];
    const [y0, y1] = [Math.min(...ring.map((i) => t[i][1])), Math.max(...ring.map((i) => t[i][1]))];
    let worst = 0;
    for (let y = Math.floor(y0); y <= y1; y++)
      for (let x = Math.floor(x0); x <= x1; x++) {
        const k = ((y - a.y) * a.width + x - a.x) * 4;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(a.data[k + c] - b.data[k + c]));
      }
    expect(worst).toBeLessThan(1);
  }, 120_000);

  it("neutralizing a smile fades the folds beside the mouth, and keeps the skin's grain there", async () => {
    const smiling = await editor.open(new Uint8Array(readFileSync(SMILING)));
    try {
      const face = await smiling.face(0);
      const edit = await face.edit('neutral');
      const t = edit.target(1);
      const [a, b] = [applyPatch(smiling.image, await edit.render(1, { creases: false })), applyPatch(smiling.image, await edit.render(1))];
      edit.dispose();
      const [without, faded] = [foldContrast(a, t), foldContrast(b, t)];
      console.log(`folds beside the mouth, 022 neutralized: ${without.toFixed(4)} without, ${faded.toFixed(4)} with`);
      expect(faded).toBeLessThan(0.95 * without);
      // the cheek below the eye's outer corner: the grain stays (pores and hairs are finer than the band)
      const iod = interOcular(t);
      const [gx, gy] = [Math.round(t[50][0] - 0.08 * iod), Math.round(t[50][1] - 0.05 * iod)];
      const side = Math.round(0.16 * iod);
      const ratio = grain(b, gx, gy, side, side) / grain(a, gx, gy, side, side);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.2);
    } finally {
      smiling.dispose();
    }
  }, 240_000);
});
