/**
 * The interpolation every sampler (sampler.ts) shares, as typed-array loops and as tfjs ops: pixel centres at
 * integer coordinates, sample positions clamped to the image.
 * - bicubic Catmull-Rom (a = -0.5, 4 x 4 taps, clamp-to-edge addressing, the result clamped to 0..255;
 *   `sampleCubicInto`, `bicubicSample`) for the warp of the photo: where a pixel moves by a fraction of a pixel it
 *   keeps its sharpness, which bilinear sampling low-passes (tests/warp.test.ts compares the two);
 * - bilinear (`sampleInto`, `bilinearSample`) for the aligned crop (a low-resolution network input) and the
 *   paste-back (a 128 px painting blended in).
 * Both are exact at integer positions: a sample at a pixel gives that pixel.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Bilinear interpolation of `src` ([h*w, C]) at (x, y), clamped to the image, into out[o .. o+C). */
export function sampleInto(src: ArrayLike<number>, h: number, w: number, C: number, x: number, y: number, out: Float32Array, o: number): void {
  x = x < 0 ? 0 : Math.min(x, w - 1);
  y = y < 0 ? 0 : Math.min(y, h - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const x1 = x0 + 1 < w ? x0 + 1 : w - 1;
  const y1 = y0 + 1 < h ? y0 + 1 : h - 1;
  const i00 = (y0 * w + x0) * C;
  const i10 = (y0 * w + x1) * C;
  const i01 = (y1 * w + x0) * C;
  const i11 = (y1 * w + x1) * C;
  for (let c = 0; c < C; c++) {
    const top = src[i00 + c] + (src[i10 + c] - src[i00 + c]) * fx;
    const bottom = src[i01 + c] + (src[i11 + c] - src[i01 + c]) * fx;
    out[o + c] = top + (bottom - top) * fy;
  }
}

/**
 * Catmull-Rom (cubic convolution, a = -0.5) weights of the taps at -1, 0, 1, 2 for a fraction t in [0, 1):
 * (0, 1, 0, 0) exactly at t = 0, so sampling at a pixel gives the pixel exactly. The same expressions
 * (Horner form) in the tfjs ops, WGSL and GLSL versions.
 */
function cubicWeights(t: number, out: Float64Array): void {
  out[0] = ((-0.5 * t + 1) * t - 0.5) * t;
  out[1] = (1.5 * t - 2.5) * t * t + 1;
  out[2] = ((-1.5 * t + 2) * t + 0.5) * t;
  out[3] = (0.5 * t - 0.5) * t * t;
}

const cubicX = new Float64Array(4);
const cubicY = new Float64Array(4);
const cubicCols = new Int32Array(4);

/**
 * Bicubic (Catmull-Rom) interpolation of `src` ([h*w, C], 0..255) at (x, y), clamped to the image (the
 * position, then the taps: clamp-to-edge), the result clamped to 0..255, into out[o .. o+C). Exact at
 * integer positions. The warp's photo sampling; the crop and the paste use `sampleInto` (bilinear).
 */
export function sampleCubicInto(src: ArrayLike<number>, h: number, w: number, C: number, x: number, y: number, out: Float32Array, o: number): void {
  x = x < 0 ? 0 : Math.min(x, w - 1);
  y = y < 0 ? 0 : Math.min(y, h - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  cubicWeights(x - x0, cubicX);
  cubicWeights(y - y0, cubicY);
  for (let a = 0; a < 4; a++) {
    const xi = x0 - 1 + a;
    cubicCols[a] = Math.min(Math.max(xi, 0), w - 1) * C;
  }
  const [wx0, wx1, wx2, wx3] = cubicX;
  const [c0, c1, c2, c3] = cubicCols;
  for (let c = 0; c < C; c++) {
    let acc = 0;
    for (let b = 0; b < 4; b++) {
      const yi = y0 - 1 + b;
      const row = Math.min(Math.max(yi, 0), h - 1) * w * C + c;
      acc += cubicY[b] * (wx0 * src[row + c0] + wx1 * src[row + c1] + wx2 * src[row + c2] + wx3 * src[row + c3]);
    }
    out[o + c] = Math.min(Math.max(acc, 0), 255);
  }
}

/**
 * Bicubic (Catmull-Rom) gather in tfjs ops, as `sampleCubicInto`: samples `flat` (an h x w image with
 * C channels, 0..255, as [h*w, C]) at the points (xs[k], ys[k]) (pixel coordinates, clamped to the
 * image; the taps clamped to its edge) -> [N, C], clamped to 0..255. Sixteen gathers, accumulated one
 * row of taps at a time so that at most a few [N, C] temporaries are alive. Where a point is an exact
 * pixel, the result is that pixel's value exactly.
 */
export function bicubicSample(flat: tf.Tensor2D, h: number, w: number, xs: tf.Tensor1D, ys: tf.Tensor1D): tf.Tensor2D {
  const weights = (t: tf.Tensor1D): tf.Tensor2D[] =>
    [
      tf.mul(tf.sub(tf.mul(tf.add(tf.mul(t, -0.5), 1), t), 0.5), t),
      tf.add(tf.mul(tf.mul(tf.sub(tf.mul(t, 1.5), 2.5), t), t), 1),
      tf.mul(tf.add(tf.mul(tf.add(tf.mul(t, -1.5), 2), t), 0.5), t),
      tf.mul(tf.mul(tf.sub(tf.mul(t, 0.5), 0.5), t), t),
    ].map((v) => tf.expandDims(v, 1) as tf.Tensor2D);
  // int32 taps, clamped to the edge: int32 scalars, as a plain number would promote the indices to float32
  const taps = (t0: tf.Tensor1D, n: number): tf.Tensor1D[] =>
    [-1, 0, 1, 2].map((d) => tf.maximum(tf.minimum(tf.add(t0, tf.scalar(d, 'int32')), tf.scalar(n - 1, 'int32')), tf.scalar(0, 'int32')) as tf.Tensor1D);
  const [wx, cols, wy, rows] = tf.tidy(() => {
    const x = tf.clipByValue(xs, 0, w - 1);
    const y = tf.clipByValue(ys, 0, h - 1);
    const x0f = tf.floor(x);
    const y0f = tf.floor(y);
    const x0 = tf.cast(x0f, 'int32') as tf.Tensor1D;
    const y0 = tf.cast(y0f, 'int32') as tf.Tensor1D;
    const rowsOf = taps(y0, h).map((r) => tf.mul(r, tf.scalar(w, 'int32')) as tf.Tensor1D);
    return [weights(tf.sub(x, x0f)), taps(x0, w), weights(tf.sub(y, y0f)), rowsOf];
  });
  let acc: tf.Tensor2D | null = null;
  for (let b = 0; b < 4; b++) {
    const next: tf.Tensor2D = tf.tidy(() => {
      let row = tf.mul(tf.gather(flat, tf.add(rows[b], cols[0])), wx[0]);
      for (let a = 1; a < 4; a++) row = tf.add(row, tf.mul(tf.gather(flat, tf.add(rows[b], cols[a])), wx[a]));
      const term = tf.mul(row, wy[b]);
      return (acc ? tf.add(acc, term) : term) as tf.Tensor2D;
    });
    acc?.dispose();
    acc = next;
  }
  tf.dispose([...wx, ...cols, ...wy, ...rows]);
  const out = tf.clipByValue(acc!, 0, 255) as tf.Tensor2D;
  acc!.dispose();
  return out;
}

/**
 * Bilinear gather in tfjs ops: samples `flat` (an h x w image with C channels, as [h*w, C]) at the
 * points (xs[k], ys[k]) (pixel coordinates, clamped to the image) -> [N, C]. Where a point is an exact
 * pixel, the result is that pixel's value exactly.
 */
export function bilinearSample(flat: tf.Tensor2D, h: number, w: number, xs: tf.Tensor1D, ys: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.clipByValue(xs, 0, w - 1);
    const y = tf.clipByValue(ys, 0, h - 1);
    const x0f = tf.floor(x);
    const y0f = tf.floor(y);
    const fx = tf.expandDims(tf.sub(x, x0f), 1);
    const fy = tf.expandDims(tf.sub(y, y0f), 1);
    const x0 = tf.cast(x0f, 'int32');
    const y0 = tf.cast(y0f, 'int32');
    // int32 scalars: a plain number would promote the indices to float32
    const one = tf.scalar(1, 'int32');
    const wi = tf.scalar(w, 'int32');
    const x1 = tf.minimum(tf.add(x0, one), tf.scalar(w - 1, 'int32'));
    const row0 = tf.mul(y0, wi);
    const row1 = tf.mul(tf.minimum(tf.add(y0, one), tf.scalar(h - 1, 'int32')), wi);
    const v00 = tf.gather(flat, tf.add(row0, x0));
    const v10 = tf.gather(flat, tf.add(row0, x1));
    const v01 = tf.gather(flat, tf.add(row1, x0));
    const v11 = tf.gather(flat, tf.add(row1, x1));
    const top = tf.add(v00, tf.mul(tf.sub(v10, v00), fx));
    const bottom = tf.add(v01, tf.mul(tf.sub(v11, v01), fx));
    return tf.add(top, tf.mul(tf.sub(bottom, top), fy)) as tf.Tensor2D;
  });
}
