/**
 * Stage 5, disentangle: the LEED disentangler N maps canonical landmarks (468 x 3, IOD units, pose
 * removed) to the same person's neutral landmarks; d = x - N(x) is the expression.
 *
 * The network (trained label-free by training/train_disentangler.py, weights in public/models/leed/):
 *   z = ((x - mu) basis^T) / std        whitened PCA coordinates (basis: K x 1404, orthonormal rows)
 *   h = elu(elu(z W1 + b1) W2 + b2)
 *   d = ((h W3 + b3) * std) basis       displacement, inside the PCA subspace only
 *   N(x) = x - d
 * A version 2 model (trained with --units) also reads and writes the action units (units.ts), so a local motion outside
 * the PCA span, a brow or a lid, can be taken for expression (U: the 17 unit fields, V: their reader, both fixed):
 *   z = [((x - mu) basis^T) / std, (x - mu) V^T]
 *   d = (c[:, :K] * std) basis + c[:, K:] U      c = h W3 + b3
 * Everything runs as tfjs ops on the backend in use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import { subShapes } from '../points';
import type { ModelStore } from '../runtime/models';
import type { Point3 } from '../types';

export const DISENTANGLER_PATH = 'leed/disentangler.json';
const NUM_POINTS = 468;
const DIM = NUM_POINTS * 3;

/** The numbers the TypeScript side needs, stored next to the weights manifest in disentangler.json. */
interface DisentanglerConfig {
  format: 'leed-disentangler';
  version: number;
  architecture: {
    type: 'pca-mlp-residual';
    points: number;
    inputDim: number;
    basisDim: number;
    hidden: number[];
    activation: 'elu';
    /** Version 2: the action units the network reads and writes (units.ts names), in the order of 'units'. */
    units?: string[];
  };
  /** Names of the tensors in the weights manifest ('units' and 'unitsIn' only in version 2). */
  tensors: Record<'mu' | 'basis' | 'std' | 'kernel1' | 'bias1' | 'kernel2' | 'bias2' | 'kernel3' | 'bias3', string> &
    Partial<Record<'units' | 'unitsIn', string>>;
  training?: Record<string, unknown>;
}

export interface Disentangler {
  readonly config: DisentanglerConfig;
  /** N(x): the person's neutral face, canonical space. */
  neutral(canonical: readonly Point3[]): Promise<Point3[]>;
  /** N for many faces at once (one batched pass). */
  neutralBatch(canonicals: readonly (readonly Point3[])[]): Promise<Point3[][]>;
  /** d = x - N(x): the expression displacement of a face. */
  displacement(canonical: readonly Point3[]): Promise<Point3[]>;
  /** Tensor form for callers that stay on the backend: [B, 1404] -> N as [B, 1404]. The caller disposes the result. */
  neutralTensor(flat: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

function checkPoints(points: readonly Point3[], what: string): void {
  if (!Array.isArray(points) || points.length !== NUM_POINTS) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, `${what}: expected ${NUM_POINTS} points, got ${Array.isArray(points) ? points.length : typeof points}`);
  }
  for (const p of points) {
    if (p?.length !== 3 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]) || !Number.isFinite(p[2])) {
      throw new EditorError(ErrorCode.BAD_ARGUMENT, `${what}: every point must be 3 finite numbers`);
    }
  }
}

function flatten(batch: readonly (readonly Point3[])[]): Float32Array {
  const f = new Float32Array(batch.length * DIM);
  batch.forEach((pts, b) => pts.forEach((p, i) => f.set(p, b * DIM + i * 3)));
  return f;
}

function unflatten(f: Float32Array | Int32Array | Uint8Array, count: number): Point3[][] {
  const out: Point3[][] = [];
  for (let b = 0; b < count; b++) {
    const pts: Point3[] = [];
    for (let i = 0; i < NUM_POINTS; i++) {
      const o = b * DIM + i * 3;
      pts.push([f[o], f[o + 1], f[o + 2]]);
    }
    out.push(pts);
  }
  return out;
}

export async function createDisentangler(store: ModelStore, path = DISENTANGLER_PATH): Promise<Disentangler> {
  const { json, weights } = await store.loadWeights(path);
  const config = json as unknown as DisentanglerConfig;
  const names = config.tensors;
  const w: Partial<Record<keyof DisentanglerConfig['tensors'], tf.Tensor>> &
    Record<Exclude<keyof DisentanglerConfig['tensors'], 'units' | 'unitsIn'>, tf.Tensor> = {} as never;
  let k = 0;
  let u = 0;
  try {
    if (config.format !== 'leed-disentangler' || config.architecture?.type !== 'pca-mlp-residual' || config.architecture.inputDim !== DIM) {
      throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: not a LEED disentangler this code can run`);
    }
    for (const key of Object.keys(names) as (keyof DisentanglerConfig['tensors'])[]) {
      const name = names[key] as string;
      const t = weights[name];
      if (!t) throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: tensor ${name} missing`);
      w[key] = t;
    }
    if (!w.units !== !w.unitsIn) throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: units and unitsIn go together`);
    k = config.architecture.basisDim;
    u = w.units ? w.units.shape[0] : 0;
    const unitsOk = !w.units || (w.units.shape[1] === DIM && w.unitsIn?.shape[0] === u && w.unitsIn.shape[1] === DIM);
    if (
      !unitsOk ||
      w.basis.shape[0] !== k ||
      w.basis.shape[1] !== DIM ||
      w.mu.size !== DIM ||
      w.std.size !== k ||
      w.kernel1.shape[0] !== k + u ||
      w.kernel3.shape[1] !== k + u
    ) {
      throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: tensor shapes do not match the architecture`);
    }
  } catch (e) {
    Object.values(weights).forEach((t) => t.dispose());
    throw e;
  }
  // Tensors of the manifest that the network does not use are not kept.
  const used = new Set<tf.Tensor>(Object.values(w));
  Object.values(weights).forEach((t) => {
    if (!used.has(t)) t.dispose();
  });

  let disposed = false;
  const alive = () => {
    if (disposed) throw new EditorError(ErrorCode.DISPOSED, 'disentangler');
  };

  const neutralTensor = (flat: tf.Tensor2D): tf.Tensor2D => {
    alive();
    return tf.tidy(() => {
      const xc = tf.sub(flat, w.mu);
      let z = tf.div(tf.matMul(xc, w.basis as tf.Tensor2D, false, true), w.std) as tf.Tensor2D;
      if (w.units && w.unitsIn) z = tf.concat([z, tf.matMul(xc, w.unitsIn as tf.Tensor2D, false, true)], 1) as tf.Tensor2D;
      const h1 = tf.elu(tf.add(tf.matMul(z, w.kernel1 as tf.Tensor2D), w.bias1));
      const h2 = tf.elu(tf.add(tf.matMul(h1, w.kernel2 as tf.Tensor2D), w.bias2));
      const c = tf.add(tf.matMul(h2, w.kernel3 as tf.Tensor2D), w.bias3) as tf.Tensor2D;
      if (!w.units) return tf.sub(flat, tf.matMul(tf.mul(c, w.std), w.basis as tf.Tensor2D)) as tf.Tensor2D;
      const rows = c.shape[0];
      const pca = tf.matMul(tf.mul(tf.slice(c, [0, 0], [rows, k]), w.std), w.basis as tf.Tensor2D);
      const d = tf.add(pca, tf.matMul(tf.slice(c, [0, k], [rows, u]), w.units as tf.Tensor2D));
      return tf.sub(flat, d) as tf.Tensor2D;
    });
  };

  const neutralBatch = async (canonicals: readonly (readonly Point3[])[]): Promise<Point3[][]> => {
    alive();
    if (!Array.isArray(canonicals)) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'neutralBatch: expected an array of faces');
    canonicals.forEach((c, i) => checkPoints(c, `face ${i}`));
    if (canonicals.length === 0) return [];
    const input = tf.tensor2d(flatten(canonicals), [canonicals.length, DIM]);
    const out = neutralTensor(input);
    input.dispose();
    try {
      return unflatten(await out.data(), canonicals.length);
    } finally {
      out.dispose();
    }
  };

  return {
    config,
    neutral: async (canonical) => (await neutralBatch([canonical]))[0],
    neutralBatch,
    displacement: async (canonical) => {
      const n = (await neutralBatch([canonical]))[0];
      return subShapes(canonical, n);
    },
    neutralTensor,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      Object.values(w).forEach((t) => t?.dispose());
    },
  };
}
