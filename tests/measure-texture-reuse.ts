/**
 * How far a part slider's or a region's full frame, with its texture gain derived from the edit's base gain
 * (render/texture-gains.ts), lies from the same frame with the network run on its own target. Real models, tfjs CPU.
 *
 *   npx tsx tests/measure-texture-reuse.ts [--ids 007,009,...] [--sample] [--sigma 3]
 *
 * For each photo and change: the frame's difference inside the target's face oval (mean and 99th percentile over
 * pixels of the mean absolute RGB difference, grey levels), the gain's (mean and 99th percentile of the absolute
 * difference where either gain is non-zero, and their ratio to the exact gain's mean magnitude), the share of the
 * motion the projection leaves unexplained, and whether the network ran anyway (derived = no).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { createEditor, type Face } from '../src/engine/index';
import { createModelStore } from '../src/engine/tools';
import { fileByteSource, ROOT } from '../src/node/platform';
import { REGIONS, type Region } from '../src/engine/expression/target';
import type { UnitName } from '../src/engine/expression/units';
import { alignedCropRect, applyAffine, cropPixelToImage, DEFAULT_CROP, invertAffine } from '../src/engine/render/aligned-crop';
import { createRefiner } from '../src/engine/render/refine';
import { createRenderSession } from '../src/engine/render/session';
import { createTextureModel, type TextureModel } from '../src/engine/render/texture';
import { projectMotion, textureGains } from '../src/engine/render/texture-gains';
import { faceDiffs } from './helpers';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ids = (arg('--ids') ?? '007,009,043,125').split(',').filter(Boolean);
const sigma = arg('--sigma') ? Number(arg('--sigma')) : undefined;

type Change = { name: string; base: 'happy' | 'surprise' | 'sadness'; units?: Partial<Record<UnitName, number>>; off?: Region };
const CHANGES: Change[] = [
  { name: 'smile 0.6', base: 'happy', units: { lip_corner_pull: 0.6 } },
  { name: 'smile 0.9', base: 'happy', units: { lip_corner_pull: 0.9 } },
  { name: 'smile 0.9 cheeks 0.5', base: 'happy', units: { lip_corner_pull: 0.9, cheek_raise: 0.5 } },
  { name: 'smile 0.3', base: 'happy', units: { lip_corner_pull: 0.3 } },
  { name: 'smile 1.5', base: 'happy', units: { lip_corner_pull: 1.5 } },
  { name: 'cheeks 1.2', base: 'happy', units: { cheek_raise: 1.2 } },
  { name: 'eyes off', base: 'happy', off: 'eyes' },
  { name: 'brows off', base: 'happy', off: 'brows' },
  { name: 'jaw off', base: 'happy', off: 'jaw' },
  { name: 'mouth off', base: 'happy', off: 'mouth' },
  { name: 'inner brows 1.2', base: 'surprise', units: { inner_brow_raise: 1.2 } },
  { name: 'jaw drop 0', base: 'surprise', units: { jaw_drop: 0 } },
  { name: 'corners down 1.2', base: 'sadness', units: { lip_corner_depress: 1.2 } },
  { name: 'mouth off', base: 'sadness', off: 'mouth' },
];

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main() {
  const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
  const store = createModelStore(fileByteSource());
  const texture: TextureModel = await createTextureModel(store);
  const refiner = await createRefiner(store);
  const photos = ids.map((id) => ({ name: `London ${id}`, bytes: readFileSync(join(ROOT, '..', 'shared', 'fixtures', 'london', 'neutral', `${id}.jpg`)) }));
  if (process.argv.includes('--sample')) photos.push({ name: 'sample', bytes: readFileSync(join(ROOT, 'public', 'samples', 'astronaut.png')) });
  console.log('| photo | base | change | unexplained | derived | frame mean | frame p99 | gain mean | gain p99 | gain mean / exact mean |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const all: { frameMean: number; frameP99: number; derived: boolean }[] = [];
  for (const photo of photos) {
    const opened = await editor.open(new Uint8Array(photo.bytes));
    const face: Face = await opened.face(0);
    const toCrop = invertAffine(cropPixelToImage(alignedCropRect(face.canonical.transform, refiner.crop ?? DEFAULT_CROP), refiner.size));
    for (const c of CHANGES) {
      const baseEdit = await face.edit({ preset: c.base }, { prepareTexture: false });
      const edit = await face.edit(
        { preset: c.base },
        { prepareTexture: false, units: c.units, regions: c.off ? REGIONS.filter((r) => r !== c.off) : undefined },
      );
      const [t0, t1] = [baseEdit.target(1), edit.target(1)];
      // the gains: fresh (the network on t1) and derived (the network on t0, then t1)
      let runs = 0;
      const counting: TextureModel = {
        ...texture,
        network: (f) => {
          runs++;
          return texture.network(f);
        },
      };
      const exactG = textureGains(texture, toCrop, face.landmarks.points);
      const reuseG = textureGains(counting, toCrop, face.landmarks.points);
      reuseG.gainFor(t0);
      const ge = exactG.gainFor(t1).dataSync();
      const ga = reuseG.gainFor(t1).dataSync();
      const derived = runs === 1;
      const diffs: number[] = [];
      const mags: number[] = [];
      for (let i = 0; i < ge.length; i++) {
        if (ge[i] === 0 && ga[i] === 0) continue;
        diffs.push(Math.abs(ge[i] - ga[i]));
        mags.push(Math.abs(ge[i]));
      }
      const f0 = texture.fields(
        t0.map((p) => applyAffine(toCrop, p)),
        face.landmarks.points.map((p) => applyAffine(toCrop, p)),
      );
      const f1 = texture.fields(
        t1.map((p) => applyAffine(toCrop, p)),
        face.landmarks.points.map((p) => applyAffine(toCrop, p)),
      );
      const { unexplained } = projectMotion(f0.motion, f1.motion, texture.config.grid, sigma);
      exactG.dispose();
      reuseG.dispose();
      // the frames: a session that runs the network for t1, one that has the base's gain and derives t1's
      const exactS = await createRenderSession(opened.image, face, { refiner, texture });
      const reuseS = await createRenderSession(opened.image, face, { refiner, texture });
      await reuseS.prepareTexture(t0);
      const [pe, pa] = [await exactS.render(t1), await reuseS.render(t1)];
      exactS.dispose();
      reuseS.dispose();
      const fd = faceDiffs(pe, pa, t1);
      const row = { frameMean: mean(fd), frameP99: pct(fd, 0.99), derived };
      all.push(row);
      console.log(
        `| ${photo.name} | ${c.base} | ${c.name} | ${unexplained.toFixed(3)} | ${derived ? 'yes' : 'no'} | ${row.frameMean.toFixed(2)} | ${row.frameP99.toFixed(1)} | ${mean(diffs).toFixed(4)} | ${pct(diffs, 0.99).toFixed(4)} | ${(mean(diffs) / Math.max(mean(mags), 1e-9)).toFixed(2)} |`,
      );
      baseEdit.dispose();
      edit.dispose();
    }
    opened.dispose();
  }
  const d = all.filter((r) => r.derived);
  console.log(
    `\nderived ${d.length} of ${all.length}: frame mean ${mean(d.map((r) => r.frameMean)).toFixed(2)}, worst p99 ${Math.max(0, ...d.map((r) => r.frameP99)).toFixed(1)} grey levels`,
  );
  texture.dispose();
  refiner.dispose();
  editor.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
