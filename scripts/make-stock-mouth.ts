/**
 * public/models/leed/stock-mouths.json + stock-mouth-ID.jpg: the insides of smiling mouths that a preset opens on a
 * face whose own mouth is closed (src/engine/render/mouth-interior.ts), each face taking the one nearest its own
 * mouth and colouring (src/engine/render/stock-mouths.ts pickStock). Taken from the smiling photos of London fixtures
 * (Face Research Lab London Set, CC BY 4.0; the attribution travels in the JSON and in docs/README.md) whose teeth
 * show: 009 (upper and lower teeth, warm), 022 (a man's, less even, a gap between the front teeth), 126 (large,
 * bright teeth, dark skin) and 127 (an even row). 062's and 118's were tried and left out: the shade between 062's
 * upper teeth and lower lip, drawn into a taller opening, is a dark crescent; 118's crowded lower teeth, a grey smear.
 * A person's own neutral photo never takes their own stock (pickStock): an edit of an evaluation person is not
 * measured against the smile it took its teeth from. For each stock: a crop around the lips at the photo's own
 * resolution, with the 468 landmarks the engine finds on the whole photo (shifted into the crop), the whole photo's
 * white point (the crop's own would be the teeth), and, from the person's neutral photo of the same session (most
 * faces a stock goes on are neutral, and a smile narrows the eyes, which reads darker), the white of the eyes and the
 * traits the pick compares (mouthTraits).
 * Writes the manifest's sha256s.
 *
 *   npx tsx scripts/make-stock-mouth.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, encodeImage, type RGBAImage } from '../src/engine/index';
import { interOcular, LANDMARK_SETS, mouthTraits, scleraWhite, whitePoint } from '../src/engine/tools';
import { fileByteSource, pointWasmAtNodeModules, ROOT } from '../src/node/platform';

const IDS = ['009', '022', '126', '127'];
const MODELS = join(ROOT, 'public', 'models');
const LONDON = join(ROOT, '..', 'shared', 'fixtures', 'london');
pointWasmAtNodeModules();
const editor = await createEditor({ backends: ['wasm', 'cpu'], models: fileByteSource(), warmUp: false });
const round = (v: number, d = 3) => +v.toFixed(d);

/** The white of the eyes and the mouth traits in the person's neutral photo. */
async function neutralTraits(id: string) {
  const p = await editor.open(new Uint8Array(readFileSync(join(LONDON, 'neutral', `${id}.jpg`))));
  const f = await p.face(0);
  const sclera = scleraWhite(p.image, f.landmarks.points)?.map((v) => round(v, 1));
  const t = mouthTraits({ image: p.image, points: f.landmarks.points });
  p.dispose();
  const traits = {
    width: round(t.width),
    lips: round(t.lips),
    skinSclera: t.skinSclera === null ? null : round(t.skinSclera),
    skinWhite: round(t.skinWhite),
    red: round(t.red),
  };
  return { sclera, traits };
}

/** The crop around the lips of the person's smiling photo, as JPEG, and its entry in stock-mouths.json. */
async function stock(id: string) {
  const photo = await editor.open(new Uint8Array(readFileSync(join(LONDON, 'smiling', `${id}.jpg`))));
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
  const entry = {
    id,
    image: `stock-mouth-${id}.jpg`,
    whitePoint: whitePoint(img),
    ...(await neutralTraits(id)),
    points: pts.map((p) => [round(p[0] - x0, 2), round(p[1] - y0, 2), round(p[2], 1)]),
  };
  photo.dispose();
  console.log(`${id}: ${crop.width} x ${crop.height}, ${jpeg.length} bytes; traits ${JSON.stringify(entry.traits)}`);
  return { jpeg, entry };
}

const made = [];
for (const id of IDS) made.push(await stock(id));
const json = {
  comment:
    "The insides of smiling mouths for presets that open a closed mouth (src/engine/render/mouth-interior.ts; which one a face takes: src/engine/render/stock-mouths.ts): crops of the Face Research Lab London Set, smiling photos of the persons named by id; points: the 468 face-mesh landmarks found on the whole photo, in crop pixels; whitePoint: the whole photo's (98th percentile per channel); sclera: the white of the eyes (scleraWhite) and traits (mouthTraits) in the person's neutral photo of the same session. Made by scripts/make-stock-mouth.ts.",
  attribution:
    'DeBruine, Lisa; Jones, Benedict (2017): Face Research Lab London Set. figshare. Dataset. https://doi.org/10.6084/m9.figshare.5047666.v5 (CC BY 4.0)',
  mouths: made.map((m) => m.entry),
};
const text = `${JSON.stringify(json)}\n`;
const manifestPath = join(MODELS, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
for (const key of Object.keys(manifest.files)) if (key.startsWith('leed/stock-mouth')) delete manifest.files[key];
for (const m of made) {
  writeFileSync(join(MODELS, 'leed', m.entry.image), m.jpeg);
  manifest.files[`leed/${m.entry.image}`] = sha(m.jpeg);
}
writeFileSync(join(MODELS, 'leed', 'stock-mouths.json'), text);
manifest.files['leed/stock-mouths.json'] = sha(text);
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${made.length} stock mouths and stock-mouths.json (${text.length} bytes); manifest updated`);
editor.dispose();
