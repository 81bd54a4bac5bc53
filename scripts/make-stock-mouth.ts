/**
 * public/models/leed/stock-mouth.jpg + stock-mouth.json: the inside of a smiling mouth that a preset opens on a face
 * whose own mouth is closed (src/engine/render/mouth-interior.ts). Taken from London fixture 127's smiling photo
 * (Face Research Lab London Set, CC BY 4.0; the attribution travels in the JSON and in docs/README.md): a crop around
 * her lips at the photo's own resolution, with the 468 landmarks the engine finds on the whole photo (shifted into
 * the crop), the whole photo's white point (the crop's own would be her teeth) and the white of her eyes. Writes the manifest's sha256s.
 *
 *   npx tsx scripts/make-stock-mouth.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, encodeImage, type RGBAImage } from '../src/engine/index';
import { interOcular, LANDMARK_SETS, scleraWhite, whitePoint } from '../src/engine/tools';
import { fileByteSource, pointWasmAtNodeModules, ROOT } from '../src/node/platform';

const ID = '127';
const MODELS = join(ROOT, 'public', 'models');
pointWasmAtNodeModules();
const editor = await createEditor({ backends: ['wasm', 'cpu'], models: fileByteSource(), warmUp: false });
const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, '..', 'shared', 'fixtures', 'london', 'smiling', `${ID}.jpg`))));
const face = await photo.face(0);
const img = photo.image;
const pts = face.landmarks.points;
const pad = 0.2 * interOcular(pts);
const lips = LANDMARK_SETS.outerLipRing.map((i) => pts[i]);
const x0 = Math.max(0, Math.floor(Math.min(...lips.map((p) => p[0])) - pad));
const y0 = Math.max(0, Math.floor(Math.min(...lips.map((p) => p[1])) - pad));
const x1 = Math.min(img.width, Math.ceil(Math.max(...lips.map((p) => p[0])) + pad));
const y1 = Math.min(img.height, Math.ceil(Math.max(...lips.map((p) => p[1])) + pad));
const crop: RGBAImage = { width: x1 - x0, height: y1 - y0, data: new Uint8ClampedArray((x1 - x0) * (y1 - y0) * 4) };
for (let y = y0; y < y1; y++) crop.data.set(img.data.subarray((y * img.width + x0) * 4, (y * img.width + x1) * 4), (y - y0) * crop.width * 4);
const jpeg = (await encodeImage(crop, 'jpeg', 0.92)) as Uint8Array;
/** The white of her eyes in her neutral photo (same session and light): most faces the stock goes on have open eyes. */
async function neutralSclera(): Promise<number[] | undefined> {
  const p = await editor.open(new Uint8Array(readFileSync(join(ROOT, '..', 'shared', 'fixtures', 'london', 'neutral', `${ID}.jpg`))));
  const f = await p.face(0);
  const s = scleraWhite(p.image, f.landmarks.points)?.map((v) => +v.toFixed(1));
  p.dispose();
  return s;
}
const json = {
  comment:
    "The inside of a smiling mouth for presets that open a closed mouth (src/engine/render/mouth-interior.ts): a crop of the Face Research Lab London Set, person 127, smiling photo; points: the 468 face-mesh landmarks found on the whole photo, in crop pixels; whitePoint: the whole photo's (98th percentile per channel); sclera: the white of her eyes (scleraWhite) in her neutral photo of the same session (a smile narrows the eyes, which reads darker). Made by scripts/make-stock-mouth.ts.",
  attribution:
    'DeBruine, Lisa; Jones, Benedict (2017): Face Research Lab London Set. figshare. Dataset. https://doi.org/10.6084/m9.figshare.5047666.v5 (CC BY 4.0)',
  whitePoint: whitePoint(img),
  sclera: await neutralSclera(),
  points: pts.map((p) => [+(p[0] - x0).toFixed(2), +(p[1] - y0).toFixed(2), +p[2].toFixed(2)]),
};
const text = `${JSON.stringify(json)}\n`;
writeFileSync(join(MODELS, 'leed', 'stock-mouth.jpg'), jpeg);
writeFileSync(join(MODELS, 'leed', 'stock-mouth.json'), text);
const manifestPath = join(MODELS, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
manifest.files['leed/stock-mouth.jpg'] = sha(jpeg);
manifest.files['leed/stock-mouth.json'] = sha(text);
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote stock-mouth.jpg (${crop.width} x ${crop.height}, ${jpeg.length} bytes) and stock-mouth.json; manifest updated`);
photo.dispose();
editor.dispose();
