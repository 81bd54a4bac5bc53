/// <reference lib="webworker" />
/**
 * Sampler parity worker (dist/e2e/sampler.html starts one per check, as the app runs the engine in a
 * worker; e2e/sampler-page.ts), driven by e2e/sampler.spec.ts through `window.__samplers.parity(kind)`: on the tfjs WebGL backend, the 'webgl' sampler (GLSL programs,
 * src/engine/render/webgl-kernels.ts), or on WebGPU the 'webgpu' one (WGSL kernels), against the
 * typed-array 'js' sampler on the same inputs: a
 * synthetic ROI, a flow grid with still and moving cells (some pushing samples off the image), and two
 * rotated crops (one box-filtered, pool > 1) partly outside the ROI. Also the tensor memory of one
 * render's sampling on a 1024 x 1024 ROI, 'webgl' against 'ops' (what WebGL used before).
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { alignedCropRect, createSampler, cropGeometry, initBackend, type FlowGrid, type Rect, type Sampler } from '../src/engine/tools';

/** Deterministic uniform numbers in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A w x h RGBA image, 0..255 floats: gradients, a ring, noise; alpha varies too. */
function image(w: number, h: number, rnd: () => number): Float32Array {
  const d = new Float32Array(w * h * 4);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const k = 4 * (j * w + i);
      const r = Math.hypot(i - w / 2, j - h / 2);
      d[k] = Math.round((255 * i) / (w - 1));
      d[k + 1] = Math.round(127.5 + 127.5 * Math.sin(r / 6));
      d[k + 2] = Math.floor(rnd() * 256);
      d[k + 3] = 200 + ((i + j) % 56);
    }
  return d;
}

/** A cols x rows grid: the first `still` rows and columns of nodes carry no motion, the rest move up to `amp` px (a few much further). */
function grid(cols: number, rows: number, still: number, amp: number, rnd: () => number): FlowGrid {
  const dx = new Float32Array(cols * rows);
  const dy = new Float32Array(cols * rows);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      if (r < still && c < still) continue;
      const far = rnd() < 0.1 ? 20 : 1; // samples off the image: clamped to its border
      dx[r * cols + c] = (rnd() * 2 - 1) * amp * far;
      dy[r * cols + c] = (rnd() * 2 - 1) * amp * far;
    }
  return { cols, rows, dx, dy, ringRadius: 0, motionScale: 1 };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>, scale = 1) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) * scale);
  return d;
};

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/**
 * A CPU-resident copy of `t` for the 'js' sampler, which reads its inputs synchronously: a GPU backend
 * drops a tensor's CPU values once uploaded (WebGPU), and a synchronous read back from the GPU in a
 * worker then breaks WebGPU's later reads ("A valid external Instance reference no longer exists").
 */
async function host<T extends tf.Tensor>(t: T): Promise<T> {
  return tf.tensor(await t.data(), t.shape, t.dtype) as T;
}

/** `f` run on CPU-resident copies of `inputs`, which it disposes after. */
async function onHost<T>(inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => T): Promise<T> {
  const copies = await Promise.all(inputs.map(host));
  try {
    return f(...copies);
  } finally {
    tf.dispose(copies);
  }
}

export interface CropCase {
  pool: number;
  extract: number;
  paste: number;
  pasteRounded: number;
  /** Max change webgl made where the mask is 0, and to alpha: both must be 0. */
  untouched: number;
  alpha: number;
  masked: number;
}

export interface ParityResult {
  backend: string;
  auto: string;
  warp: number;
  warpRounded: number;
  /** Max |webgl warp - input| under a grid with no motion: 0 = bit for bit. */
  identity: number;
  /** Max |webgl warp - input| over the pixels of the still cells of the moving grid. */
  stillCells: number;
  crops: CropCase[];
  leaked: number;
  /** One render's sampling on a 1024 x 1024 ROI (WebGL only; 0 on WebGPU). */
  peakBytes: { webgl: number; ops: number };
  ms: { webgl: number; ops: number };
}

/** The crop rect of a square of `side` image pixels centred at (cx, cy), rotated by `angle`. */
function cropRect(cx: number, cy: number, side: number, angle: number) {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return alignedCropRect({ scale: side, rotation: [c, -s, 0, s, c, 0, 0, 0, 1], translation: [cx, cy, 0] }, { centre: [0, 0], side: 1 });
}

async function cropCase(
  js: Sampler,
  gl: Sampler,
  roi: Rect,
  roiPixels: tf.Tensor2D,
  S: number,
  side: number,
  angle: number,
  rnd: () => number,
): Promise<CropCase> {
  const { width: w, height: h } = roi;
  // centred a little off the ROI's centre, so that the rotated crop reaches past one of its edges
  const g = cropGeometry(roi, cropRect(roi.x + w * 0.55, roi.y + h * 0.45, side, angle), S);
  const cj = js.crop(g);
  const cg = gl.crop(g);
  try {
    const cropJs = await onHost([roiPixels], (x) => cj.extract(x as tf.Tensor2D));
    const extract = maxAbs(await cropJs.data(), await values(cg.extract(roiPixels)), 255);
    // the refiner's stand-in: a column ramp of the crop plus noise (tf ops: packed textures on WebGL), attention -0.2 .. 1.2
    const noise = new Float32Array(S * S * 3).map(() => (rnd() - 0.5) * 0.2);
    const att = new Float32Array(S * S).map((_, k) => 1.2 - (1.4 * Math.floor(k / S)) / (S - 1) + (rnd() - 0.5) * 0.1);
    const refined = tf.tidy(() => tf.add(tf.mul(cropJs, tf.reshape(tf.linspace(0.6, 1.2, S), [1, 1, S, 1])), tf.tensor4d(noise, [1, S, S, 3]))) as tf.Tensor4D;
    const attention = tf.tensor4d(att, [1, S, S, 1]);
    const a = await values(
      await onHost([roiPixels, cropJs, refined, attention], (x, c, r, at) => cj.paste(x as tf.Tensor2D, c as tf.Tensor4D, r as tf.Tensor4D, at as tf.Tensor4D)),
    );
    const b = await values(cg.paste(roiPixels, cropJs, refined, attention));
    tf.dispose([cropJs, refined, attention]);
    const input = await roiPixels.data();
    const inMask = new Uint8Array(w * h);
    for (const k of g.paste.index) inMask[k] = 1;
    let untouched = 0;
    let alpha = 0;
    for (let k = 0; k < w * h; k++) {
      alpha = Math.max(alpha, Math.abs(b[4 * k + 3] - input[4 * k + 3]));
      if (!inMask[k]) for (let c = 0; c < 3; c++) untouched = Math.max(untouched, Math.abs(b[4 * k + c] - input[4 * k + c]));
    }
    return {
      pool: g.pool,
      extract,
      paste: maxAbs(a, b),
      pasteRounded: maxAbs(Uint8ClampedArray.from(a), Uint8ClampedArray.from(b)),
      untouched,
      alpha,
      masked: g.paste.index.length,
    };
  } finally {
    cj.dispose();
    cg.dispose();
  }
}

/** One render's sampling (warp, crop, paste) on a w x h ROI: tf.profile peak bytes and wall time (to the data on the CPU). */
async function profileSampling(sampler: Sampler, w: number, h: number): Promise<{ peak: number; ms: number }> {
  const rnd = prng(7);
  const roi = { x: 0, y: 0, width: w, height: h };
  const pixels = tf.tensor2d(image(w, h, rnd), [w * h, 4]);
  const gr = grid(17, 17, 3, 6, rnd);
  const S = 256;
  const crop = sampler.crop(cropGeometry(roi, cropRect(w / 2, h / 2, w * 0.7, 0.1), S));
  const once = async () => {
    const out = tf.tidy(() => {
      const warped = sampler.warp(pixels, h, w, gr);
      const c = crop.extract(warped);
      const refined = tf.mul(c, 0.9) as tf.Tensor4D;
      return crop.paste(warped, c, refined, tf.onesLike(tf.slice(c, [0, 0, 0, 0], [1, S, S, 1])) as tf.Tensor4D);
    });
    await values(out);
  };
  try {
    await once(); // compiles the shaders
    const t = performance.now();
    const info = await tf.profile(once);
    return { peak: info.peakBytes, ms: performance.now() - t };
  } finally {
    crop.dispose();
    pixels.dispose();
  }
}

/** The `kind` sampler on its own backend against 'js'; the memory comparison with 'ops' on WebGL only (WebGPU's is tests/render-webgpu.test.ts). */
async function parity(kind: 'webgl' | 'webgpu' = 'webgl'): Promise<ParityResult> {
  const info = await initBackend([kind]);
  await tf.ready();
  const rnd = prng(1234);
  const js = createSampler('js');
  const gl = createSampler(kind);
  const auto = createSampler('auto').kind;
  const before = tf.memory().numTensors;

  const roi: Rect = { x: 40, y: 30, width: 211, height: 173 };
  const { width: w, height: h } = roi;
  const src = image(w, h, rnd);
  const pixels = tf.tensor2d(src, [w * h, 4]);
  const gr = grid(7, 6, 3, 12, rnd);
  const warpedJs = await onHost([pixels], (x) => js.warp(x as tf.Tensor2D, h, w, gr));
  const a = await warpedJs.data();
  const b = await values(gl.warp(pixels, h, w, gr));
  // pixels whose four surrounding nodes are still: the cells between node rows / cols 0..2
  let stillCells = 0;
  const x2 = Math.floor((2 * (w - 1)) / (gr.cols - 1));
  const y2 = Math.floor((2 * (h - 1)) / (gr.rows - 1));
  for (let j = 0; j < y2; j++)
    for (let i = 0; i < x2; i++) for (let c = 0; c < 4; c++) stillCells = Math.max(stillCells, Math.abs(b[4 * (j * w + i) + c] - src[4 * (j * w + i) + c]));
  const still = { ...gr, dx: new Float32Array(gr.dx.length), dy: new Float32Array(gr.dy.length) };
  const identity = maxAbs(await values(gl.warp(pixels, h, w, still)), src);

  const crops = [
    await cropCase(js, gl, roi, warpedJs, 64, 110, 0.2, rnd), // pool 1
    await cropCase(js, gl, roi, warpedJs, 32, 150, -0.3, rnd), // pool 4
  ];
  tf.dispose([pixels, warpedJs]);
  const leaked = tf.memory().numTensors - before;

  const none = { peak: 0, ms: 0 };
  const pg = kind === 'webgl' ? await profileSampling(gl, 1024, 1024) : none;
  const po = kind === 'webgl' ? await profileSampling(createSampler('ops'), 1024, 1024) : none;
  return {
    backend: info.name,
    auto,
    warp: maxAbs(a, b),
    warpRounded: maxAbs(Uint8ClampedArray.from(a), Uint8ClampedArray.from(b)),
    identity,
    stillCells,
    crops,
    leaked,
    peakBytes: { webgl: pg.peak, ops: po.peak },
    ms: { webgl: pg.ms, ops: po.ms },
  };
}

const api = { parity };
export type SamplerWorker = typeof api;
Comlink.expose(api);
