// Copies the third-party face models out of the @vladmandic/human npm package into public/models/human
// and checks every file against the pinned sha256 sums in public/models/manifest.json.
// Runs on `npm install` (postinstall) and before dev/build/test. Nothing is downloaded.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const humanDir = join(root, 'node_modules', '@vladmandic', 'human', 'models');
const outDir = join(root, 'public', 'models', 'human');
const manifest = JSON.parse(readFileSync(join(root, 'public', 'models', 'manifest.json'), 'utf8'));

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
mkdirSync(outDir, { recursive: true });
let copied = 0;
for (const [rel, expected] of Object.entries(manifest.files)) {
  if (!rel.startsWith('human/')) continue;
  const name = rel.slice('human/'.length);
  const src = join(humanDir, name);
  if (!existsSync(src)) throw new Error(`copy-models: ${src} is missing from @vladmandic/human`);
  const got = sha256(readFileSync(src));
  if (got !== expected) {
    throw new Error(
      `copy-models: ${name} has sha256 ${got}, manifest pins ${expected}. ` +
        'Was @vladmandic/human upgraded? Review the model and update public/models/manifest.json.',
    );
  }
  const dst = join(outDir, name);
  if (!existsSync(dst) || sha256(readFileSync(dst)) !== expected) {
    copyFileSync(src, dst);
    copied++;
  }
}
console.log(
  `copy-models: ${copied} file(s) copied, all ${Object.keys(manifest.files).filter((f) => f.startsWith('human/')).length} human model files verified`,
);
