/** The UI thread's handle on the engine worker. Creating one starts a worker; `terminate` ends it. */
import * as Comlink from 'comlink';
import type { WorkerApi } from './protocol';

export interface EngineClient {
  api: Comlink.Remote<WorkerApi>;
  terminate(): void;
}

export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'leed-engine' });
  const api = Comlink.wrap<WorkerApi>(worker);
  return {
    api,
    terminate() {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

/** Absolute URL of the models folder, resolved against the page (the worker's base differs). */
export function modelBaseUrl(): string {
  return new URL('models', new URL(import.meta.env.BASE_URL, location.href)).href;
}

export { Comlink };
