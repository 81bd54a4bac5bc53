/**
 * The UI thread's handle on one engine worker: the worker's API with plain signatures (callbacks
 * proxied and pixel buffers transferred here), so the store never sees comlink. `onCrash` hears an
 * uncaught error in the worker; `ping` is the heartbeat; `terminate` ends it. engine-supervisor.ts
 * restarts crashed workers, and workers that stop answering pings.
 */
import * as Comlink from 'comlink';
import type { WorkerApi, WorkerHeartbeat, WorkerTestApi } from './protocol';

/** Test builds only (vite.config.ts): the worker's test methods, and a way to end it behind the supervisor's back. */
interface EngineClientTestHooks extends WorkerTestApi {
  /** Terminates the Worker itself, as the browser ends a worker that ran out of memory: no event says so. */
  terminateWorker(): void;
}

export interface EngineClient {
  api: WorkerApi;
  /** Resolves when the worker's message loop answers (never, once the worker is gone). */
  ping: WorkerHeartbeat['ping'];
  /** Test builds only; window.__leedEngine reaches them through the supervisor. */
  test?: EngineClientTestHooks;
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
  const remote = Comlink.wrap<WorkerApi & WorkerHeartbeat & WorkerTestApi>(worker);
  const api: WorkerApi = {
    init: (options, onProgress, onEvent) => remote.init(options, Comlink.proxy(onProgress), onEvent ? Comlink.proxy(onEvent) : undefined),
    open: (input) => remote.open(input instanceof Blob ? input : Comlink.transfer(input, [input.data.buffer])),
    face: (photoId, index) => remote.face(photoId, index),
    edit: (faceId, reference, regions, units) => remote.edit(faceId, reference, regions, units),
    expression: (editId, name) => remote.expression(editId, name),
    readExpression: (text) => remote.readExpression(text),
    render: (editId, a, kind) => remote.render(editId, a, kind),
    thumbnail: (faceId, reference, size) => remote.thumbnail(faceId, reference, size),
    live: (faceId, pixels, options) => remote.live(faceId, Comlink.transfer(pixels, [pixels.data.buffer]), options),
    export: (id, a, format, quality) => remote.export(id, a, format, quality),
    dispose: (id) => remote.dispose(id),
    memory: () => remote.memory(),
  };
  const test: EngineClientTestHooks | undefined = __LEED_TEST_HOOKS__
    ? {
        testLoseDevice: () => remote.testLoseDevice(),
        testCrash: () => remote.testCrash(),
        terminateWorker: () => worker.terminate(),
      }
    : undefined;
  return {
    api,
    ping: () => remote.ping(),
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
