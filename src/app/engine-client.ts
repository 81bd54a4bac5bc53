/**
 * The UI thread's handle on one engine worker: the worker's API with plain signatures (callbacks
 * proxied and pixel buffers transferred here), so the store never sees comlink. `onCrash` hears an
 * uncaught error in the worker; `terminate` ends it. engine-supervisor.ts restarts crashed workers.
 */
import * as Comlink from 'comlink';
import type { WorkerApi, WorkerTestApi } from './protocol';

export interface EngineClient {
  api: WorkerApi;
  /** The worker's test methods, in test builds only (vite.config.ts); window.__leedEngine reaches them. */
  test?: WorkerTestApi;
  terminate(): void;
}

export interface EngineClientOptions {
  /** The worker threw an uncaught error or could not be started: it must be replaced. */
  onCrash?: (reason: string) => void;
}

export function createEngineClient(options: EngineClientOptions = {}): EngineClient {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'leed-engine' });
  let ended = false;
  const crashed = (reason: string) => {
    if (!ended) options.onCrash?.(reason);
  };
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    crashed(e.message || 'the engine worker failed');
  });
  worker.addEventListener('messageerror', () => crashed('a message from the engine worker could not be read'));
  const remote = Comlink.wrap<WorkerApi & WorkerTestApi>(worker);
  const api: WorkerApi = {
    init: (options, onProgress, onEvent) => remote.init(options, Comlink.proxy(onProgress), onEvent ? Comlink.proxy(onEvent) : undefined),
    open: (input) => remote.open(input instanceof Blob ? input : Comlink.transfer(input, [input.data.buffer])),
    face: (photoId, index) => remote.face(photoId, index),
    edit: (faceId, reference, regions) => remote.edit(faceId, reference, regions),
    render: (editId, a, kind) => remote.render(editId, a, kind),
    export: (id, a, format, quality) => remote.export(id, a, format, quality),
    dispose: (id) => remote.dispose(id),
    memory: () => remote.memory(),
  };
  const test: WorkerTestApi | undefined = __LEED_TEST_HOOKS__
    ? {
        testLoseDevice: () => remote.testLoseDevice(),
        testCrash: () => remote.testCrash(),
      }
    : undefined;
  return {
    api,
    test,
    terminate() {
      ended = true;
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

/** Absolute URL of the models folder, resolved against the page (the worker's base differs). */
export function modelBaseUrl(): string {
  return new URL('models', new URL(import.meta.env.BASE_URL, location.href)).href;
}
