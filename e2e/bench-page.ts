/**
 * Benchmark page (dist/e2e/bench.html), driven by e2e/bench.ts through `window.__bench.run(backend)`.
 * Each run starts a fresh worker (e2e/bench-worker.ts) on one backend, which runs the engine API
 * directly and times the steps the app performs.
 */
import * as Comlink from 'comlink';
import type { BackendName } from '../src/engine/index';
import type { BenchRow, BenchWorker } from './bench-worker';

export type { BenchRow };

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

Object.defineProperty(window, '__bench', { value: Object.freeze({ run, loadOnly }), configurable: true });
document.getElementById('log')!.textContent = 'bench page ready';
