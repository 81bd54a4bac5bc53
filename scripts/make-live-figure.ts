/**
 * docs/live.jpg: the camera as the reference, in Node: London person 009's neutral photo cross-faded into her smile
 * (the smiling photo first aligned on the eyes) stands for camera frames (640 x 480, mirrored as the app's camera is), the first ones still, so that her neutral is
 * learned from them (src/app/performer.ts); each frame drives two other London people's neutral photos (022, 062)
 * through the editing API (`face.edit(performer.reference(cameraFace))` -> `edit.renderFull(1)`, warp + refiner).
 * Rows: the camera frames, then each driven photo; columns: the smile's weight in the frame, 0 to 1.
 * London fixtures: Face Research Lab London Set, CC BY 4.0 (attribution in docs/README.md).
 *
 *   npx tsx scripts/make-live-figure.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { createPerformer } from '../src/app/performer';
import { createEditor, encodeImage, type RGBAImage } from '../src/engine/index';
import { fileByteSource, pointWasmAtNodeModules, ROOT } from '../src/node/platform';
import { faceCell, grid, LONDON } from './figure-common';

pointWasmAtNodeModules();
const editor = await createEditor({ backends: ['wasm', 'cpu'], models: fileByteSource(), warmUp: false });
const PERFORMER = '009';
const DRIVEN = ['022', '062'];
const WEIGHTS = [0, 0.25, 0.5, 0.75, 1];

const decode = (path: string): RGBAImage => {
  const j = jpeg.decode(readFileSync(path), { useTArray: true });
  return { width: j.width, height: j.height, data: new Uint8ClampedArray(j.data.buffer, j.data.byteOffset, j.data.byteLength) };
};
const rest = decode(join(LONDON, 'neutral', `${PERFORMER}.jpg`));
const smile = await aligned(rest, decode(join(LONDON, 'smiling', `${PERFORMER}.jpg`)));

/** `img` moved (rotation, scale, shift) so that its outer eye corners fall on `to`'s: the head moved between the two shots. */
async function aligned(to: RGBAImage, img: RGBAImage): Promise<RGBAImage> {
  const eyes = async (x: RGBAImage) => {
    const p = await editor.open(x);
    const pts = (await p.face(0)).landmarks.points;
    p.dispose();
    return [pts[33], pts[263]];
  };
  const [a0, a1] = await eyes(to);
  const [b0, b1] = await eyes(img);
  // the similarity taking `to`'s pixels to `img`'s: sample img at M(x)
  const ang = Math.atan2(b1[1] - b0[1], b1[0] - b0[0]) - Math.atan2(a1[1] - a0[1], a1[0] - a0[0]);
  const k = Math.hypot(b1[0] - b0[0], b1[1] - b0[1]) / Math.hypot(a1[0] - a0[0], a1[1] - a0[1]);
  const [c, sn] = [k * Math.cos(ang), k * Math.sin(ang)];
  const data = new Uint8ClampedArray(to.width * to.height * 4);
  for (let y = 0; y < to.height; y++) {
    for (let x = 0; x < to.width; x++) {
      const dx = x - a0[0];
      const dy = y - a0[1];
      const sx = Math.min(img.width - 1, Math.max(0, Math.round(b0[0] + c * dx - sn * dy)));
      const sy = Math.min(img.height - 1, Math.max(0, Math.round(b0[1] + sn * dx + c * dy)));
      data.set(img.data.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), (y * to.width + x) * 4);
    }
  }
  return { width: to.width, height: to.height, data };
}

/** The two photos mixed with `w` of the smile, cropped to 4:3 around the centre, mirrored, box-filtered to 640 x 480. */
function cameraFrame(w: number): RGBAImage {
  const W = 640;
  const H = 480;
  const s = rest.width / W;
  const y0 = Math.round((rest.height - H * s) / 2);
  const data = new Uint8ClampedArray(W * H * 4);
  const n = Math.floor(s);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + (W - 1 - x)) * 4;
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let j = 0; j < n; j++)
          for (let i = 0; i < n; i++) {
            const k = ((y0 + Math.floor(y * s) + j) * rest.width + Math.floor(x * s) + i) * 4 + c;
            acc += rest.data[k] * (1 - w) + smile.data[k] * w;
          }
        data[o + c] = acc / (n * n);
      }
      data[o + 3] = 255;
    }
  }
  return { width: W, height: H, data };
}

const driven = [];
for (const id of DRIVEN) {
  const photo = await editor.open(new Uint8Array(readFileSync(join(LONDON, 'neutral', `${id}.jpg`))));
  driven.push({ photo, face: await photo.face(0), cells: [] as RGBAImage[] });
}
const performer = createPerformer();
const cameraRow: RGBAImage[] = [];
for (const [k, w] of WEIGHTS.entries()) {
  const frame = await editor.open(cameraFrame(w));
  const cam = await frame.face(0);
  // the first frame, held still: its neutral is learned before the smile starts
  if (k === 0) for (let i = 0; i < 6; i++) performer.reference(cam);
  const reference = performer.reference(cam);
  cameraRow.push(faceCell(frame.image, cam));
  for (const d of driven) {
    const edit = await d.face.edit(reference);
    d.cells.push(faceCell(await edit.renderFull(1), d.face));
    edit.dispose();
  }
  frame.dispose();
  process.stderr.write('.');
}
const out = join(ROOT, 'docs', 'live.jpg');
writeFileSync(out, (await encodeImage(grid([cameraRow, ...driven.map((d) => d.cells)]), 'jpeg', 0.88)) as Uint8Array);
console.log(`\ndocs/live.jpg: rows the camera frames (London ${PERFORMER}), London ${DRIVEN.join(', ')} driven by them; columns: smile ${WEIGHTS.join(', ')}`);
for (const d of driven) d.photo.dispose();
editor.dispose();
