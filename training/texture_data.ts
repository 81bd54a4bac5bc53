/**
 * Training data of the expression-texture network (training/texture_train.py): the colour set's photos as the
 * render session's aligned crop (aligned-crop.ts: DEFAULT_CROP, S = 128, cut with the app's own geometry from
 * the landmarks the app's engine found), with their landmarks in crop pixels and their person.
 *
 * Only the `person` grouping is written: the texture network learns from pairs of photos of one person (what
 * changes in the skin when the landmarks move), never from the expression labels, which this script does not
 * read. The people of the evaluation split (eval-common.ts isEvalPerson) are left out, as are photos whose
 * stable-point fit is poor (residual above 0.08 IOD) and people with a single usable photo.
 *
 * Output (a folder the device tool can carry; never committed: these are the data set's photos):
 *   crops.bin       the crops as JPEG (quality 94), one after another
 *   index.json      { size, crop, photos: [{ image, person, offset, length }] }
 *   points.i16      468 x 2 crop-pixel coordinates per photo (pixel centres at integers), x 64, int16 LE
 *
 *   npx tsx training/texture_data.ts --data ../shared/data/faces-color --landmarks data-out/landmarks-color.jsonl \
 *       --out .gpu/texture [--per-person 6]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { alignedCropRect, applyAffine, DEFAULT_CROP, toCanonical } from '../src/engine/tools';
import { loadContextFaces, readFacesCsv } from '../src/node/dataset';
import { isEvalPerson } from '../src/node/eval-common';

export const TEXTURE_SIZE = 128;
const MAX_RESIDUAL = 0.08;

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`missing ${name}`);
  return fallback;
}

/** Bilinear sample of an RGBA image at (x, y), pixel centres at integers, edges clamped. */
function sample(img: { width: number; height: number; data: Uint8Array }, x: number, y: number, out: Uint8Array, o: number): void {
  const xc = Math.min(Math.max(x, 0), img.width - 1);
  const yc = Math.min(Math.max(y, 0), img.height - 1);
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = Math.min(x0 + 1, img.width - 1);
  const y1 = Math.min(y0 + 1, img.height - 1);
  const fx = xc - x0;
  const fy = yc - y0;
  for (let c = 0; c < 3; c++) {
    const a = img.data[(y0 * img.width + x0) * 4 + c];
    const b = img.data[(y0 * img.width + x1) * 4 + c];
    const d = img.data[(y1 * img.width + x0) * 4 + c];
    const e = img.data[(y1 * img.width + x1) * 4 + c];
    out[o + c] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
  }
  out[o + 3] = 255;
}

function main(): void {
  const data = resolve(arg('--data'));
  const out = resolve(arg('--out'));
  const perPerson = Number(arg('--per-person', '6'));
  const S = TEXTURE_SIZE;
  const faces = loadContextFaces(readFacesCsv(data), resolve(arg('--landmarks'))).filter((f) => !isEvalPerson(f.person));
  const byPerson = new Map<string, { image: string; points: (typeof faces)[number]['points'] }[]>();
  for (const f of [...faces].sort((a, b) => (a.image < b.image ? -1 : 1))) {
    const c = toCanonical(f.points);
    if (!(c.residual <= MAX_RESIDUAL)) continue;
    const list = byPerson.get(f.person) ?? [];
    if (list.length < perPerson) list.push({ image: f.image, points: f.points });
    byPerson.set(f.person, list);
  }
  mkdirSync(out, { recursive: true });
  const chunks: Buffer[] = [];
  const photos: { image: string; person: string; offset: number; length: number }[] = [];
  const pts: number[] = [];
  let offset = 0;
  for (const [person, list] of byPerson) {
    if (list.length < 2) continue;
    for (const p of list) {
      const file = readFileSync(join(data, 'images', p.image));
      const img = jpeg.decode(file, { useTArray: true, formatAsRGBA: true });
      const rect = alignedCropRect(toCanonical(p.points).transform, DEFAULT_CROP);
      const px = new Uint8Array(S * S * 4);
      for (let v = 0; v < S; v++)
        for (let u = 0; u < S; u++) {
          const [x, y] = applyAffine(rect.toImage, [(u + 0.5) / S, (v + 0.5) / S]);
          sample(img, x, y, px, (v * S + u) * 4);
        }
      const enc = jpeg.encode({ data: px, width: S, height: S }, 94).data;
      chunks.push(Buffer.from(enc));
      photos.push({ image: p.image, person, offset, length: enc.length });
      offset += enc.length;
      for (const q of p.points) {
        const [s, t] = applyAffine(rect.fromImage, q);
        pts.push(Math.round((s * S - 0.5) * 64), Math.round((t * S - 0.5) * 64));
      }
    }
  }
  writeFileSync(join(out, 'crops.bin'), Buffer.concat(chunks));
  writeFileSync(join(out, 'points.i16'), Buffer.from(Int16Array.from(pts).buffer));
  writeFileSync(join(out, 'index.json'), JSON.stringify({ size: S, crop: { center: DEFAULT_CROP.centre, side: DEFAULT_CROP.side }, photos }));
  const people = new Set(photos.map((p) => p.person)).size;
  console.log(`${photos.length} photos of ${people} people, ${(offset / 2 ** 20).toFixed(1)} MiB of JPEG -> ${out}`);
}

main();
