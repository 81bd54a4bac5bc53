/**
 * Benchmark page (dist/e2e/bench.html), driven by e2e/bench.ts through `window.__bench.run(backend)`.
 * Each run starts a fresh worker (e2e/bench-worker.ts) on one backend, which runs the engine API
 * directly and times the steps the app performs.
 */
import * as Comlink from 'comlink';
import type { BackendName } from '../src/engine/index';
import type { BenchRow, BenchWorker } from './bench-worker';
import { timeWaits, type WaitsRow } from './bench-waits';
import { timeLiveInApp, type LiveFiles, type LiveRow } from './bench-live';

export type { BenchRow, LiveRow, WaitsRow };

/** The waits of a backend and what they are measured against (bench-worker.ts baselineStart .. baselineEnd). */
export interface WaitsResult {
  waits: WaitsRow;
  /** Face-mesh inferences taken between the waits (each the mean of 3), and the refiner-painting frame. */
  baseline: { backend: string; meshSamplesMs: number[]; refinerFrameMs: number | null; refinedPixels: number | null };
}

const here = new URL(import.meta.env.BASE_URL, location.href);

async function inWorker<T>(backend: BackendName, fn: (remote: Comlink.Remote<BenchWorker>, models: string, sample: string) => Promise<T>): Promise<T> {
  const worker = new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module', name: `leed-bench-${backend}` });
  const remote = Comlink.wrap<BenchWorker>(worker);
  try {
    return await fn(remote, new URL('models', here).href, new URL('samples/astronaut.png', here).href);
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}

const run = (backend: BackendName): Promise<BenchRow> => inWorker(backend, (r, m, s) => r.run(backend, m, s));
const loadOnly = (backend: BackendName) => inWorker(backend, (r, m, s) => r.loadOnly(backend, m, s));
const blob = async (url: string) => (await fetch(url)).blob();

/**
 * The user's waits in the app's worker, with face-mesh inferences in a bench worker between them (one runs at a
 * time), then the refiner-painting frame in the bench worker.
 */
async function waits(backend: BackendName, fixtures: { london: string; references: string[] }): Promise<WaitsResult> {
  const files = {
    sample: await blob(new URL('samples/astronaut.png', here).href),
    london: await blob(fixtures.london),
    references: await Promise.all(fixtures.references.map(blob)),
  };
  return inWorker(backend, async (remote, models, sample) => {
    const name = await remote.baselineStart(backend, models, sample);
    const meshSamplesMs: number[] = [];
    const w = await timeWaits(backend, models, files, async () => {
      meshSamplesMs.push(await remote.meshSample());
    });
    const end = await remote.baselineEnd();
    return { waits: w, baseline: { backend: name, meshSamplesMs, ...end } };
  });
}

/** Live frames and the video export in the app's worker, between face-mesh inferences in a bench worker (as `waits`). */
async function live(backend: BackendName, fixtures: { photo: string; performer: string[] }): Promise<LiveResult> {
  const files: LiveFiles = { photo: await blob(fixtures.photo), performer: await Promise.all(fixtures.performer.map(blob)) };
  return inWorker(backend, async (remote, models, sample) => {
    const name = await remote.baselineStart(backend, models, sample);
    const meshSamplesMs: number[] = [];
    const row = await timeLiveInApp(backend, models, files, async () => {
      meshSamplesMs.push(await remote.meshSample());
    });
    await remote.baselineEnd(true);
    return { live: row, baseline: { backend: name, meshSamplesMs } };
  });
}

/** The live row of a backend and the face-mesh inferences it is measured against. */
export interface LiveResult {
  live: LiveRow & { backend: string };
  baseline: { backend: string; meshSamplesMs: number[] };
}

Object.defineProperty(window, '__bench', { value: Object.freeze({ run, loadOnly, waits, live }), configurable: true });
document.getElementById('log')!.textContent = 'bench page ready';
