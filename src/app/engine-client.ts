/**
 * The UI thread's handle on the engine worker: the worker's API with plain signatures (callbacks
 * proxied and pixel buffers transferred here), so the store never sees comlink. `terminate` ends it.
 */
import * as Comlink from 'comlink';
import type { WorkerApi } from './protocol';

export interface EngineClient {
  api: WorkerApi;
  terminate(): void;
}

export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'leed-engine' });
  const remote = Comlink.wrap<WorkerApi>(worker);
  const api: WorkerApi = {
    init: (options, onProgress) => remote.init(options, Comlink.proxy(onProgress)),
    open: (input) => remote.open(input instanceof Blob ? input : Comlink.transfer(input, [input.data.buffer])),
    face: (photoId, index) => remote.face(photoId, index),
    edit: (faceId, reference, regions) => remote.edit(faceId, reference, regions),
    render: (editId, a) => remote.render(editId, a),
    export: (id, a, format, quality) => remote.export(id, a, format, quality),
    dispose: (id) => remote.dispose(id),
    memory: () => remote.memory(),
  };
  return {
    api,
    terminate() {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

/** Absolute URL of the models folder, resolved against the page (the worker's base differs). */
export function modelBaseUrl(): string {
  return new URL('models', new URL(import.meta.env.BASE_URL, location.href)).href;
}
