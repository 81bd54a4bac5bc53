/**
 * A clip for Chromium's fake camera (`--use-file-for-fake-video-capture=<file>.y4m`), made at test time from the
 * London fixtures: a person's neutral photo held, cross-faded into the same person's smile, the smile held, and
 * back (Chromium loops the file). Small (320x240 by default, a few frames a second) so it stays a few MB in a
 * temporary folder; it is never committed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';

export const LONDON = '../shared/fixtures/london';

export interface FakeCameraOptions {
  person?: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Frames of each phase: neutral held, fade in, smile held, fade out. */
  hold?: number;
  fade?: number;
}

/** The photo cropped to the clip's aspect around its centre (the face), box-filtered down to width x height, as RGB. */
function frameOf(path: string, width: number, height: number): Float32Array {
  const img = jpeg.decode(readFileSync(path), { useTArray: true, maxMemoryUsageInMB: 1024 });
  const cropW = img.width;
  const cropH = Math.round((img.width * height) / width);
  const y0 = Math.round((img.height - cropH) / 2);
  const s = cropW / width;
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sum = [0, 0, 0];
      let n = 0;
      for (let sy = Math.floor(y * s); sy < Math.floor((y + 1) * s); sy++) {
        for (let sx = Math.floor(x * s); sx < Math.floor((x + 1) * s); sx++) {
          const i = ((y0 + sy) * img.width + sx) * 4;
          for (let c = 0; c < 3; c++) sum[c] += img.data[i + c];
          n++;
        }
      }
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = sum[c] / n;
    }
  }
  return out;
}

/** One I420 frame (BT.601, limited range) of an RGB image. */
function i420(rgb: Float32Array, width: number, height: number): Buffer {
  const out = Buffer.alloc((width * height * 3) / 2);
  const at = (x: number, y: number, c: number) => rgb[(y * width + x) * 3 + c];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = Math.round(16 + 0.257 * at(x, y, 0) + 0.504 * at(x, y, 1) + 0.098 * at(x, y, 2));
  const u0 = width * height;
  const v0 = u0 + (width / 2) * (height / 2);
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      const m = (c: number) => (at(2 * x, 2 * y, c) + at(2 * x + 1, 2 * y, c) + at(2 * x, 2 * y + 1, c) + at(2 * x + 1, 2 * y + 1, c)) / 4;
      const [r, g, b] = [m(0), m(1), m(2)];
      out[u0 + y * (width / 2) + x] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      out[v0 + y * (width / 2) + x] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  return out;
}

/**
 * Writes the clip to `file`; returns each frame's smile weight (0 = the neutral photo, 1 = the smile), in the
 * file's order.
 */
export function writeFakeCamera(file: string, o: FakeCameraOptions = {}): number[] {
  const { person = '022', width = 320, height = 240, fps = 5, hold = 10, fade = 10 } = o;
  const neutral = frameOf(`${LONDON}/neutral/${person}.jpg`, width, height);
  const smile = frameOf(`${LONDON}/smiling/${person}.jpg`, width, height);
  const ramp = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) / (n + 1));
  const weights = [...Array(hold).fill(0), ...ramp(fade), ...Array(hold).fill(1), ...ramp(fade).reverse()];
  const chunks: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  const mix = new Float32Array(neutral.length);
  for (const w of weights) {
    for (let i = 0; i < mix.length; i++) mix[i] = neutral[i] * (1 - w) + smile[i] * w;
    chunks.push(Buffer.from('FRAME\n'), i420(mix, width, height));
  }
  writeFileSync(file, Buffer.concat(chunks));
  return weights;
}
