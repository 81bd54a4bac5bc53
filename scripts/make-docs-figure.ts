/**
 * docs/presets.png: the sample portrait under presets, warp + refiner, at intensity 1, face region
 * enlarged. Top row: face crops; the full edited photos are written as docs/presets-<name>.png.
 * Usage: npx tsx scripts/make-docs-figure.ts [preset ...]   (default: neutral surprise sadness anger)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { createEditor, PRESET_NAMES, type PresetName, type Reference, type RGBAImage } from '../src/engine/index';
import { fileByteSource, ROOT } from '../src/node/platform';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['neutral', 'surprise', 'sadness', 'anger'];
for (const name of names) {
  if (name !== 'neutral' && !PRESET_NAMES.includes(name as PresetName)) {
    console.error(`unknown preset ${name}; presets: neutral ${PRESET_NAMES.join(' ')}`);
    process.exit(2);
  }
}
const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
const photo = await editor.open(readFileSync(`${ROOT}/public/samples/astronaut.png`));
const face = await photo.face(0);
const panels: { label: string; img: RGBAImage }[] = [{ label: 'original', img: photo.image }];
for (const name of names) {
  const reference: Reference = name === 'neutral' ? 'neutral' : { preset: name as PresetName };
  const edit = await face.edit(reference);
  for (const refiner of [false, true]) {
    const img = await edit.renderFull(1, { refiner });
    panels.push({ label: `${name}${refiner ? '' : ' (warp only)'}`, img });
    if (refiner)
      writeFileSync(
        `${ROOT}/docs/presets-${name}.png`,
        PNG.sync.write(Object.assign(new PNG({ width: img.width, height: img.height }), { data: Buffer.from(img.data) })),
      );
  }
  edit.dispose();
}
// Face crop: a square around the landmarks, enlarged 2x (nearest), panels side by side.
const xs = face.landmarks.points.map((p) => p[0]);
const ys = face.landmarks.points.map((p) => p[1]);
const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
const side = Math.round((Math.max(...xs) - Math.min(...xs)) * 1.5);
const x0 = Math.round(cx - side / 2);
const y0 = Math.round(cy - side / 2);
const Z = 2;
const W = side * Z;
const out = new PNG({ width: W * panels.length, height: W });
panels.forEach(({ img }, k) => {
  for (let y = 0; y < W; y++)
    for (let x = 0; x < W; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, x0 + Math.floor(x / Z)));
      const sy = Math.min(img.height - 1, Math.max(0, y0 + Math.floor(y / Z)));
      const s = (sy * img.width + sx) * 4;
      const o = (y * out.width + k * W + x) * 4;
      out.data[o] = img.data[s];
      out.data[o + 1] = img.data[s + 1];
      out.data[o + 2] = img.data[s + 2];
      out.data[o + 3] = 255;
    }
});
writeFileSync(`${ROOT}/docs/presets.png`, PNG.sync.write(out));
console.log('docs/presets.png panels:', panels.map((p) => p.label).join(' | '));
photo.dispose();
editor.dispose();
