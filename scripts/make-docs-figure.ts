/**
 * docs/presets.png: the sample portrait under presets, warp + refiner, at intensity 1, face region
 * enlarged. Top row: face crops; the full edited photos are written as docs/presets-<name>.png.
 * Usage: npx tsx scripts/make-docs-figure.ts [preset ...]   (default: neutral surprise sadness anger)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { createEditor } from '../src/engine/analyse/analyser';
import { createDisentangler } from '../src/engine/expression/disentangle';
import { createRefiner } from '../src/engine/render/refine';
import { createRenderSession } from '../src/engine/render/session';
import { fromCanonical } from '../src/engine/analyse/manifold';
import { loadPresets, targetCanonical, type PresetName } from '../src/engine/expression/target';
import type { RGBAImage } from '../src/engine/types';
import { fileByteSource, ROOT } from '../src/node/platform';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['neutral', 'surprise', 'sadness', 'anger'];
const editor = await createEditor({ backends: ['cpu'], modelSource: fileByteSource() });
const [dis, presets, refiner] = await Promise.all([createDisentangler(editor.store), loadPresets(editor.store), createRefiner(editor.store)]);
const photo = await editor.open(readFileSync(`${ROOT}/public/samples/astronaut.png`));
const face = await photo.face(0);
const n = await dis.neutral(face.canonical.points);
const session = await createRenderSession(photo.image, face, { refiner });
const panels: { label: string; img: RGBAImage }[] = [{ label: 'original', img: photo.image }];
for (const name of names) {
  const d = name === 'neutral' ? null : presets.fitted(name as PresetName, n);
  const target = fromCanonical(targetCanonical(face.canonical.points, n, d, 1), face.canonical.transform);
  for (const useRefiner of [false, true]) {
    const img = await session.renderFull(target, { useRefiner });
    panels.push({ label: `${name}${useRefiner ? '' : ' (warp only)'}`, img });
    if (useRefiner) writeFileSync(`${ROOT}/docs/presets-${name}.png`, PNG.sync.write(Object.assign(new PNG({ width: img.width, height: img.height }), { data: Buffer.from(img.data) })));
  }
}
// Face crop: a square around the landmarks, enlarged 2x (nearest), panels side by side.
const xs = face.landmarks.points.map((p) => p[0]); const ys = face.landmarks.points.map((p) => p[1]);
const cx = (Math.min(...xs) + Math.max(...xs)) / 2; const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
const side = Math.round((Math.max(...xs) - Math.min(...xs)) * 1.5);
const x0 = Math.round(cx - side / 2); const y0 = Math.round(cy - side / 2);
const Z = 2; const W = side * Z;
const out = new PNG({ width: W * panels.length, height: W });
panels.forEach(({ img }, k) => {
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
    const sx = Math.min(img.width - 1, Math.max(0, x0 + Math.floor(x / Z))); const sy = Math.min(img.height - 1, Math.max(0, y0 + Math.floor(y / Z)));
    const s = (sy * img.width + sx) * 4; const o = (y * out.width + k * W + x) * 4;
    out.data[o] = img.data[s]; out.data[o + 1] = img.data[s + 1]; out.data[o + 2] = img.data[s + 2]; out.data[o + 3] = 255;
  }
});
writeFileSync(`${ROOT}/docs/presets.png`, PNG.sync.write(out));
console.log('docs/presets.png panels:', panels.map((p) => p.label).join(' | '));
session.dispose(); photo.dispose();
