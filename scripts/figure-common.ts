/** Cells and grids of faces for the figures in docs/ (scripts/make-docs-figure.ts, scripts/make-units-sheet.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Face, RGBAImage } from '../src/engine/index';
import { ROOT } from '../src/node/platform';

export const LONDON = join(ROOT, '..', 'shared', 'fixtures', 'london');

/** The figures' photos: the sample portrait, then the neutral photos of London people `ids`. */
export function figurePhotos(ids: readonly string[]): Uint8Array[] {
  const read = (path: string) => new Uint8Array(readFileSync(path));
  return [read(join(ROOT, 'public', 'samples', 'astronaut.png')), ...ids.map((id) => read(join(LONDON, 'neutral', `${id}.jpg`)))];
}

export const CELL = 192;

/** A square cell around the face (landmarks' bounding box x `zoom`), resampled to `size` x `size` (box filter). */
export function faceCell(img: RGBAImage, face: Face, size = CELL, zoom = 1.35): RGBAImage {
  const xs = face.landmarks.points.map((p) => p[0]);
  const ys = face.landmarks.points.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const side = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) * zoom;
  const data = new Uint8ClampedArray(size * size * 4);
  const step = side / size;
  const n = Math.max(1, Math.round(step));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0];
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const sx = Math.min(img.width - 1, Math.max(0, Math.floor(cx - side / 2 + (x + (i + 0.5) / n) * step)));
          const sy = Math.min(img.height - 1, Math.max(0, Math.floor(cy - side / 2 + (y + (j + 0.5) / n) * step)));
          const o = (sy * img.width + sx) * 4;
          for (let c = 0; c < 3; c++) acc[c] += img.data[o + c];
        }
      }
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) data[o + c] = acc[c] / (n * n);
      data[o + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

/** Cells of equal size laid out in rows on white. */
export function grid(rows: RGBAImage[][]): RGBAImage {
  const size = rows[0][0].width;
  const cols = Math.max(...rows.map((r) => r.length));
  const width = cols * size;
  const height = rows.length * size;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      for (let y = 0; y < size; y++) data.set(cell.data.subarray(y * size * 4, (y + 1) * size * 4), ((r * size + y) * width + c * size) * 4);
    }),
  );
  return { width, height, data };
}
