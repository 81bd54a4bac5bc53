/**
 * The expression texture's gains for a render session (texture.ts): one network run per new expression, and none
 * for a target that only changes how much of it each part of the face makes (a part slider, a region switched off).
 *
 * A part slider or a region mostly scales the motion where it acts, without turning it; and a frame at intensity a
 * already takes a times the gain at intensity 1 (edit.ts). So the gain of such a target is derived the same way
 * from a gain the network made for the same face (the base): scaled, cell by cell of the network's grid, by the
 * projection of the new motion on the base's, and zero where the base had no motion. Where that projection leaves
 * a large part of the new motion unexplained (a new direction, motion where the base had none), the network runs.
 *
 * The network is not linear in the motion's size, so a derived gain is off the network's own by a fraction of the
 * texture's change (docs/results.md). On a backend that computes off this thread the network therefore still runs
 * for it once the session has asked for no gain for a while, and replaces it: the frames and exports that follow
 * take the network's gain.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Point3 } from '../types';
import { applyAffine, type Affine2 } from './aligned-crop';
import { smoothstep } from './mouth-mask';
import type { TextureFields, TextureModel } from './texture';

/** The expression texture's gains, the last few kept with the targets they are for: an edit's frames share one. */
export interface TextureGains {
  /**
   * The texture gain for `target` (468 image points), from the kept ones when it is among them; `exact`: the
   * network's own, never one derived from another gain (an export: the file keeps what a derived gain misses).
   */
  gainFor(target: readonly Point3[], exact?: boolean): tf.Tensor4D;
  dispose(): void;
}

/** Gains kept: the network's own (room for every preset the app's thumbnails prepare, and the user's edit), and those derived from them. */
const KEPT_NETWORK = 8;
const KEPT_DERIVED = 4;

/** The projection's window, grid cells (Gaussian sigma): about the motion's own smoothness (the model's sigma). */
const PROJECTION_SIGMA = 3;
/** The largest scale a cell's gain takes from its base (the network's gain saturates; a part pushed far is new). */
const MAX_SCALE = 2;
/** The share of the new motion's energy the projection may leave unexplained before the network runs instead. */
export const MAX_UNEXPLAINED = 0.15;
/** How long no gain is asked for before a derived gain is replaced by the network's, ms. */
const EXACT_AFTER_MS = 1500;
/** tfjs backends whose kernels run on the calling thread: a background run would hold up the next frame. */
export const ON_THIS_THREAD: readonly string[] = ['cpu', 'wasm'];

/** 1-D Gaussian blur along rows (step 1) or columns (step n) of an n x n field, edges clamped. */
function blur1(src: Float64Array, n: number, sigma: number, alongRows: boolean): Float64Array {
  const r = Math.ceil(3 * sigma);
  const w = Array.from({ length: 2 * r + 1 }, (_, k) => Math.exp(-((k - r) ** 2) / (2 * sigma * sigma)));
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      let acc = 0;
      let ws = 0;
      for (let k = -r; k <= r; k++) {
        const a = alongRows ? i + k : j + k;
        if (a < 0 || a >= n) continue;
        acc += w[k + r] * src[alongRows ? j * n + a : a * n + i];
        ws += w[k + r];
      }
      out[j * n + i] = acc / ws;
    }
  return out;
}

const blur = (f: Float64Array, n: number, sigma: number) => blur1(blur1(f, n, sigma, true), n, sigma, false);

/**
 * How much of `base`'s motion each cell of the grid has in `next` ([n, n, 2] motions): the local least-squares scale
 * (m_next . m_base / |m_base|^2 over a Gaussian window of `sigma` cells, clamped to 0..MAX_SCALE), and the share of
 * `next`'s motion energy that this scaling leaves unexplained (0: all of it explained). Pure.
 */
export function projectMotion(base: Float32Array, next: Float32Array, n: number, sigma = PROJECTION_SIGMA): { scale: Float32Array; unexplained: number } {
  const dot = new Float64Array(n * n);
  const bb = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) {
    dot[k] = next[2 * k] * base[2 * k] + next[2 * k + 1] * base[2 * k + 1];
    bb[k] = base[2 * k] ** 2 + base[2 * k + 1] ** 2;
  }
  const [d, b] = [blur(dot, n, sigma), blur(bb, n, sigma)];
  // a floor on |m_base|^2: where the base hardly moved, its gain says nothing of what more motion would do
  const floor = 1e-4 * Math.max(...b);
  const scale = new Float32Array(n * n);
  let left = 0;
  let all = 0;
  for (let k = 0; k < n * n; k++) {
    const s = Math.min(MAX_SCALE, Math.max(0, d[k] / (b[k] + floor)));
    scale[k] = s;
    left += (next[2 * k] - s * base[2 * k]) ** 2 + (next[2 * k + 1] - s * base[2 * k + 1]) ** 2;
    all += next[2 * k] ** 2 + next[2 * k + 1] ** 2;
  }
  return { scale, unexplained: all > 0 ? left / all : 0 };
}

/** One kept gain; `odd` and `motion` (the network's output and input) for the network's own, which others derive from. */
interface Kept {
  target: Float64Array;
  gain: tf.Tensor4D;
  base?: { odd: tf.Tensor4D; motion: Float32Array };
  /** For a derived gain: its fields, for the network's run that replaces it. */
  fields?: TextureFields;
}

/** TextureGains of `model`, whose crop is `toCrop` of the image, for a face whose landmarks are `source`. */
export function textureGains(model: TextureModel, toCrop: Affine2, source: readonly Point3[]): TextureGains {
  const { grid: n } = model.config;
  /** Newest last. */
  const kept: Kept[] = [];
  const keep = (k: Kept) => {
    kept.push(k);
    const own = kept.filter((e) => e.base);
    const evict = own.length > KEPT_NETWORK ? own[0] : kept.length - own.length > KEPT_DERIVED ? kept.find((e) => !e.base) : undefined;
    if (!evict) return;
    kept.splice(kept.indexOf(evict), 1);
    tf.dispose([evict.gain, evict.base?.odd ?? []]);
  };
  const touch = (k: Kept) => {
    kept.splice(kept.indexOf(k), 1);
    kept.push(k);
  };
  /** The kept network gain whose motion best explains `motion`, when it explains enough of it. */
  const bestBase = (motion: Float32Array) => {
    let best: { k: Kept; scale: Float32Array; unexplained: number } | null = null;
    for (const k of kept) {
      if (!k.base) continue;
      const p = projectMotion(k.base.motion, motion, n);
      if (p.unexplained <= MAX_UNEXPLAINED && (!best || p.unexplained < best.unexplained)) best = { k, ...p };
    }
    return best;
  };
  /** The network's gain and output for `fields`, kept (the caller disposes). */
  const run = (fields: TextureFields) => {
    const odd = tf.keep(model.network(fields));
    const gain = tf.keep(tf.tidy(() => tf.mul(model.spread(odd, fields), movingSkin(model, fields.motion)) as tf.Tensor4D));
    return { gain, base: { odd, motion: fields.motion } };
  };
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Replaces the newest derived gain with the network's once no gain has been asked for EXACT_AFTER_MS. */
  const exactLater = () => {
    if (ON_THIS_THREAD.includes(tf.getBackend())) return;
    const at = asked;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const k = kept.at(-1); // the gain asked for last, the frame on screen
      if (k && asked === at) makeExact(k); // older derived gains stay: they were for slider positions the user has left
    }, EXACT_AFTER_MS);
  };
  /** A kept derived gain replaced by the network's own for its target. */
  const makeExact = (k: Kept) => {
    if (!k.fields) return;
    const fields = k.fields;
    k.fields = undefined;
    const old = k.gain;
    Object.assign(k, run(fields));
    old.dispose();
  };
  return {
    gainFor(target, exact = false) {
      asked++;
      const flat = Float64Array.from(target.flatMap((p) => [p[0], p[1]]));
      const hit = kept.find((g) => g.target.every((v, i) => v === flat[i]));
      if (hit) {
        touch(hit);
        if (exact) makeExact(hit);
        return hit.gain;
      }
      const onCrop = (p: Point3) => applyAffine(toCrop, p);
      const fields = model.fields(target.map(onCrop), source.map(onCrop)); // once: the network, the projection and the moving skin need them
      const base = exact ? null : bestBase(fields.motion);
      if (base) {
        touch(base.k);
        const odd = base.k.base?.odd as tf.Tensor4D;
        const scaled = () => tf.mul(odd, tf.tensor4d(base.scale, [1, n, n, 1])) as tf.Tensor4D;
        const gain = tf.keep(tf.tidy(() => tf.mul(model.spread(scaled(), fields), movingSkin(model, fields.motion)) as tf.Tensor4D));
        keep({ target: flat, gain, fields });
        exactLater();
        return gain;
      }
      const k = { target: flat, ...run(fields) };
      keep(k);
      return k.gain;
    },
    dispose() {
      clearTimeout(timer);
      for (const g of kept.splice(0)) tf.dispose([g.gain, g.base?.odd ?? []]);
    },
  };
}

/** Motion (crop pixels) under which the texture's gain fades out, and over which it is whole. */
const TEXTURE_MOTION: readonly [number, number] = [0.2, 0.8];

/**
 * 1 where the skin moves, fading to 0 where it stays ([1, S, S, 1]): the texture's gain is kept where the motion is.
 * The network also lights skin far from any motion (the chin under a brow raise), which then looks painted on.
 */
function movingSkin(model: TextureModel, motion: TextureFields['motion']): tf.Tensor4D {
  const { grid: n, size: S, motionScale } = model.config;
  const w = new Float32Array(n * n);
  for (let k = 0; k < n * n; k++) w[k] = smoothstep(TEXTURE_MOTION[0], TEXTURE_MOTION[1], Math.hypot(motion[2 * k], motion[2 * k + 1]) * motionScale);
  return tf.image.resizeBilinear(tf.tensor4d(w, [1, n, n, 1]), [S, S], false, true);
}
