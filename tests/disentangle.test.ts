/** LEED disentangler: PyTorch/tfjs parity on the shipped weights, behaviour, errors, tensor hygiene. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/runtime/backend';
import { createDisentangler } from '../src/engine/expression/disentangle';
import { ErrorCode } from '../src/engine/errors';
import { nme, TEMPLATE } from '../src/engine/analyse/manifold';
import { ModelStore, sha256Hex } from '../src/engine/runtime/models';
import { loadPresets } from '../src/engine/expression/target';
import type { Point3 } from '../src/engine/types';
import { fileByteSource, MODEL_DIR, ROOT } from '../src/node/platform';

interface Golden {
  weightsSha256: string;
  inputs: string[];
  outputs: string[];
}
const golden = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'leed-disentangler-golden.json'), 'utf8')) as Golden;

function decode(b64: string): Point3[] {
  const b = Buffer.from(b64, 'base64');
  const f = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const out: Point3[] = [];
  for (let i = 0; i < f.length; i += 3) out.push([f[i], f[i + 1], f[i + 2]]);
  return out;
}

const add = (a: readonly Point3[], d: readonly Point3[], s = 1): Point3[] => a.map((p, i) => [p[0] + s * d[i][0], p[1] + s * d[i][1], p[2] + s * d[i][2]]);
const maxAbs = (a: readonly Point3[], b: readonly Point3[]) => Math.max(...a.flatMap((p, i) => p.map((v, k) => Math.abs(v - b[i][k]))));

/**
 * A small synthetic disentangler (float32, K = 3, hidden 5, U = 2 units when `units`), served with its own manifest, and
 * N computed by plain loops: the formula of training/disentangler.py, independent of tfjs.
 */
async function syntheticModel(units: boolean) {
  const K = 3;
  const H = 5;
  const U = units ? 2 : 0;
  let seed = 11;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const arr = (n: number, s = 1) => Float32Array.from({ length: n }, () => rnd() * s);
  const t: Record<string, { shape: number[]; data: Float32Array }> = {
    'leed/mu': { shape: [1404], data: arr(1404, 0.2) },
    'leed/basis': { shape: [K, 1404], data: arr(K * 1404, 0.3) },
    'leed/std': { shape: [K], data: Float32Array.from([0.5, 0.3, 0.2]) },
    'leed/dense1/kernel': { shape: [K + U, H], data: arr((K + U) * H) },
    'leed/dense1/bias': { shape: [H], data: arr(H, 0.2) },
    'leed/dense2/kernel': { shape: [H, H], data: arr(H * H) },
    'leed/dense2/bias': { shape: [H], data: arr(H, 0.2) },
    'leed/dense3/kernel': { shape: [H, K + U], data: arr(H * (K + U)) },
    'leed/dense3/bias': { shape: [K + U], data: arr(K + U, 0.2) },
  };
  const tensors: Record<string, string> = {
    mu: 'leed/mu',
    basis: 'leed/basis',
    std: 'leed/std',
    kernel1: 'leed/dense1/kernel',
    bias1: 'leed/dense1/bias',
    kernel2: 'leed/dense2/kernel',
    bias2: 'leed/dense2/bias',
    kernel3: 'leed/dense3/kernel',
    bias3: 'leed/dense3/bias',
  };
  if (units) {
    t['leed/units'] = { shape: [U, 1404], data: arr(U * 1404, 0.3) };
    t['leed/unitsIn'] = { shape: [U, 1404], data: arr(U * 1404, 0.05) };
    Object.assign(tensors, { units: 'leed/units', unitsIn: 'leed/unitsIn' });
  }
  const names = Object.keys(t);
  const bin = new Uint8Array(names.reduce((s, n) => s + t[n].data.byteLength, 0));
  let off = 0;
  for (const n of names) {
    bin.set(new Uint8Array(t[n].data.buffer), off);
    off += t[n].data.byteLength;
  }
  const json = new TextEncoder().encode(
    JSON.stringify({
      format: 'leed-disentangler',
      version: units ? 2 : 1,
      architecture: {
        type: 'pca-mlp-residual',
        points: 468,
        inputDim: 1404,
        basisDim: K,
        hidden: [H, H],
        activation: 'elu',
        ...(units ? { units: ['a', 'b'] } : {}),
      },
      tensors,
      weightsManifest: [{ paths: ['d.bin'], weights: names.map((name) => ({ name, shape: t[name].shape, dtype: 'float32' })) }],
    }),
  );
  const files: Record<string, ArrayBuffer> = { 'd.json': json.buffer as ArrayBuffer, 'd.bin': bin.buffer as ArrayBuffer };
  files['manifest.json'] = new TextEncoder().encode(
    JSON.stringify({ files: { 'd.json': await sha256Hex(files['d.json']), 'd.bin': await sha256Hex(files['d.bin']) } }),
  ).buffer as ArrayBuffer;
  const store = new ModelStore(async (path) => files[path].slice(0));

  const g = (n: string) => t[n].data;
  const elu = (v: number) => (v > 0 ? v : Math.expm1(v));
  const dense = (x: number[], w: Float32Array, b: Float32Array, n: number) =>
    Array.from({ length: n }, (_, j) => x.reduce((s, v, i) => s + v * w[i * n + j], b[j]));
  const reference = (x: Float32Array): Float32Array => {
    const xc = Array.from(x, (v, i) => v - g('leed/mu')[i]);
    const row = (m: Float32Array, r: number) => xc.reduce((s, v, i) => s + v * m[r * 1404 + i], 0);
    const z = [
      ...Array.from({ length: K }, (_, r) => row(g('leed/basis'), r) / g('leed/std')[r]),
      ...Array.from({ length: U }, (_, r) => row(g('leed/unitsIn') ?? new Float32Array(), r)),
    ];
    const h1 = dense(z, g('leed/dense1/kernel'), g('leed/dense1/bias'), H).map(elu);
    const h2 = dense(h1, g('leed/dense2/kernel'), g('leed/dense2/bias'), H).map(elu);
    const c = dense(h2, g('leed/dense3/kernel'), g('leed/dense3/bias'), K + U);
    return Float32Array.from(x, (v, i) => {
      let d = 0;
      for (let r = 0; r < K; r++) d += c[r] * g('leed/std')[r] * g('leed/basis')[r * 1404 + i];
      for (let r = 0; r < U; r++) d += c[K + r] * g('leed/units')[r * 1404 + i];
      return v - d;
    });
  };
  return { store, reference };
}

describe('LEED disentangler', () => {
  let store: ModelStore;
  beforeAll(async () => {
    await initBackend(['cpu']);
    store = new ModelStore(fileByteSource());
  });

  it('golden fixture belongs to the shipped weights', () => {
    const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as { files: Record<string, string> };
    expect(manifest.files['leed/disentangler.bin']).toBe(golden.weightsSha256);
  });

  it('matches PyTorch to 1e-4 (max abs diff) on the golden inputs', async () => {
    const dis = await createDisentangler(store);
    try {
      const inputs = golden.inputs.map(decode);
      const want = golden.outputs.map(decode);
      const got = await dis.neutralBatch(inputs);
      let worst = 0;
      got.forEach((g, b) => {
        worst = Math.max(worst, maxAbs(g, want[b]));
      });
      expect(worst).toBeLessThan(1e-4);
      // the golden faces are really moved by N, so agreement is not agreement on the identity map
      expect(Math.max(...inputs.map((x, b) => maxAbs(x, want[b])))).toBeGreaterThan(1e-2);
      // single and batched paths agree
      const one = await dis.neutral(inputs[1]);
      expect(maxAbs(one, got[1])).toBeLessThan(1e-5);
    } finally {
      dis.dispose();
    }
  });

  it('swap consistency on the sample face: N(x + preset) stays N(x); idempotence: N(N(x)) = N(x)', async () => {
    const dis = await createDisentangler(store);
    const presets = await loadPresets(store);
    try {
      const x = TEMPLATE as Point3[]; // the sample portrait's canonical landmarks
      const n0 = await dis.neutral(x);
      for (const name of presets.names) {
        const expressive = add(x, presets.fitted(name, n0), 1);
        const back = await dis.neutral(expressive);
        // the borrowed expression is taken off again: N lands nearer the face's own neutral than the expressive face is,
        // much nearer for the expressions N learned to take off (smiles, opened mouths). N (label-free, news photos)
        // hardly takes lowered brows, narrowed eyes or pressed lips for an expression, on real anger photos either
        // (docs/results.md, "Presets"); tests/target.test.ts checks every preset against the range of real photos.
        const ratio = nme(back, n0) / nme(expressive, n0);
        expect(ratio).toBeLessThan(name === 'happy' || name === 'surprise' ? 0.7 : 0.95);
      }
      const nn = await dis.neutral(n0);
      // idempotence: what N still changes on its own output is small next to what it changed on the photo
      expect(nme(nn, n0)).toBeLessThan(0.1 * nme(x, n0));
    } finally {
      dis.dispose();
    }
  });

  it('computes the formula of disentangler.py, with and without the action units (synthetic weights)', async () => {
    for (const units of [false, true]) {
      const { store: s, reference } = await syntheticModel(units);
      const dis = await createDisentangler(s, 'd.json');
      try {
        const faces = [TEMPLATE as Point3[], TEMPLATE.map((p, i) => [p[0] + 0.01 * Math.sin(i), p[1], p[2] - 0.02 * Math.cos(i)] as Point3)];
        const got = await dis.neutralBatch(faces);
        faces.forEach((x, b) => {
          const want = reference(Float32Array.from(x.flat()));
          const moved = Math.max(...x.flat().map((v, i) => Math.abs(v - want[i])));
          expect(moved).toBeGreaterThan(1e-2);
          expect(Math.max(...got[b].flat().map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
        });
      } finally {
        dis.dispose();
      }
    }
  });

  it('rejects bad input, refuses use after dispose and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const dis = await createDisentangler(store);
    await expect(dis.neutral(TEMPLATE.slice(0, 100) as Point3[])).rejects.toMatchObject({ code: ErrorCode.BAD_ARGUMENT });
    const broken = TEMPLATE.map((p) => [...p] as Point3);
    broken[5] = [Number.NaN, 0, 0];
    await expect(dis.neutral(broken)).rejects.toMatchObject({ code: ErrorCode.BAD_ARGUMENT });
    expect(await dis.neutralBatch([])).toEqual([]);
    await dis.neutralBatch([TEMPLATE as Point3[], TEMPLATE as Point3[]]);
    dis.dispose();
    await expect(dis.neutral(TEMPLATE as Point3[])).rejects.toMatchObject({ code: ErrorCode.DISPOSED });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses weights that do not match the manifest', async () => {
    const tampered = new ModelStore(async (path) => {
      const bytes = await fileByteSource()(path);
      if (path !== 'leed/disentangler.bin') return bytes;
      const copy = new Uint8Array(bytes.slice(0));
      copy[10] ^= 0xff;
      return copy.buffer;
    });
    await expect(createDisentangler(tampered)).rejects.toMatchObject({ code: ErrorCode.MODEL_INTEGRITY });
  });
});
