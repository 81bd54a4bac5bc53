/// <reference lib="webworker" />
/**
 * The benchmark's engine: one worker per backend (each starts clean, as the app's worker does), driving
 * the engine API directly and timing the steps the app performs. Steps the build cannot do report null.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { createEditor, type BackendName, type Edit, type Editor, type Face, type Patch, type Photo, type RGBAImage } from '../src/engine/index';
import { createFaceMesh, createModelStore, pixelsToTensor } from '../src/engine/tools';
import { createFrameScheduler } from '../src/app/frame-scheduler';

export interface BenchRow {
  backend: string;
  fallbackReasons: string[];
  /** createEditor: until a photo can be opened (detector and mesh loaded and warmed). */
  modelLoadMs: number;
  /** Until every model is loaded (editor.loaded: the expression models and the refiner too). */
  allLoadedMs: number;
  /** The refiner's background warm-up that the first face starts (progress back at 1), from that face. */
  refinerWarmMs: number | null;
  analysisMs: number;
  analysisWarmMs: number;
  /** Face width of the upscaled photo the slider frame ran on. */
  sliderFaceWidth: number | null;
  sliderFrameMs: number | null;
  /** Warp-only preview frame (what the slider shows while it moves), median of 3. */
  previewFrameMs: number | null;
  /**
   * A full frame where the refiner paints the mouth (the same targets through Face.renderTarget, which carries no
   * mouth interior from a photo: what a preset opening a closed mouth costs), median of 3; and its refined pixels.
   */
  refinerFrameMs: number | null;
  refinedPixels: number | null;
  /** 20-step drag through the app's frame scheduler: last input to its full frame. */
  dragMs: number | null;
  export12MpMs: number | null;
  export12MpSize: string | null;
  meshInferenceMs: number | null;
  peakBytes: number;
  notes: string[];
}

/** `bitmap` drawn at w x h (high-quality smoothing), optionally letterboxed into a W x H frame, as RGBA pixels. */
function draw(bitmap: ImageBitmap, W: number, H: number, x = 0, w = W, h = H): RGBAImage {
  const ctx = new OffscreenCanvas(W, H).getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
  ctx.fillStyle = '#202020';
  ctx.fillRect(0, 0, W, H);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, x, 0, w, h);
  const id = ctx.getImageData(0, 0, W, H);
  return { width: W, height: H, data: id.data };
}

/** What the app's worker does for a frame: the render, then the patch as an ImageBitmap. */
async function frame(edit: Edit, a: number, refiner = true): Promise<number> {
  const t = performance.now();
  const p = await edit.render(a, { refiner });
  (await createImageBitmap(new ImageData(new Uint8ClampedArray(p.data), p.width, p.height))).close();
  return performance.now() - t;
}

/**
 * A 20-step drag through the app's own frame scheduler (previews while it moves, the full frame at rest):
 * 20 slider values 16 ms apart (a 60 Hz drag); the time from the last input to its full frame on screen.
 */
async function drag(edit: Edit, from: number): Promise<number> {
  const show = async (p: Promise<Patch>) => {
    const q = await p;
    return createImageBitmap(new ImageData(new Uint8ClampedArray(q.data), q.width, q.height));
  };
  let lastInput = 0;
  let done: (ms: number) => void = () => {};
  let fail: (e: unknown) => void = () => {};
  const finished = new Promise<number>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const scheduler = createFrameScheduler<number, ImageBitmap>({
    render: (a) => show(edit.render(a)),
    preview: (a) => show(edit.render(a, { refiner: false })),
    deliver: (bitmap, a, kind) => {
      bitmap.close();
      if (kind === 'full' && a === from + 20 * 0.02) done(performance.now() - lastInput);
    },
    discard: (bitmap) => bitmap.close(),
    onError: (e) => fail(e),
  });
  for (let k = 1; k <= 20; k++) {
    scheduler.request(from + k * 0.02);
    lastInput = performance.now();
    await new Promise((r) => setTimeout(r, 16));
  }
  return finished;
}

/** createEditor timed: until it resolves (a photo can be opened) and until everything has loaded; `idle` waits for progress 1. */
async function load(backend: BackendName, models: string, waitForAll = true) {
  let fraction = 0;
  let onIdle: (() => void) | null = null;
  const t = performance.now();
  const editor = await createEditor({
    models,
    backends: [backend],
    onProgress: (f) => {
      fraction = f;
      if (f >= 1) onIdle?.();
    },
  });
  const modelLoadMs = performance.now() - t;
  if (waitForAll) await editor.loaded;
  const allLoadedMs = performance.now() - t;
  const idle = () =>
    fraction >= 1
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          onIdle = resolve;
        });
  return { editor, modelLoadMs, allLoadedMs, idle };
}

/**
 * Load times only (BENCH_LOAD_ONLY): createEditor, everything loaded, the sample opened as soon as createEditor
 * resolves (its face found: what a user who opens a photo at once waits), and the refiner's warm-up after that face.
 */
async function loadOnly(backend: BackendName, models: string, sampleUrl: string) {
  const file = await (await fetch(sampleUrl)).blob();
  const t0 = performance.now();
  const { editor, modelLoadMs, idle } = await load(backend, models, false);
  let allLoadedMs = 0;
  const loaded = editor.loaded.then(() => {
    allLoadedMs = performance.now() - t0;
  });
  try {
    const photo = await editor.open(file);
    await photo.face(0);
    const firstFaceMs = performance.now() - t0;
    await loaded;
    const t = performance.now();
    await idle();
    return { backend: editor.backend.name, modelLoadMs, allLoadedMs, firstFaceMs, refinerWarmMs: performance.now() - t };
  } finally {
    editor.dispose();
  }
}

/** One single-pass FaceMesh inference on `face` of `photo` (the editor runs two passes per face): `time(n)` is the mean of n runs. */
async function meshTimer(models: string, photo: Photo, face: Face) {
  const mesh = await createFaceMesh(createModelStore(models));
  const tensor = pixelsToTensor(photo.image);
  await mesh.estimate(tensor, 1, face.box, 1); // warm-up
  return {
    async time(n: number): Promise<number> {
      const t = performance.now();
      for (let i = 0; i < n; i++) await mesh.estimate(tensor, 1, face.box, 1);
      return (performance.now() - t) / n;
    },
    dispose() {
      tensor.dispose();
      mesh.dispose();
    },
  };
}

async function meshInference(models: string, photo: Photo, face: Face): Promise<number> {
  const timer = await meshTimer(models, photo, face);
  try {
    return await timer.time(5);
  } finally {
    timer.dispose();
  }
}

/** The sample upscaled so that its face box is ~512 px wide, opened. */
function bigSample(editor: Editor, bitmap: ImageBitmap, face: Face): Promise<Photo> {
  const k = 512 / face.box.width;
  return editor.open(draw(bitmap, Math.round(bitmap.width * k), Math.round(bitmap.height * k)));
}

/**
 * A full frame where the refiner paints the mouth: the sample's mouth is open, so the edit's full frames carry its own
 * teeth and skip the refiner; Face.renderTarget carries no interior. Median of 3 after a warm-up of its window sizes.
 */
async function refinerFrame(f: Face, edit: Edit): Promise<{ refinerFrameMs: number; refinedPixels: number }> {
  await f.renderTarget(edit.target(0.9));
  const painted: number[] = [];
  let refinedPixels = 0;
  for (const a of [0.8, 1.0, 1.2]) {
    const t = performance.now();
    const p = await f.renderTarget(edit.target(a));
    (await createImageBitmap(new ImageData(new Uint8ClampedArray(p.data), p.dataWidth, p.dataHeight))).close();
    painted.push(performance.now() - t);
    refinedPixels = p.refinedPixels;
  }
  return { refinerFrameMs: painted.sort((x, y) => x - y)[1], refinedPixels };
}

/**
 * What the waits (bench-waits.ts) are measured against, on an editor of its own that stays open while the app's worker
 * runs them: face-mesh inferences taken between the waits (`meshSample`: the machine's load changes over a run), and
 * at the end (`baselineEnd`) the full frame where the refiner paints a mouth (the sample's face upscaled to ~512 px,
 * the surprise preset).
 */
let base: { editor: Editor; photo: Photo; face: Face; bitmap: ImageBitmap; timer: Awaited<ReturnType<typeof meshTimer>> } | null = null;

async function baselineStart(backend: BackendName, models: string, sampleUrl: string): Promise<string> {
  const { editor, idle } = await load(backend, models);
  const file = await (await fetch(sampleUrl)).blob();
  const bitmap = await createImageBitmap(file);
  const photo = await editor.open(file);
  const face = await photo.face(0);
  await idle();
  base = { editor, photo, face, bitmap, timer: await meshTimer(models, photo, face) };
  return editor.backend.name;
}

/** The mean of 3 inferences. */
const meshSample = () => base!.timer.time(3);

/** `releaseOnly`: no refiner frame, only release the baseline's editor (the live table has no use for it). */
async function baselineEnd(releaseOnly = false): Promise<{ refinerFrameMs: number | null; refinedPixels: number | null }> {
  const { editor, photo, face, bitmap, timer } = base!;
  base = null;
  try {
    timer.dispose();
    if (releaseOnly || !editor.capabilities.expression) return { refinerFrameMs: null, refinedPixels: null };
    const big = await bigSample(editor, bitmap, face);
    const f = await big.face(0);
    const edit = await f.edit({ preset: 'surprise' });
    await edit.render(1); // the render session and the texture's gain
    return await refinerFrame(f, edit);
  } finally {
    photo.dispose();
    bitmap.close();
    editor.dispose();
  }
}

async function run(backend: BackendName, models: string, sampleUrl: string): Promise<BenchRow> {
  const notes: string[] = [];
  let peakBytes = 0;
  const sample = () => {
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
  };
  const { editor, modelLoadMs, allLoadedMs, idle } = await load(backend, models);
  let t = performance.now();
  sample();
  try {
    const file = await (await fetch(sampleUrl)).blob();
    const bitmap = await createImageBitmap(file);

    // Analysis of a photo: decode + detect + two-pass mesh on the 512x512 sample (PNG file), everything loaded
    // (as before the expression models loaded in the background).
    t = performance.now();
    const photo = await editor.open(file);
    const face0 = await photo.face(0);
    const analysisMs = performance.now() - t;
    sample();
    // The first face starts the refiner's warm-up in the background: the later steps are timed after it.
    t = performance.now();
    await idle();
    const refinerWarmMs = performance.now() - t;
    // Again, now that every shader for these sizes is compiled (what each later photo costs).
    t = performance.now();
    const again = await editor.open(file);
    await again.face(0);
    const analysisWarmMs = performance.now() - t;
    again.dispose();

    const meshInferenceMs = await meshInference(models, photo, face0);
    photo.dispose();

    let sliderFrameMs: number | null = null;
    let previewFrameMs: number | null = null;
    let refinerFrameMs: number | null = null;
    let refinedPixels: number | null = null;
    let dragMs: number | null = null;
    let sliderFaceWidth: number | null = null;
    let export12MpMs: number | null = null;
    let export12MpSize: string | null = null;
    if (editor.capabilities.expression) {
      const big = await bigSample(editor, bitmap, face0);
      const f = await big.face(0);
      sliderFaceWidth = Math.round(f.box.width);
      const edit = await f.edit({ preset: 'surprise' });
      await frame(edit, 0.5); // the first frame builds the render session and compiles shaders
      const times: number[] = [];
      for (const a of [0.8, 1.0, 1.2]) times.push(await frame(edit, a));
      sliderFrameMs = times.sort((x, y) => x - y)[1];
      await frame(edit, 0.7, false); // warm-up of the warp-only path
      const previews: number[] = [];
      for (const a of [0.8, 1.0, 1.2]) previews.push(await frame(edit, a, false));
      previewFrameMs = previews.sort((x, y) => x - y)[1];
      ({ refinerFrameMs, refinedPixels } = await refinerFrame(f, edit));
      dragMs = await drag(edit, 0.6);
      sample();
      big.dispose();

      // Full-resolution export of a 12-megapixel photo (4243 x 2828, the sample scaled and letterboxed).
      const huge = await editor.open(draw(bitmap, 4243, 2828, (4243 - 2828) / 2, 2828, 2828));
      const hf = await huge.face(0);
      const hedit = await hf.edit({ preset: 'surprise' });
      let blob!: Blob;
      const info = await tf.profile(async () => {
        t = performance.now();
        await hedit.render(1);
        blob = (await hedit.export(1, 'png')) as Blob;
        export12MpMs = performance.now() - t;
        return [];
      });
      peakBytes = Math.max(peakBytes, info.peakBytes);
      const check = await createImageBitmap(blob);
      export12MpSize = `${check.width}x${check.height}`;
      check.close();
      huge.dispose();
    } else {
      notes.push('slider frame and export need the expression models');
      // Without them, peak memory is profiled on the analysis.
      const info = await tf.profile(async () => {
        const p = await editor.open(file);
        await p.face(0);
        p.dispose();
        return [];
      });
      peakBytes = Math.max(peakBytes, info.peakBytes);
    }
    bitmap.close();
    return {
      backend: editor.backend.name,
      fallbackReasons: editor.backend.fallbackReasons,
      modelLoadMs,
      allLoadedMs,
      refinerWarmMs,
      analysisMs,
      analysisWarmMs,
      sliderFaceWidth,
      sliderFrameMs,
      previewFrameMs,
      refinerFrameMs,
      refinedPixels,
      dragMs,
      export12MpMs,
      export12MpSize,
      meshInferenceMs,
      peakBytes,
      notes,
    };
  } finally {
    editor.dispose();
  }
}

const api = { run, loadOnly, baselineStart, meshSample, baselineEnd };
export type BenchWorker = typeof api;
Comlink.expose(api);
