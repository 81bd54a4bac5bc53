/**
 * Stage 7c', expression texture: what an expression does to the skin's shading, which a warp cannot move in or
 * out (the bright apples of raised cheeks, the nasolabial folds, the lids), as a gain on the aligned crop:
 * crop * (1 + gain). Mirrors training/texture_common.py (tests/texture.test.ts checks it against PyTorch).
 *
 * The network sees no pixels, only the motion (where each crop pixel of the target comes from in the source,
 * interpolated from the landmarks with Gaussian weights) and M, the skin it may change (the face, less the mouth
 * and the eyeballs). It was trained label-free on pairs of photos of one person (training/texture_train.py).
 * What it learned holds a part that does not depend on the motion's direction (any two photos differ in
 * contrast); the app takes only the odd part, (net(M, motion) - net(M, -motion)) / 2: smiling brightens the
 * cheeks and darkens the folds, neutralizing does the reverse, and no motion (intensity 0) changes nothing.
 * The shipped network is a student distilled from that one (training/texture_distill.py) in a form that is odd by
 * construction, so one run gives the odd part (TextureConfig.form).
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import { LANDMARK_SETS } from '../landmark-sets';
import type { ModelStore } from '../runtime/models';
import type { Point2 } from '../types';
import { smoothstep } from './mouth-mask';
import { checkLayers, unetLayers } from './unet';
import { insidePolygon, ringBox } from './warp';

export const TEXTURE_PATH = 'leed/texture.json';

const LAYERS = ['e1a', 'e1b', 'e2a', 'e2b', 'e3a', 'e3b', 'd2a', 'd2b', 'd1a', 'd1b', 'out'] as const;
type Layer = (typeof LAYERS)[number];

interface TextureConfig {
  size: number;
  grid: number;
  sigma: number;
  eps: number;
  motionScale: number;
  mouthMargin: number;
  mouthFade: [number, number];
  eyeFade: [number, number];
  /** The gain fades in over this distance inside the face oval (crop pixels): 0 on the outline. */
  edge: number;
  /** The odd part of the network's gain is scaled by this (1 = as trained). */
  strength: number;
  /**
   * 'plain': a U-Net of the motion and M, whose odd part takes two runs (both signs of the motion, one batch).
   * 'product': odd by construction in one run: the U-Net sees only what does not change with the motion's sign (M,
   * the motion's squares) and gives coefficients for the motion itself at three scales (training/texture_common.py).
   */
  form: 'plain' | 'product';
}

export interface TextureFields {
  /** M, S x S: the skin the network is told it may change. */
  mask: Float32Array;
  /** Where the gain is applied, S x S: M, faded to 0 at the face oval (M reaches past it onto the background). */
  apply: Float32Array;
  /** The network's motion input, [grid, grid, 2] (x, y), already divided by motionScale. */
  motion: Float32Array;
}

export interface TextureModel {
  readonly config: Readonly<TextureConfig>;
  /** M and the motion for target and source landmarks in crop pixels of an S x S crop (pixel centres at integers). Pure. */
  fields(target: readonly Point2[], source: readonly Point2[]): TextureFields;
  /**
   * The gain, [1, S, S, 3] (0 where M is 0): the crop becomes crop * (1 + gain). Synchronous tfjs ops; the caller
   * disposes. `fields`: this target's and source's, when the caller has them already.
   */
  gain(target: readonly Point2[], source: readonly Point2[], fields?: TextureFields): tf.Tensor4D;
  /**
   * The network's run on `fields`: the odd part of its gain on its grid, [1, n, n, 3], before `spread`. Every gain
   * comes from here (a wrapper that counts its calls counts the network's runs). Synchronous tfjs ops; the caller disposes.
   */
  network(fields: TextureFields): tf.Tensor4D;
  /** An odd part on the grid ([1, n, n, 3]) as a gain on the crop, [1, S, S, 3], 0 where `fields` apply none. */
  spread(odd: tf.Tensor4D, fields: TextureFields): tf.Tensor4D;
  dispose(): void;
}

/** 1 inside the ellipse of the box of `ring`'s points (grown by `margin`), fading to 0 over `fade` (radius squared). */
function ellipseInside(pts: readonly Point2[], ring: readonly number[], margin: number, fade: readonly [number, number], S: number): Float32Array {
  const { x0, y0, x1, y1 } = ringBox(pts, ring);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const ax = Math.max((x1 - x0) / 2 + margin, 1);
  const ay = Math.max((y1 - y0) / 2 + margin, 1);
  const out = new Float32Array(S * S);
  for (let v = 0; v < S; v++) for (let u = 0; u < S; u++) out[v * S + u] = 1 - smoothstep(fade[0], fade[1], ((u - cx) / ax) ** 2 + ((v - cy) / ay) ** 2);
  return out;
}

/**
 * 0 outside the closed polygon `ring` of `pts` (even-odd rule at pixel centres), rising inside it to 1 at `fade`
 * pixels from the outline (smoothstep of the distance). training/texture_common.py edge_mask.
 */
function insideFaded(pts: readonly Point2[], ring: readonly number[], fade: number, S: number): Float32Array {
  const out = new Float32Array(S * S);
  const K = ring.length;
  const xs = ring.map((k) => pts[k][0]);
  const ys = ring.map((k) => pts[k][1]);
  const [u0, u1] = [Math.max(0, Math.floor(Math.min(...xs))), Math.min(S - 1, Math.ceil(Math.max(...xs)))];
  const [v0, v1] = [Math.max(0, Math.floor(Math.min(...ys))), Math.min(S - 1, Math.ceil(Math.max(...ys)))];
  for (let v = v0; v <= v1; v++)
    for (let u = u0; u <= u1; u++) {
      if (!insidePolygon(xs, ys, u, v)) continue;
      let best = Infinity;
      for (let k = 0; k < K; k++) {
        const [ax, ay] = [xs[k], ys[k]];
        const ex = xs[(k + 1) % K] - ax;
        const ey = ys[(k + 1) % K] - ay;
        const t = Math.min(1, Math.max(0, ((u - ax) * ex + (v - ay) * ey) / Math.max(ex * ex + ey * ey, 1e-9)));
        best = Math.min(best, (u - ax - t * ex) ** 2 + (v - ay - t * ey) ** 2);
      }
      out[v * S + u] = smoothstep(0, fade, Math.sqrt(best));
    }
  return out;
}

/** Bilinear resize of an n x n x c field to S x S (half-pixel centres, edges clamped), as PyTorch's align_corners=False. */
function resize(src: Float32Array, n: number, c: number, S: number): Float32Array {
  const out = new Float32Array(S * S * c);
  const r = n / S;
  for (let v = 0; v < S; v++) {
    const y = Math.max(0, (v + 0.5) * r - 0.5);
    const j0 = Math.min(Math.floor(y), n - 1);
    const j1 = Math.min(j0 + 1, n - 1);
    const fy = y - j0;
    for (let u = 0; u < S; u++) {
      const x = Math.max(0, (u + 0.5) * r - 0.5);
      const i0 = Math.min(Math.floor(x), n - 1);
      const i1 = Math.min(i0 + 1, n - 1);
      const fx = x - i0;
      for (let k = 0; k < c; k++) {
        const a = src[(j0 * n + i0) * c + k] * (1 - fx) + src[(j0 * n + i1) * c + k] * fx;
        const b = src[(j1 * n + i0) * c + k] * (1 - fx) + src[(j1 * n + i1) * c + k] * fx;
        out[(v * S + u) * c + k] = a * (1 - fy) + b * fy;
      }
    }
  }
  return out;
}

/** M and the network's motion (training/texture_common.py fields). Pure. */
function textureFields(cfg: TextureConfig, target: readonly Point2[], source: readonly Point2[]): TextureFields {
  const { size: S, grid: n, sigma, eps } = cfg;
  const step = S / n;
  const cov = new Float32Array(n * n);
  const motion = new Float32Array(n * n * 2);
  const k2 = 1 / (2 * sigma * sigma);
  const cut = 9 * 2 * sigma * sigma; // weights below exp(-9) (1e-4) are left out
  for (let j = 0; j < n; j++) {
    const gy = (j + 0.5) * step - 0.5;
    for (let i = 0; i < n; i++) {
      const gx = (i + 0.5) * step - 0.5;
      let w = 0;
      let mx = 0;
      let my = 0;
      for (let k = 0; k < target.length; k++) {
        const d2 = (gx - target[k][0]) ** 2 + (gy - target[k][1]) ** 2;
        if (d2 > cut) continue;
        const g = Math.exp(-d2 * k2);
        w += g;
        mx += g * (source[k][0] - target[k][0]);
        my += g * (source[k][1] - target[k][1]);
      }
      cov[j * n + i] = w;
      motion[(j * n + i) * 2] = mx / (w + eps) / cfg.motionScale;
      motion[(j * n + i) * 2 + 1] = my / (w + eps) / cfg.motionScale;
    }
  }
  const face = resize(cov, n, 1, S);
  const mouth = ellipseInside(target, LANDMARK_SETS.outerLipRing, cfg.mouthMargin, cfg.mouthFade, S);
  const eyeR = ellipseInside(target, LANDMARK_SETS.rightEyeRing, 0, cfg.eyeFade, S);
  const eyeL = ellipseInside(target, LANDMARK_SETS.leftEyeRing, 0, cfg.eyeFade, S);
  const inner = insideFaded(target, LANDMARK_SETS.faceOval, cfg.edge, S);
  const mask = new Float32Array(S * S);
  const apply = new Float32Array(S * S);
  for (let p = 0; p < S * S; p++) {
    mask[p] = smoothstep(0.3, 1.0, face[p]) * (1 - mouth[p]) * (1 - Math.max(eyeR[p], eyeL[p]));
    apply[p] = mask[p] * inner[p];
  }
  return { mask, apply, motion };
}

interface TextureJSON {
  format?: string;
  config?: Partial<Omit<TextureConfig, 'form'>> & { channels?: number[]; form?: string };
}

export async function createTextureModel(store: ModelStore, path: string = TEXTURE_PATH): Promise<TextureModel> {
  const { json, weights } = await store.loadWeights(path);
  const c = (json as TextureJSON).config;
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  try {
    if (
      (json as TextureJSON).format !== 'leed-texture' ||
      !c ||
      ![c.size, c.grid, c.sigma, c.eps, c.motionScale, c.mouthMargin].every(num) ||
      !num(c.edge) ||
      !Array.isArray(c.mouthFade) ||
      !Array.isArray(c.eyeFade) ||
      ![undefined, 'plain', 'product'].includes(c.form)
    )
      throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: not a leed-texture model`);
    checkLayers(weights, LAYERS, path);
  } catch (e) {
    tf.dispose(weights);
    throw e;
  }
  const config: TextureConfig = {
    size: c.size as number,
    grid: c.grid as number,
    sigma: c.sigma as number,
    eps: c.eps as number,
    motionScale: c.motionScale as number,
    mouthMargin: c.mouthMargin as number,
    mouthFade: [...(c.mouthFade as [number, number])],
    eyeFade: [...(c.eyeFade as [number, number])],
    edge: c.edge as number,
    strength: num(c.strength) ? (c.strength as number) : 1,
    form: c.form === 'product' ? 'product' : 'plain',
  };
  const S = config.size;
  const n = config.grid;
  let disposed = false;
  const { conv, block, down, up: up2, cat } = unetLayers<Layer>(weights);

  /** [N, n, n, 2] motion, [N, S, S, 1] M -> gain at n x n, [N, n, n, 3] (before the resize to S). */
  function network(motion: tf.Tensor4D, m: tf.Tensor4D): tf.Tensor4D {
    const mGrid = tf.avgPool(m, S / n, S / n, 'valid') as tf.Tensor4D;
    const product = config.form === 'product';
    const even = () => {
      const [mx, my] = tf.split(motion, 2, 3);
      return [mGrid, tf.square(mx), tf.square(my), tf.mul(mx, my)];
    };
    const x = tf.concat(product ? even() : [motion, mGrid], 3) as tf.Tensor4D;
    const e1 = block(x, 'e1a', 'e1b');
    const e2 = block(down(e1), 'e2a', 'e2b');
    const e3 = block(down(e2), 'e3a', 'e3b');
    const d2 = block(cat(up2(e3), e2), 'd2a', 'd2b');
    const d1 = block(cat(up2(d2), e1), 'd1a', 'd1b');
    let o = conv(d1, 'out', false);
    if (product) {
      const odd = tf.concat([motion, up2(down(motion)), up2(up2(down(down(motion))))], 3); // [N, n, n, 6]
      // out channel c takes coefficients c * 6 .. c * 6 + 5 (rank-4 ops only: every backend has them)
      const coef = tf.split(o, 3, 3);
      o = tf.concat(
        coef.map((k) => tf.sum(tf.mul(k, odd), 3, true)),
        3,
      ) as tf.Tensor4D;
    }
    return tf.mul(tf.tanh(o), 0.5) as tf.Tensor4D;
  }

  const odd = (fields: TextureFields): tf.Tensor4D => {
    if (disposed) throw new EditorError(ErrorCode.DISPOSED);
    return tf.tidy(() => {
      const mot = tf.tensor4d(fields.motion, [1, n, n, 2]);
      const m = tf.tensor4d(fields.mask, [1, S, S, 1]);
      if (config.form === 'product') return tf.mul(network(mot, m), config.strength) as tf.Tensor4D; // odd as it is
      // both signs of the motion in one batch; the odd part is half their difference
      const g = network(tf.concat([mot, tf.neg(mot)], 0) as tf.Tensor4D, tf.concat([m, m], 0) as tf.Tensor4D);
      const [gp, gn] = tf.split(g, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
      return tf.mul(tf.sub(gp, gn), 0.5 * config.strength) as tf.Tensor4D;
    });
  };
  const spread = (g: tf.Tensor4D, fields: TextureFields): tf.Tensor4D =>
    tf.tidy(() => tf.mul(tf.image.resizeBilinear(g, [S, S], false, true), tf.tensor4d(fields.apply, [1, S, S, 1])) as tf.Tensor4D);

  return {
    config,
    fields: (target, source) => textureFields(config, target, source),
    gain(target, source, fields) {
      if (disposed) throw new EditorError(ErrorCode.DISPOSED);
      if (target.length !== 468 || source.length !== 468) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'expected 468 target and source points');
      const f = fields ?? textureFields(config, target, source);
      return tf.tidy(() => spread(odd(f), f));
    },
    network: odd,
    spread,
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(weights);
    },
  };
}
