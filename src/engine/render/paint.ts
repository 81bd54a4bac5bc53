/**
 * Stage 7, generate: the refiner's part of a render (session.ts). What is new in the target (its mouth opening, eyes
 * that close) is the paint region; the refiner runs on windows of the aligned crop around it (refine-windows.ts), a
 * new opening first filled with stretched lips as in its training, and what it paints in the mouth takes its colour
 * from the lips.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3 } from '../types';
import type { AlignedCropRect } from './aligned-crop';
import { closingWeight, eyeMask, eyeOpening, lipMask, paintRegion, STRETCH_CHROMA, type LipStretch } from './mouth-mask';
import type { Refiner, RefinerResult } from './refine';
import type { Rect } from './warp';

/** Chroma of a painted mouth interior as a fraction of the lips' (see mouthColour), by painted luminance. */
const MOUTH_CHROMA = { cavity: 0.8, teeth: 0.2, dark: 0.25, bright: 0.6 } as const;

/** BT.601 full-range YCbCr of an RGB 0..1 tensor [1, S, S, 3] (chroma centred on 0). */
function ycc(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const [r, g, b] = tf.split(x, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  return [
    tf.addN([tf.mul(r, 0.299), tf.mul(g, 0.587), tf.mul(b, 0.114)]) as tf.Tensor4D,
    tf.addN([tf.mul(r, -0.168736), tf.mul(g, -0.331264), tf.mul(b, 0.5)]) as tf.Tensor4D,
    tf.addN([tf.mul(r, 0.5), tf.mul(g, -0.418688), tf.mul(b, -0.081312)]) as tf.Tensor4D,
  ];
}

/** RGB 0..1 (clipped) of BT.601 full-range YCbCr tensors. */
function rgb(Y: tf.Tensor, Cb: tf.Tensor, Cr: tf.Tensor): tf.Tensor4D {
  const R = tf.add(Y, tf.mul(Cr, 1.402));
  const G = tf.sub(Y, tf.add(tf.mul(Cb, 0.344136), tf.mul(Cr, 0.714136)));
  const B = tf.add(Y, tf.mul(Cb, 1.772));
  return tf.clipByValue(tf.concat([R, G, B], 3), 0, 1) as tf.Tensor4D;
}

/** The sum of the values. */
export const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

const EYE_RINGS = [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing] as const;

/** How open each eye of `points` is (eyeOpening), right then left: a session measures its photo's once. */
export function eyeOpenings(points: readonly Point3[]): number[] {
  return EYE_RINGS.map((r) => eyeOpening(points, r));
}

/**
 * What is new in the target, as the masks the paint region grows from: its inner mouth (`mouthMask`, unless `mouth`
 * is false), then each of its eyes that closes from the photo's (`sourceEyes`: a lid must be painted over the eye).
 * The paint region is paintRegion of their maximum (paintOf).
 */
export function newContent(
  crop: AlignedCropRect,
  sourceEyes: readonly number[],
  target: readonly Point3[],
  mouthMask: Float32Array,
  mouth = true,
): Float32Array[] {
  const S = mouthMask.length ** 0.5;
  const w = EYE_RINGS.map((r, e) => closingWeight(sourceEyes[e], eyeOpening(target, r)));
  const parts = mouth ? [mouthMask] : [];
  if (w[0] > 0) parts.push(eyeMask(target, crop, S, [w[0], 0]));
  if (w[1] > 0) parts.push(eyeMask(target, crop, S, [0, w[1]]));
  return parts;
}

/** The paint region grown from the parts of newContent. */
export const paintOf = (parts: Float32Array[], S: number) =>
  paintRegion(parts.length > 1 ? parts.reduce((a, b) => a.map((x, k) => Math.max(x, b[k]))) : parts[0], S);

/**
 * A mouth that opens from closed lips: the warp's stretched lips inside it become the stretched lips the refiner
 * was trained to paint over (mouth-mask.ts lipStretchPlan / stretchLips, which this mirrors on tensors),
 * blended by `weight` (newOpeningWeight). [1, S, S, 3].
 */
export function stretchLips(c: tf.Tensor4D, plan: LipStretch, weight: number): tf.Tensor4D {
  const S = plan.size;
  const n = S * S;
  const flat = tf.reshape(c, [n, 3]);
  const va = tf.gather(flat, tf.tensor1d(plan.above, 'int32'));
  const vb = tf.gather(flat, tf.tensor1d(plan.below, 'int32'));
  const rgb = tf.mul(tf.add(va, tf.mul(tf.tensor2d(plan.t, [n, 1]), tf.sub(vb, va))), tf.tensor2d(plan.bow, [n, 1]));
  const y = tf.matMul(rgb, tf.tensor2d([0.299, 0.587, 0.114], [3, 1]));
  const fill = tf.add(y, tf.mul(tf.sub(rgb, y), STRETCH_CHROMA));
  const w = tf.mul(tf.tensor2d(plan.inside, [n, 1]), weight);
  return tf.reshape(tf.add(flat, tf.mul(w, tf.sub(fill, flat))), [1, S, S, 3]);
}

/**
 * The refiner on the crop `c` ([1, S, S, 3]), run on `windows` of it only (refine-windows.ts), its image and
 * attention placed back at S x S: outside the windows the image is `c` and the attention 1 (the warp kept),
 * which the paint blend leaves there anyway, as the windows hold the whole paint region.
 */
export function refineWindows(r: Refiner, c: tf.Tensor4D, mouthMask: Float32Array, windows: readonly Rect[]): RefinerResult {
  const S = r.size;
  if (windows.length === 1 && windows[0].width === S && windows[0].height === S) return r.refineWithMask(c, tf.tensor4d(mouthMask, [1, S, S, 1]));
  // One gather places every window (a gather's program depends on shapes only, not on where the windows are):
  // rows of the table are the crop's pixels (RGB, attention 1), then each window's (image, attention).
  const index = new Int32Array(S * S);
  for (let k = 0; k < S * S; k++) index[k] = k;
  const rows: tf.Tensor2D[] = [tf.concat([tf.reshape(c, [S * S, 3]), tf.ones([S * S, 1])], 1)];
  let next = S * S;
  for (const w of windows) {
    const mouth = new Float32Array(w.width * w.height);
    for (let v = 0; v < w.height; v++) {
      const row = (w.y + v) * S + w.x;
      mouth.set(mouthMask.subarray(row, row + w.width), v * w.width);
      for (let u = 0; u < w.width; u++) index[row + u] = next + v * w.width + u;
    }
    const out = r.refineWithMask(tf.slice(c, [0, w.y, w.x, 0], [1, w.height, w.width, 3]), tf.tensor4d(mouth, [1, w.height, w.width, 1]));
    rows.push(tf.reshape(tf.concat([out.image, out.mask], 3), [w.width * w.height, 4]));
    next += w.width * w.height;
  }
  const placed = tf.reshape(tf.gather(tf.concat(rows, 0), tf.tensor1d(index, 'int32')), [1, S, S, 4]);
  const [image, mask] = tf.split(placed, [3, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
  return { image, mask };
}

/**
 * Colour of a painted mouth interior. The refiner paints luminance only (it was trained on grayscale photos), and
 * the chroma it carries is the stretched lips' (faded), which leaves a grey band. Real mouth interiors take their
 * hue from the lips and the light of the photo: the dark cavity, gums and tongue are close to the lips' colour,
 * the teeth nearly neutral, slightly warm. So, where the network painted (1 - A) inside the opening, the chroma
 * becomes the lips' mean chroma (measured on the warped photo, between the outer and the inner lip contours),
 * scaled from MOUTH_CHROMA.cavity at dark pixels to MOUTH_CHROMA.teeth at bright ones; the painted luminance stays.
 */
export function mouthColour(
  crop: AlignedCropRect,
  image: tf.Tensor4D,
  mask: tf.Tensor4D,
  warpedCrop: tf.Tensor4D,
  target: readonly Point3[],
  mouthMask: Float32Array,
  S: number,
): tf.Tensor4D {
  const lips = lipMask(target, crop, S, mouthMask);
  const n = sum(lips);
  if (!(n > 4)) return image;
  const lipT = tf.tensor4d(lips, [1, S, S, 1]);
  const [cbW, crW] = ycc(warpedCrop).slice(1);
  const lipCb = tf.div(tf.sum(tf.mul(cbW, lipT)), n);
  const lipCr = tf.div(tf.sum(tf.mul(crW, lipT)), n);
  const [Y, Cb, Cr] = ycc(image);
  const t = tf.clipByValue(tf.div(tf.sub(Y, MOUTH_CHROMA.dark), MOUTH_CHROMA.bright - MOUTH_CHROMA.dark), 0, 1);
  const smooth = tf.mul(tf.mul(t, t), tf.sub(3, tf.mul(t, 2)));
  const scale = tf.add(MOUTH_CHROMA.cavity, tf.mul(smooth, MOUTH_CHROMA.teeth - MOUTH_CHROMA.cavity));
  const w = tf.mul(tf.tensor4d(paintRegion(mouthMask, S), [1, S, S, 1]), tf.sub(1, mask));
  const cb = tf.add(Cb, tf.mul(w, tf.sub(tf.mul(scale, lipCb), Cb)));
  const cr = tf.add(Cr, tf.mul(w, tf.sub(tf.mul(scale, lipCr), Cr)));
  return rgb(Y, cb, cr);
}
