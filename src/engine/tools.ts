/** Building blocks that tools (evaluation, training, benchmarks) load directly, on the same verified model files as the editor. */
import { createFaceDescriber as describer, type FaceDescriber } from './analyse/describe';
import { fetchByteSource, ModelStore, type ByteSource } from './runtime/models';

/** A verified reader of the model folder (a URL, or a reader of its files). */
export function createModelStore(models: string | ByteSource = 'models'): ModelStore {
  return new ModelStore(typeof models === 'function' ? models : fetchByteSource(models));
}

/** The identity-embedding and emotion models of @vladmandic/human (evaluation only; the editor does not load them). */
export function createFaceDescriber(models: string | ByteSource | ModelStore = 'models'): Promise<FaceDescriber> {
  return describer(models instanceof ModelStore ? models : createModelStore(models));
}
