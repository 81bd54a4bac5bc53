// Draws the app's install icons (public/icons/icon-192.png, icon-512.png: the web app manifest's, vite.config.ts):
// the favicon's blue disc with a smile, on the app's background, inside the maskable safe zone (the middle 80 %).
// Run once when the look changes: `node scripts/make-icons.mjs`; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
const BG = [0x0f, 0x12, 0x16];
const DISC = [0x4c, 0xc3, 0xff];
const INK = [0x0f, 0x12, 0x16];

/** Coverage of a pixel by a shape given as a signed distance (negative inside), 1 px antialiasing. */
const cover = (d) => Math.min(1, Math.max(0, 0.5 - d));

function icon(size) {
  const png = new PNG({ width: size, height: size });
  const c = size / 2;
  const r = size * 0.36; // the disc stays inside the safe zone's circle (0.4 of the size)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5 - c;
      const py = y + 0.5 - c;
      const disc = cover(Math.hypot(px, py) - r);
      // eyes: two dots; mouth: the lower half of a ring
      const eye = Math.max(cover(Math.hypot(px + r * 0.35, py + r * 0.25) - r * 0.1), cover(Math.hypot(px - r * 0.35, py + r * 0.25) - r * 0.1));
      const ring = Math.abs(Math.hypot(px, py + r * 0.05) - r * 0.5) - r * 0.07;
      const mouth = py > -r * 0.05 + r * 0.15 ? cover(ring) : 0;
      const ink = Math.max(eye, mouth) * disc;
      const i = (y * size + x) * 4;
      for (let k = 0; k < 3; k++) {
        const base = BG[k] + (DISC[k] - BG[k]) * disc;
        png.data[i + k] = Math.round(base + (INK[k] - base) * ink);
      }
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

mkdirSync(outDir, { recursive: true });
for (const size of [192, 512]) writeFileSync(join(outDir, `icon-${size}.png`), icon(size));
console.log(`make-icons: wrote ${outDir}/icon-192.png and icon-512.png`);
