/** Pixel helpers shared by the stages. */
import * as tf from '@tensorflow/tfjs-core';
import type { RGBAImage } from '../types';

/** RGBA pixels as an [H, W, 3] float32 tensor of 0..255 values (alpha dropped). The caller disposes it. */
export function pixelsToTensor(img: RGBAImage): tf.Tensor3D {
  return tf.tidy(() =>
    tf.cast(
      tf.browser.fromPixels({ data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), width: img.width, height: img.height }, 3),
      'float32',
    ),
  );
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
          acc[x * 4] += img.data[o];
          acc[x * 4 + 1] += img.data[o + 1];
          acc[x * 4 + 2] += img.data[o + 2];
          acc[x * 4 + 3] += img.data[o + 3];
        }
      }
    }
    for (let i = 0; i < w * 4; i++) out[y * w * 4 + i] = acc[i] / n;
  }
  return { width: w, height: h, data: out };
}

/**
 * A `w` x `h` pixel cut of `img` starting at (x0, y0) (integers, may lie outside the image), each
 * output pixel the mean of f x f input pixels: output pixel (i, j) covers input pixels
 * [x0 + i*f, x0 + (i+1)*f) x [y0 + j*f, y0 + (j+1)*f), so its centre is input pixel x0 + i*f + (f-1)/2.
 * Pixels outside the image repeat its nearest edge pixel (as the 'nearest' fill of tf.image.transform).
 * Runs on the CPU over the cut only: the full-resolution photo never becomes a tensor.
 */
export function cutRegion(img: RGBAImage, x0: number, y0: number, w: number, h: number, f = 1): RGBAImage {
  const out = new Uint8ClampedArray(w * h * 4);
  const W = img.width;
  const H = img.height;
  const src = img.data;
  const cols = new Int32Array(w * f);
  for (let i = 0; i < w * f; i++) cols[i] = Math.min(W - 1, Math.max(0, x0 + i)) * 4;
  const acc = new Float64Array(w * 3);
  const n = f * f;
  for (let j = 0; j < h; j++) {
    acc.fill(0);
    for (let dy = 0; dy < f; dy++) {
      const row = Math.min(H - 1, Math.max(0, y0 + j * f + dy)) * W * 4;
      for (let i = 0, c = 0; i < w; i++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let dx = 0; dx < f; dx++, c++) {
          const o = row + cols[c];
          r += src[o];
          g += src[o + 1];
          b += src[o + 2];
        }
        acc[i * 3] += r;
        acc[i * 3 + 1] += g;
        acc[i * 3 + 2] += b;
      }
    }
    let o = j * w * 4;
    for (let i = 0; i < w; i++, o += 4) {
      out[o] = acc[i * 3] / n;
      out[o + 1] = acc[i * 3 + 1] / n;
      out[o + 2] = acc[i * 3 + 2] / n;
      out[o + 3] = 255;
    }
  }
  return { width: w, height: h, data: out };
}
