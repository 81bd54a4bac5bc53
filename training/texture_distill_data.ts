/**
 * Inputs for distilling the expression-texture network (training/texture_distill.py): the targets the app's own
 * edits ask the network for, on photos of the colour set's training people, as landmark pairs on the render
 * session's aligned crop (S = 128, crop pixels, pixel centres at integers). texture_common.fields turns a pair
 * into the network's input, so the pairs are all the distillation needs: no pixels, no labels.
 *
 * Per photo (the face nearest the centre): the six presets, neutral, up to two of the last photos' faces as
 * references, a few random action units on neutral or a preset, a preset limited to random regions. Each is the
 * edit's target at intensity 1 with the brows and forehead kept (texture-scope.ts), exactly as edit.ts asks.
 * The people of the evaluation split (eval-common.ts isEvalPerson) are left out.
 *
 * Output: <out>.i16, per pair the target's then the source's 468 x 2 crop-pixel coordinates x 64, int16 LE.
 *
 *   npx tsx training/texture_distill_data.ts --data ../shared/data/faces-color --photos 800 --out .gpu/texture-distill
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEditor, PRESET_NAMES, UNIT_NAMES, UNITS, type Edit, type Face, type Photo, type Point3, type Reference } from '../src/engine/index';
import {
  alignedCropRect,
  applyAffine,
  cropPixelToImage,
  decodeImage,
  DEFAULT_CROP,
  invertAffine,
  nearestFace,
  padImage,
  textureTarget,
} from '../src/engine/tools';
import { readFacesCsv } from '../src/node/dataset';
import { isEvalPerson, modelSource } from '../src/node/eval-common';
import { pointWasmAtNodeModules } from '../src/node/platform';

const S = 128;
const REGIONS = ['brows', 'eyes', 'mouth', 'jaw'] as const;

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`missing ${name}`);
  return fallback;
}

async function main(): Promise<void> {
  const data = resolve(arg('--data'));
  const out = resolve(arg('--out'));
  const count = Number(arg('--photos', '800'));
  let seed = 7; // a fixed stream: the same pairs on every run
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  pointWasmAtNodeModules();
  const editor = await createEditor({ backends: ['wasm', 'cpu'], models: modelSource(), warmUp: false });
  const rows = readFacesCsv(data).filter((r) => !isEvalPerson(r.person));
  const step = Math.max(1, Math.floor(rows.length / count));
  const picked = rows.filter((_, i) => i % step === 3).slice(0, count);
  const recent: { face: Face; photo: Photo }[] = [];
  const pts: number[] = [];
  let pairs = 0;
  for (const row of picked) {
    let photo: Photo | undefined;
    try {
      const img = padImage(await decodeImage(readFileSync(join(data, 'images', row.image))), 40);
      photo = await editor.open(img);
      if (!photo.faces.length) throw new Error('no face');
      const face = await photo.face(nearestFace(photo.faces, [img.width / 2, img.height / 2]));
      const toCrop = invertAffine(cropPixelToImage(alignedCropRect(face.canonical.transform, DEFAULT_CROP), S));
      const onCrop = (p: readonly number[]) => applyAffine(toCrop, p);
      const asks: [Reference, object][] = PRESET_NAMES.map((p) => [{ preset: p }, {}]);
      asks.push(['neutral', {}]);
      for (const r of recent.slice(-2)) asks.push([r.face, {}]);
      const units: Record<string, number> = {};
      for (let k = 0; k < 3; k++) {
        const u = UNIT_NAMES[Math.floor(rnd() * UNIT_NAMES.length)];
        units[u] = UNITS[u].min + rnd() * (UNITS[u].max - UNITS[u].min);
      }
      const anyPreset = () => ({ preset: PRESET_NAMES[Math.floor(rnd() * PRESET_NAMES.length)] });
      asks.push([rnd() < 0.5 ? 'neutral' : anyPreset(), { units }]);
      const regions = REGIONS.filter(() => rnd() < 0.5);
      if (regions.length) asks.push([anyPreset(), { regions }]);
      for (const [ref, opts] of asks) {
        let edit: Edit | undefined;
        try {
          edit = await face.edit(ref, { ...opts, prepareTexture: false });
          const target = textureTarget(face.canonical.points, face.landmarks.points, edit.target(1) as Point3[]);
          for (const p of [...target, ...face.landmarks.points]) {
            const [x, y] = onCrop(p);
            pts.push(Math.round(x * 64), Math.round(y * 64));
          }
          pairs++;
        } catch {
          // a reference this face cannot take: left out
        } finally {
          edit?.dispose();
        }
      }
      recent.push({ face, photo });
      if (recent.length > 3) recent.shift()?.photo.dispose();
    } catch {
      photo?.dispose();
    }
  }
  const buf = Buffer.from(Int16Array.from(pts).buffer);
  writeFileSync(`${out}.i16`, buf);
  console.log(`${pairs} pairs from ${picked.length} photos -> ${out}.i16`);
  editor.dispose();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
