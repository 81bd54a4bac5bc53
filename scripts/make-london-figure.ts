/**
 * docs/london-edits.jpg: for London fixtures (CC BY 4.0, ../shared/fixtures/london/README.md), one row per
 * person: the neutral photo, the real smiling photo, the neutral photo edited with the person's own smile as
 * the reference, with the happy preset, and the smiling photo neutralized (all at intensity 1, warp +
 * refiner); then the mouth and the right eye of each of those at 1:1 (no scaling).
 *
 *   npx tsx scripts/make-london-figure.ts [IDs...]   (default 009 126: smiles that show teeth)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, encodeImage, type Face, type RGBAImage } from '../src/engine/index';
import { fileByteSource, pointWasmAtNodeModules, ROOT } from '../src/node/platform';

const LONDON = join(ROOT, '..', 'shared', 'fixtures', 'london');
const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['009', '126'];
pointWasmAtNodeModules();
const editor = await createEditor({ backends: ['wasm', 'cpu'], models: fileByteSource(), warmUp: false });

function crop(img: RGBAImage, cx: number, cy: number, w: number, h: number): RGBAImage {
  const data = new Uint8ClampedArray(w * h * 4);
  const x0 = Math.round(cx - w / 2);
  const y0 = Math.round(cy - h / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, x0 + x));
      const sy = Math.min(img.height - 1, Math.max(0, y0 + y));
      data.set(img.data.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

/** Box-downscale by an integer factor. */
function shrink(img: RGBAImage, f: number): RGBAImage {
  const w = Math.floor(img.width / f);
  const h = Math.floor(img.height / f);
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let j = 0; j < f; j++) for (let i = 0; i < f; i++) s += img.data[((y * f + j) * img.width + x * f + i) * 4 + c];
        data[(y * w + x) * 4 + c] = s / (f * f);
      }
    }
  }
  return { width: w, height: h, data };
}

/** Tiles laid out left to right, rows top to bottom, 8 px white gaps. */
function grid(rows: RGBAImage[][]): RGBAImage {
  const gap = 8;
  const width = Math.max(...rows.map((r) => r.reduce((s, t) => s + t.width + gap, gap)));
  const height = rows.reduce((s, r) => s + Math.max(...r.map((t) => t.height)) + gap, gap);
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  let y = gap;
  for (const r of rows) {
    let x = gap;
    for (const t of r) {
      for (let j = 0; j < t.height; j++) data.set(t.data.subarray(j * t.width * 4, (j + 1) * t.width * 4), ((y + j) * width + x) * 4);
      x += t.width + gap;
    }
    y += Math.max(...r.map((t) => t.height)) + gap;
  }
  return { width, height, data };
}

const rows: RGBAImage[][] = [];
for (const id of ids) {
  const open = async (sub: string) => {
    const photo = await editor.open(new Uint8Array(readFileSync(join(LONDON, sub, `${id}.jpg`))));
    return { photo, face: await photo.face(0) };
  };
  const neutral = await open('neutral');
  const smiling = await open('smiling');
  const own = await (await neutral.face.edit(smiling.face)).renderFull(1);
  const happy = await (await neutral.face.edit({ preset: 'happy' })).renderFull(1);
  const neutralized = await (await smiling.face.edit('neutral')).renderFull(1);
  const shown: [RGBAImage, Face][] = [
    [neutral.photo.image, neutral.face],
    [smiling.photo.image, smiling.face],
    [own, neutral.face],
    [happy, neutral.face],
    [neutralized, smiling.face],
  ];
  const faces = shown.map(([img, f]) => {
    const b = f.box;
    return shrink(crop(img, b.x + b.width / 2, b.y + b.height * 0.5, Math.round(b.width * 1.25), Math.round(b.width * 1.4)), 3);
  });
  const mouths = shown.map(([img, f]) => {
    const p = f.landmarks.points;
    return crop(img, (p[61][0] + p[291][0]) / 2, (p[13][1] + p[14][1]) / 2, 200, 110);
  });
  const eyes = shown.map(([img, f]) => {
    const p = f.landmarks.points;
    return crop(img, (p[33][0] + p[133][0]) / 2, (p[159][1] + p[145][1]) / 2, 200, 110);
  });
  rows.push(faces, mouths, eyes);
  neutral.photo.dispose();
  smiling.photo.dispose();
}
const out = join(ROOT, 'docs', 'london-edits.jpg');
writeFileSync(out, (await encodeImage(grid(rows), 'jpeg', 0.92)) as Uint8Array);
console.log(
  `wrote ${out}: columns neutral | real smile | own smile as reference | happy preset | smile neutralized; rows per person: face (1/3 scale), mouth 1:1, right eye 1:1`,
);
editor.dispose();
