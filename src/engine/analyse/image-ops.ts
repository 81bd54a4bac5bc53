/** Pixel helpers shared by the stages. */
import * as tf from '@tensorflow/tfjs-core';
import type { RGBAImage } from '../types';

/** RGBA pixels as an [H, W, 3] float32 tensor of 0..255 values (alpha dropped). The caller disposes it. */
export function pixelsToTensor(img: RGBAImage): tf.Tensor3D {
  return tf.tidy(() => tf.cast(tf.browser.fromPixels({ data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), width: img.width, height: img.height }, 3), 'float32'));
}

/** Box-filter downscale by an integer factor (each output pixel is the mean of f x f input pixels). */
export function downscaleBox(img: RGBAImage, f: number): RGBAImage {
  if (f <= 1) return img;
  const w = Math.floor(img.width / f);
  const h = Math.floor(img.height / f);
  const out = new Uint8ClampedArray(w * h * 4);
  const acc = new Float64Array(w * 4);
  const n = f * f;
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let dy = 0; dy < f; dy++) {
      const row = (y * f + dy) * img.width * 4;
      for (let x = 0; x < w; x++) {
        let o = row + x * f * 4;
        for (let dx = 0; dx < f; dx++, o += 4) {
          acc[x * 4] += img.data[o]; acc[x * 4 + 1] += img.data[o + 1]; acc[x * 4 + 2] += img.data[o + 2]; acc[x * 4 + 3] += img.data[o + 3];
        }
      }
    }
    for (let i = 0; i < w * 4; i++) out[y * w * 4 + i] = acc[i] / n;
  }
  return { width: w, height: h, data: out };
}
