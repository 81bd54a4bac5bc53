/**
 * Stage 7c, refine: the LEED refiner on the aligned face crop (aligned-crop.ts). A small U-Net
 * (training/refiner_common.py) outputs an attention mask A and a painted image C, and
 * out = A * warped + (1 - A) * C, as in GANimation: it paints what a warp cannot (the inside of a
 * mouth that opens, eyes that open), and keeps the warped pixels elsewhere (A close to 1).
 *
 * It was trained on grayscale photos, so it works on luminance: the RGB crop is split into BT.601
 * YCbCr (full range), Y is refined, and the chroma is carried: where the warp is kept (A = 1) the
 * chroma is the warp's exactly; where the network paints (A -> 0) the chroma fades toward neutral by
 * `chromaAttenuation` (painted teeth / mouth interior take no lip colour from the stretched lips).
 *
 * v2 models take a second input channel, the inner-mouth mask of the target landmarks
 * (mouth-mask.ts): it tells the network where a mouth interior (teeth, shadow) belongs, which it
 * cannot see in the warped pixels (there the lips are smeared over the opening).
 *
 * Weights: public/models/leed/refiner.json (config + tfjs "weightsManifest") and refiner.bin,
 * verified against public/models/manifest.json by the ModelStore. The config also says which aligned
 * crop the network was trained on (config.crop); the render session cuts that one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import type { ModelStore } from '../runtime/models';
import type { Point2 } from '../types';
import type { CropSpec } from './aligned-crop';
import { checkLayers, unetLayers } from './unet';

export const REFINER_PATH = 'leed/refiner.json';

/** Layers in the order of the network (names of the weights are `${layer}/kernel` and `${layer}/bias`). */
const LAYERS = ['e1a', 'e1b', 'e2a', 'e2b', 'e3a', 'e3b', 'e4a', 'e4b', 'd3a', 'd3b', 'd2a', 'd2b', 'd1a', 'd1b', 'out'] as const;
type Layer = (typeof LAYERS)[number];

interface RefinerConfig {
  /** Side S of the aligned crop the refiner was trained on. */
  size: number;
  /** The aligned crop it was trained on. */
  crop: CropSpec;
  channels: number[];
  chromaAttenuation: number;
  /** Input channels: 1 (luminance) or 2 (luminance and the target's inner-mouth mask). */
  inputs: number;
}

export interface RefinerResult {
  /** Refined crop, [1, H, W, 3] RGB 0..1. */
  image: tf.Tensor4D;
  /** Attention mask A, [1, H, W, 1]: 1 = the warped pixel kept, 0 = painted. */
  mask: tf.Tensor4D;
}

export interface Refiner {
  /** Side S of the aligned crop it works on (any H, W that are multiples of 8 are accepted). */
  readonly size: number;
  /** The aligned crop it was trained on (refiner.json config.crop). */
  readonly crop: CropSpec;
  /**
   * [1, H, W, 3] RGB 0..1 aligned crop -> the same shape, repainted, and the attention mask. `mouth`
   * ([1, H, W, 1], 0/1) is the target's inner-mouth mask (mouth-mask.ts; zeros when left out; ignored by
   * 1-input models). Synchronous tfjs ops; the caller disposes.
   */
  refineWithMask(crop: tf.Tensor4D, mouth?: tf.Tensor4D): RefinerResult;
  dispose(): void;
}

interface RefinerJSON {
  format?: string;
  config?: { size?: number; channels?: number[]; chromaAttenuation?: number; crop?: { center?: unknown; side?: unknown } };
}

/** config.crop of refiner.json ({ center: [x, y], side }, canonical IOD units), or null when it is not one. */
function readCrop(c: { center?: unknown; side?: unknown } | undefined): CropSpec | null {
  const centre = c?.center;
  const side = c?.side;
  if (!Array.isArray(centre) || centre.length !== 2 || !centre.every(Number.isFinite) || typeof side !== 'number' || !(side > 0 && Number.isFinite(side)))
    return null;
  return Object.freeze({ centre: Object.freeze([centre[0], centre[1]] as Point2), side });
}

function checkCrop(t: tf.Tensor, channels: number): void {
  const s = t.shape;
  if (s.length !== 4 || s[0] !== 1 || s[3] !== channels || s[1] % 8 !== 0 || s[2] % 8 !== 0 || s[1] < 8 || s[2] < 8) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, `refiner input must be [1, H, W, ${channels}] with H, W multiples of 8, got [${s.join(', ')}]`);
  }
}

export async function createRefiner(store: ModelStore, path: string = REFINER_PATH): Promise<Refiner> {
  const { json, weights } = await store.loadWeights(path);
  const meta = json as RefinerJSON;
  const cfg = meta.config;
  const crop = readCrop(cfg?.crop);
  try {
    if (meta.format !== 'leed-refiner' || !cfg || !Number.isInteger(cfg.size) || !Array.isArray(cfg.channels) || typeof cfg.chromaAttenuation !== 'number') {
      throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: not a leed-refiner model`);
    }
    if (!crop) throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: config.crop must be { center: [x, y], side > 0 }`);
    checkLayers(weights, LAYERS, path);
    const inputs = weights['e1a/kernel'].shape[2];
    if ((inputs !== 1 && inputs !== 2) || weights['out/kernel'].shape[3] !== 2)
      throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: expected 1 or 2 input and 2 output channels`);
  } catch (e) {
    tf.dispose(weights);
    throw e;
  }
  const config: RefinerConfig = {
    size: cfg.size as number,
    crop: crop as CropSpec,
    channels: [...cfg.channels],
    chromaAttenuation: cfg.chromaAttenuation,
    inputs: weights['e1a/kernel'].shape[2] as number,
  };
  let disposed = false;
  const live = () => {
    if (disposed) throw new EditorError(ErrorCode.DISPOSED);
  };
  const { conv, block, down, up, cat } = unetLayers<Layer>(weights);

  /** The network: y [1,H,W,1] 0..1 (and the inner-mouth mask for 2-input models) -> A, C. */
  function network(y: tf.Tensor4D, mouth?: tf.Tensor4D): { A: tf.Tensor4D; C: tf.Tensor4D } {
    if (mouth && (mouth.rank !== 4 || mouth.shape[1] !== y.shape[1] || mouth.shape[2] !== y.shape[2] || mouth.shape[3] !== 1)) {
      throw new EditorError(ErrorCode.BAD_ARGUMENT, `mouth mask must be [1, ${y.shape[1]}, ${y.shape[2]}, 1], got [${mouth.shape.join(', ')}]`);
    }
    const input = config.inputs === 2 ? cat(y, mouth ?? tf.zerosLike(y)) : y;
    const x = tf.div(tf.sub(input, 0.5), 0.5) as tf.Tensor4D;
    const e1 = block(x, 'e1a', 'e1b');
    const e2 = block(down(e1), 'e2a', 'e2b');
    const e3 = block(down(e2), 'e3a', 'e3b');
    const e4 = block(down(e3), 'e4a', 'e4b');
    const d3 = block(cat(up(e4), e3), 'd3a', 'd3b');
    const d2 = block(cat(up(d3), e2), 'd2a', 'd2b');
    const d1 = block(cat(up(d2), e1), 'd1a', 'd1b');
    const o = conv(d1, 'out', false);
    const [oa, oc] = tf.split(o, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    return { A: tf.sigmoid(oa), C: tf.div(tf.add(tf.tanh(oc), 1), 2) };
  }

  function refineWithMask(crop: tf.Tensor4D, mouth?: tf.Tensor4D): RefinerResult {
    live();
    checkCrop(crop, 3);
    return tf.tidy(() => {
      const [r, g, b] = tf.split(crop, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      // BT.601 full-range YCbCr (JPEG's), chroma centred on 0
      const Y = tf.addN([tf.mul(r, 0.299), tf.mul(g, 0.587), tf.mul(b, 0.114)]) as tf.Tensor4D;
      const Cb = tf.addN([tf.mul(r, -0.168736), tf.mul(g, -0.331264), tf.mul(b, 0.5)]);
      const Cr = tf.addN([tf.mul(r, 0.5), tf.mul(g, -0.418688), tf.mul(b, -0.081312)]);
      const { A, C } = network(Y, mouth);
      const notA = tf.sub(1, A);
      const Yo = tf.add(tf.mul(A, Y), tf.mul(notA, C));
      const k = tf.add(A, tf.mul(notA, config.chromaAttenuation));
      const Cbo = tf.mul(Cb, k);
      const Cro = tf.mul(Cr, k);
      const R = tf.add(Yo, tf.mul(Cro, 1.402));
      const G = tf.sub(Yo, tf.add(tf.mul(Cbo, 0.344136), tf.mul(Cro, 0.714136)));
      const B = tf.add(Yo, tf.mul(Cbo, 1.772));
      const image = tf.clipByValue(tf.concat([R, G, B], 3), 0, 1) as tf.Tensor4D;
      return { image, mask: A };
    });
  }

  return {
    size: config.size,
    crop: config.crop,
    refineWithMask,
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(weights);
    },
  };
}
