/**
 * Parallel shader compilation for warm-ups. A network's first run on a GPU backend compiles one
 * program per kernel, one after the other, each waiting for the previous one. tfjs can instead
 * record the programs without running them (WebGPU: the WEBGPU_ENGINE_COMPILE_ONLY flag, pipelines
 * made with createComputePipelineAsync; WebGL: ENGINE_COMPILE_ONLY, programs linked with
 * KHR_parallel_shader_compile) and then wait for all of them at once.
 *
 * While the flag is set no kernel runs and no value may be read, and until the compilation is
 * complete a normal run of the same programs throws: so `compileOnly` must not overlap any other GPU
 * work of the engine (it is used by the analysis warm-up, which `open` and the refiner's warm-up wait for: edit.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

interface CompilingBackend {
  checkCompileCompletionAsync?(): Promise<unknown>;
  /** WebGL: caches the uniform locations of the programs just linked (tfjs's own warm-up recipe). */
  getUniformLocations?(): void;
}

const FLAGS: Partial<Record<string, string>> = { webgpu: 'WEBGPU_ENGINE_COMPILE_ONLY', webgl: 'ENGINE_COMPILE_ONLY' };

/**
 * Compiles the GPU programs `run` uses (its tensors are disposed; their values are garbage) and
 * resolves when every one is ready. Returns false (and runs nothing) on backends without the mode
 * (cpu, wasm), where there is nothing to compile.
 */
export async function compileOnly(run: () => void): Promise<boolean> {
  const flag = FLAGS[tf.getBackend()];
  const backend = tf.backend() as unknown as CompilingBackend;
  if (!flag || typeof backend.checkCompileCompletionAsync !== 'function') return false;
  tf.env().set(flag, true);
  try {
    tf.tidy(run);
  } finally {
    tf.env().set(flag, false);
  }
  await backend.checkCompileCompletionAsync();
  backend.getUniformLocations?.();
  return true;
}
