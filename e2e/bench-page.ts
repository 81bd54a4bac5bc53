/**
 * Benchmark page (dist/e2e/bench.html), driven by e2e/bench.ts through `window.__bench.run(backend)`.
 * Each run starts a fresh engine worker on one backend and times the steps the app performs.
 * Steps whose engine modules do not exist yet report null ("n/a").
 */
import { Comlink, createEngineClient, modelBaseUrl } from '../src/app/engine-client';
import type { BackendName, RawPixels, ReferenceChoice } from '../src/app/protocol';

export interface BenchRow {
  backend: string;
  fallbackReasons: string[];
  modelLoadMs: number;
  analysisMs: number;
  analysisWarmMs: number;
  /** Face width of the upscaled photo the slider frame ran on. */
  sliderFaceWidth: number | null;
  sliderFrameMs: number | null;
  export12MpMs: number | null;
  export12MpSize: string | null;
  meshInferenceMs: number | null;
  peakBytes: number;
  notes: string[];
}

async function sampleBitmap(): Promise<ImageBitmap> {
  const blob = await (await fetch(`${import.meta.env.BASE_URL}samples/astronaut.png`)).blob();
  return createImageBitmap(blob);
}

/** The sample, scaled to `w` x `h` with high-quality smoothing, as raw RGBA pixels. */
function upscale(bitmap: ImageBitmap, w: number, h: number): RawPixels {
  const c = new OffscreenCanvas(w, h);
  const ctx = c.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, w, h);
  const id = ctx.getImageData(0, 0, w, h);
  return { width: w, height: h, data: id.data };
}

const SURPRISE: ReferenceChoice = { kind: 'preset', preset: 'surprise' };

async function run(backend: BackendName): Promise<BenchRow> {
  const client = createEngineClient();
  const { api } = client;
  const notes: string[] = [];
  try {
    let t = performance.now();
    const info = await api.init({ modelBaseUrl: modelBaseUrl(), backends: [backend] }, Comlink.proxy(() => {}));
    const modelLoadMs = performance.now() - t;
    const caps = await api.capabilities();
    const sample = await sampleBitmap();

    // Analysis of a photo: decode + detect + two-pass mesh on the 512x512 sample (PNG file).
    const file = await (await fetch(`${import.meta.env.BASE_URL}samples/astronaut.png`)).blob();
    t = performance.now();
    const opened = await api.open(file);
    const face0 = await api.face(0);
    const analysisMs = performance.now() - t;
    opened.bitmap.close();
    // Again, now that every shader for these sizes is compiled (what each later photo costs).
    t = performance.now();
    (await api.open(file)).bitmap.close();
    await api.face(0);
    const analysisWarmMs = performance.now() - t;
    const meshInferenceMs = await api.benchMesh(5);

    // One slider frame on a ~512 px face: the sample upscaled so that its face box is ~512 px wide.
    let sliderFrameMs: number | null = null;
    let sliderFaceWidth: number | null = null;
    if (caps.expression && caps.render) {
      const k = 512 / face0.box.width;
      const big = upscale(sample, Math.round(sample.width * k), Math.round(sample.height * k));
      const o = await api.open(Comlink.transfer(big, [big.data.buffer]));
      o.bitmap.close();
      const f = await api.face(0);
      sliderFaceWidth = Math.round(f.box.width);
      (await api.render(SURPRISE, 0.5)).patch.close(); // first frame builds the session and compiles shaders
      const times: number[] = [];
      for (const a of [0.8, 1.0, 1.2]) {
        t = performance.now();
        (await api.render(SURPRISE, a)).patch.close();
        times.push(performance.now() - t);
      }
      sliderFrameMs = times.sort((x, y) => x - y)[1];
    } else {
      notes.push('slider frame and export need the expression targets and the renderer');
    }

    // Full-resolution export of a 12-megapixel photo (4243 x 2828, the sample scaled and letterboxed).
    let export12MpMs: number | null = null;
    let export12MpSize: string | null = null;
    if (caps.expression && caps.render) {
      const W = 4243; const H = 2828;
      const c = new OffscreenCanvas(W, H);
      const ctx = c.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
      ctx.fillStyle = '#202020';
      ctx.fillRect(0, 0, W, H);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(sample, (W - H) / 2, 0, H, H);
      const id = ctx.getImageData(0, 0, W, H);
      const o = await api.open(Comlink.transfer({ width: W, height: H, data: id.data }, [id.data.buffer]));
      o.bitmap.close();
      await api.face(0);
      await api.setProfiling(true);
      t = performance.now();
      (await api.render(SURPRISE, 1)).patch.close();
      const blob = await api.exportImage('image/png');
      export12MpMs = performance.now() - t;
      await api.setProfiling(false);
      const check = await createImageBitmap(blob);
      export12MpSize = `${check.width}x${check.height}`;
      check.close();
    } else {
      // Without the renderer, peak memory is profiled on the analysis.
      await api.setProfiling(true);
      (await api.open(file)).bitmap.close();
      await api.face(0);
      await api.setProfiling(false);
    }
    const mem = await api.memory();
    sample.close();
    return {
      backend: info.name, fallbackReasons: info.fallbackReasons, modelLoadMs, analysisMs, analysisWarmMs,
      sliderFaceWidth, sliderFrameMs, export12MpMs, export12MpSize, meshInferenceMs, peakBytes: mem.peakBytes, notes,
    };
  } finally {
    await api.dispose().catch(() => {});
    client.terminate();
  }
}

Object.defineProperty(window, '__bench', { value: Object.freeze({ run }), configurable: true });
document.getElementById('log')!.textContent = 'bench page ready';
