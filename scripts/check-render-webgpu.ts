/**
 * Runs the render session's WebGPU path (the WGSL kernels of src/engine/render/webgpu-kernels.ts, the
 * default sampler there) and the generic tfjs-ops path on the real tfjs WebGPU backend in Node (the `webgpu`
 * package: Dawn; SwiftShader when there is no GPU, see /work/shared/TESTING-WEBGPU.md) and compares it
 * with the CPU backend's result on the sample photo. Prints one JSON line. Needs, at process start:
 *   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
 * (or a machine's own Vulkan driver). Used by tests/render-webgpu.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { create, globals } from 'webgpu';
import { createEditor, type SamplerKind } from '../src/engine/index';
import {
  alignedCropRect,
  createRenderSession,
  DEFAULT_CROP,
  initBackend,
  innerMouthMask,
  newOpeningWeight,
  type Refiner,
  type RenderPatch,
} from '../src/engine/tools';
import { fileByteSource, ROOT } from '../src/node/platform';
import { closedMouthFace, openMouth } from '../src/node/synthetic';

Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]), userAgent: 'node' }, configurable: true });

const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, 'public', 'samples', 'astronaut.png'))));
const face = await photo.face(0);
const target = openMouth(face, 0.3);
// the same target from closed lips: a new opening, which the session fills with stretched lips (gather / matMul)
// before the refiner
const closed = await closedMouthFace(photo.image, face);
const S = 64;
/** Scales the crop's columns from 0.6x to 1.2x: a position-dependent change for the paste-back to carry. */
const rampImage = (crop: tf.Tensor4D) => tf.tidy(() => tf.mul(crop, tf.reshape(tf.linspace(0.6, 1.2, S), [1, 1, S, 1]))) as tf.Tensor4D;
/** The ramp with attention 1 everywhere: every warped pixel kept, the change added on top. */
const ramp: Refiner = {
  size: S,
  crop: DEFAULT_CROP,
  refineWithMask: (crop) => ({ image: rampImage(crop), mask: tf.ones([1, S, S, 1]) as tf.Tensor4D }),
  dispose() {},
};
/** The same with an attention mask that goes from kept (top rows) to painted (bottom rows): the warp's detail dropped below. */
const rampMask: Refiner = {
  ...ramp,
  refineWithMask: (crop) => ({
    image: rampImage(crop),
    mask: tf.tidy(() => tf.mul(tf.ones([1, S, S, 1]), tf.reshape(tf.linspace(1.2, -0.2, S), [1, S, 1, 1]))) as tf.Tensor4D,
  }),
};

async function renderOn(sampler?: SamplerKind): Promise<{ patches: RenderPatch[]; leaked: number; peakBytes: number }> {
  const before = tf.memory().numTensors;
  // the whole crop (the ramps are S wide), not the refiner's windows around the mouth
  const s = await createRenderSession(photo.image, face, { refiner: ramp, sampler, fullCropRefiner: true });
  const m = await createRenderSession(photo.image, face, { refiner: rampMask, sampler, fullCropRefiner: true });
  const c = await createRenderSession(closed.image, closed.face, { refiner: rampMask, sampler, fullCropRefiner: true });
  const patches = [
    await s.render(target),
    await s.render(target, { useRefiner: false }),
    await s.render(face.landmarks.points, { useRefiner: false }),
    await m.render(target),
    await c.render(target),
  ];
  const peakBytes = (
    await tf.profile(async () => {
      await s.render(target);
      return [] as tf.Tensor[];
    })
  ).peakBytes;
  s.dispose();
  m.dispose();
  c.dispose();
  return { patches, leaked: tf.memory().numTensors - before, peakBytes };
}

const diff = (a: RenderPatch[], b: RenderPatch[]) =>
  a.map((p, k) => {
    let d = 0;
    for (let i = 0; i < p.data.length; i++) d = Math.max(d, Math.abs(p.data[i] - b[k].data[i]));
    return d;
  });
const cpu = await renderOn();
const info = await initBackend(['webgpu']);
const gpu = await renderOn(); // 'auto': the WGSL kernels
const pipelines = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
const kernels = ['leedWarp', 'leedCrop', 'leedPaste'].filter((k) => pipelines.some((p) => p.startsWith(k)));
const ops = await renderOn('ops'); // the generic tfjs-ops path on the same backend
const maxDiff = diff(gpu.patches, cpu.patches);
const area = (pts: typeof target) => innerMouthMask(pts, alignedCropRect(closed.face.canonical.transform, DEFAULT_CROP), 64).reduce((a, v) => a + v, 0);
const opening = newOpeningWeight(area(closed.face.landmarks.points), area(target));
let identity = 0;
const id = gpu.patches[2];
for (let j = 0; j < id.height; j++)
  for (let i = 0; i < id.width * 4; i++)
    identity = Math.max(identity, Math.abs(id.data[j * id.width * 4 + i] - photo.image.data[((id.y + j) * photo.image.width + id.x) * 4 + i]));
console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    adapter: info.adapter,
    kernels,
    maxDiff,
    identity,
    leaked: gpu.leaked,
    opening,
    opsMaxDiff: diff(ops.patches, cpu.patches),
    opsLeaked: ops.leaked,
    peakBytes: { wgsl: gpu.peakBytes, ops: ops.peakBytes },
  }),
);
photo.dispose();
editor.dispose();
