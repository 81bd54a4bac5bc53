/**
 * Sampler parity page (dist/e2e/sampler.html), driven by e2e/sampler.spec.ts through
 * `window.__samplers.parity(kind)`: each check runs in a fresh worker (e2e/sampler-worker.ts) on its
 * own backend, as the app's engine does.
 */
import * as Comlink from 'comlink';
import type { ParityResult, SamplerWorker } from './sampler-worker';

export type { ParityResult };

async function parity(kind: 'webgl' | 'webgpu'): Promise<ParityResult> {
  const worker = new Worker(new URL('./sampler-worker.ts', import.meta.url), { type: 'module', name: `leed-samplers-${kind}` });
  const remote = Comlink.wrap<SamplerWorker>(worker);
  try {
    return await remote.parity(kind);
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}

Object.defineProperty(window, '__samplers', { value: Object.freeze({ parity }), configurable: true });
document.getElementById('log')!.textContent = 'sampler parity page ready';
