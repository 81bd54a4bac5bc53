/**
 * The layers the LEED U-Nets are built of (refine.ts, texture.ts; training/refiner_common.py and texture_common.py):
 * 3x3 (or 1x1) convolutions, stride 1, zero padding "same", with bias and leaky ReLU 0.2; 2x2 average pooling down;
 * nearest-neighbour x2 up. Weights are named `${layer}/kernel` ([kh, kw, in, out]) and `${layer}/bias`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';

/** Throws MODEL_LOAD when a layer of `layers` lacks its kernel or bias, or they do not fit together. */
export function checkLayers(weights: tf.NamedTensorMap, layers: readonly string[], path: string): void {
  for (const l of layers) {
    const k = weights[`${l}/kernel`];
    const b = weights[`${l}/bias`];
    if (!k || !b || k.rank !== 4 || b.rank !== 1 || k.shape[3] !== b.shape[0])
      throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: layer ${l} missing or malformed`);
  }
}

export function unetLayers<Layer extends string>(weights: tf.NamedTensorMap) {
  /** The layer's convolution with its bias, then leaky ReLU 0.2 (`act`) or nothing. */
  const conv = (x: tf.Tensor4D, l: Layer, act = true): tf.Tensor4D =>
    tf.fused.conv2d({
      x,
      filter: weights[`${l}/kernel`] as tf.Tensor4D,
      bias: weights[`${l}/bias`],
      strides: 1,
      pad: 'same',
      activation: act ? 'leakyrelu' : 'linear',
      leakyreluAlpha: 0.2,
    });
  return {
    conv,
    block: (x: tf.Tensor4D, a: Layer, b: Layer) => conv(conv(x, a), b),
    down: (x: tf.Tensor4D) => tf.avgPool(x, 2, 2, 'valid') as tf.Tensor4D,
    up: (x: tf.Tensor4D) => tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]) as tf.Tensor4D,
    cat: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.concat([a, b], 3) as tf.Tensor4D,
  };
}
