/**
 * Benchmark of the render session (warp, crop + paste-back, full-image output, encode) on the sample
 * photo and on a 5x upscaled copy of it (face about 500 px wide; each opened and analysed by the editor),
 * on the backend named by --backend (cpu by default; webgpu needs a navigator.gpu, see
 * /work/shared/TESTING-WEBGPU.md). The stages are timed on a render session of the face with a
 * pass-through refiner (crop + paste-back without a network); the shipped refiner through the editing
 * API (face.renderTarget).
 *   npx tsx scripts/bench-render.ts [--backend cpu|webgpu|wasm] [--runs 10] [--scales 1,5] [--sampler auto|ops|js|webgpu] [--render-only] [--no-net]
 * Prints median milliseconds over the runs, after one warm-up render. --sampler picks the render
 * session's sampler (default auto: WGSL kernels on WebGPU, typed-array loops on CPU, tfjs ops elsewhere;
 * 'ops' = the generic tfjs-ops path, for before/after comparisons); --render-only skips renderFull and
 * the encoders; --no-net skips the shipped refiner. On WebGPU in Node run it with
 *   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createEditor, encodeImage, type BackendName, type Face, type SamplerKind, type RGBAImage } from '../src/engine/index';
import { createRenderSession, DEFAULT_CROP, interOcular, type Refiner } from '../src/engine/tools';
import { fileByteSource, ROOT } from '../src/node/platform';
import { openMouth } from '../src/node/synthetic';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const backend = arg('backend', 'cpu') as BackendName;
const runs = Number(arg('runs', '10'));
const scales = arg('scales', '1,5').split(',').map(Number);
const sampler = arg('sampler', 'auto') as SamplerKind;
const renderOnly = process.argv.includes('--render-only');
const noNet = process.argv.includes('--no-net');

if (backend === 'webgpu') {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]), userAgent: 'node' }, configurable: true });
}

function upscale(img: RGBAImage, k: number): RGBAImage {
  const w = img.width * k;
  const h = img.height * k;
  const data = new Uint8ClampedArray(w * h * 4);
  const src = new Uint32Array(img.data.buffer, img.data.byteOffset, img.width * img.height);
  const dst = new Uint32Array(data.buffer);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) dst[y * w + x] = src[Math.floor(y / k) * img.width + Math.floor(x / k)];
  return { width: w, height: h, data };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up (shader compilation on GPU backends)
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const editor = await createEditor({ backends: [backend], models: fileByteSource(), sampler });
const photo = await editor.open(new Uint8Array(readFileSync(join(ROOT, 'public', 'samples', 'astronaut.png'))));
console.log(`backend ${editor.backend.name}${editor.backend.adapter ? ` (${editor.backend.adapter})` : ''}, sampler ${sampler}, median of ${runs} runs`);
/** Does nothing to the crop (attention 1): measures the crop + paste-back around a refiner, not a network. */
const passThrough: Refiner = {
  size: 256,
  crop: DEFAULT_CROP,
  refineWithMask: (crop) => ({ image: tf.clone(crop), mask: tf.ones([1, 256, 256, 1]) as tf.Tensor4D }),
  dispose: () => {},
};

for (const k of scales) {
  const scaled = k === 1 ? photo : await editor.open(upscale(photo.image, k));
  const image = scaled.image;
  const face: Face = await scaled.face(0);
  const t0 = performance.now();
  const session = await createRenderSession(image, face, { refiner: passThrough, sampler, fullCropRefiner: true });
  const create = performance.now() - t0;
  const targets = [0.1, 0.2, 0.3].map((a) => openMouth(face, a));
  let i = 0;
  const next = () => targets[i++ % targets.length];
  const flowMs = await time(async () => session.flow(next()));
  const warpMs = await time(() => session.render(next(), { useRefiner: false }));
  const refineMs = await time(() => session.render(next(), { useRefiner: true }));
  const { roi } = session;
  // tensor memory at the peak of one render (tf.profile: bytes of live tensors, the session's ROI upload included)
  const peak = async (fn: () => Promise<unknown>) => {
    const bytes = (
      await tf.profile(async () => {
        await fn();
        return [] as tf.Tensor[];
      })
    ).peakBytes;
    return Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(0) : '0'; // -Infinity: no tfjs kernel ran (the CPU sampler's typed-array loops)
  };
  const peakWarp = await peak(() => session.render(next(), { useRefiner: false }));
  const peakRefine = await peak(() => session.render(next(), { useRefiner: true }));
  let rest = ` | peak tensor memory: warp-only ${peakWarp} MiB, with crop/paste ${peakRefine} MiB`;
  if (!renderOnly) {
    const fullMs = await time(() => session.renderFull(next(), { useRefiner: false }));
    const full = await session.renderFull(next(), { useRefiner: false });
    const pngMs = await time(() => encodeImage(full, 'png'));
    const jpegMs = await time(() => encodeImage(full, 'jpeg', 0.92));
    rest += ` | renderFull ${fullMs.toFixed(0)} ms | encode PNG ${pngMs.toFixed(0)} ms, JPEG ${jpegMs.toFixed(0)} ms`;
  }
  console.log(
    `${image.width}x${image.height}, IOD ${interOcular(face.landmarks.points).toFixed(0)} px, ROI ${roi.width}x${roi.height}: ` +
      `session ${create.toFixed(0)} ms | flow grid ${flowMs.toFixed(1)} ms | render warp-only ${warpMs.toFixed(0)} ms | ` +
      `render + crop/paste (pass-through refiner, S=256) ${refineMs.toFixed(0)} ms${rest}`,
  );
  session.dispose();
  if (!noNet && editor.capabilities.refiner) {
    // the editor's own render session of this face, with the shipped refiner
    const netMs = await time(() => face.renderTarget(next()));
    console.log(`  with the shipped refiner (editor, face.renderTarget): render ${netMs.toFixed(0)} ms`);
  }
  if (scaled !== photo) scaled.dispose();
}
photo.dispose();
editor.dispose();
