/**
 * Backend start-up: WebGPU first, then WebGL, then CPU. The reason for every fallback is kept so
 * the UI can show it; nothing falls back silently.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { EditorError, ErrorCode } from '../errors';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** One line per backend that was tried before `name` and failed. Empty when the first choice worked. */
  fallbackReasons: string[];
  /** Adapter description for WebGPU (vendor / architecture), when known. */
  adapter?: string;
}

const DEFAULT_BACKENDS: BackendName[] = ['webgpu', 'webgl', 'cpu'];

async function register(name: BackendName): Promise<string | null> {
  switch (name) {
    case 'webgpu': {
      const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
      if (!gpu) return 'WebGPU is not available here (navigator.gpu is missing)';
      const adapter = await gpu.requestAdapter();
      if (!adapter) return 'WebGPU is present but no GPU adapter was granted';
      await import('@tensorflow/tfjs-backend-webgpu');
      return null;
    }
    case 'webgl':
      if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') return 'WebGL needs a canvas, which this environment lacks';
      await import('@tensorflow/tfjs-backend-webgl');
      return null;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const g = globalThis as { __tfjsWasmPath?: string };
      if (g.__tfjsWasmPath) wasm.setWasmPaths(g.__tfjsWasmPath);
      return null;
    }
    default:
      return null;
  }
}

/** Starts the first backend of `preferred` that works and tells which one and why the others did not. */
export async function initBackend(preferred: BackendName[] = DEFAULT_BACKENDS): Promise<BackendInfo> {
  const fallbackReasons: string[] = [];
  for (const name of preferred) {
    try {
      const problem = await register(name);
      if (problem) {
        fallbackReasons.push(`${name}: ${problem}`);
        continue;
      }
      if (!(await tf.setBackend(name))) {
        fallbackReasons.push(`${name}: initialisation failed`);
        continue;
      }
      await tf.ready();
      if (tf.getBackend() !== name) {
        fallbackReasons.push(`${name}: tfjs chose ${tf.getBackend()} instead`);
        continue;
      }
      let adapter: string | undefined;
      if (name === 'webgpu') {
        const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
        if (info) adapter = [info.vendor, info.architecture].filter(Boolean).join(' / ');
      }
      return { name, fallbackReasons, adapter };
    } catch (e) {
      fallbackReasons.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new EditorError(ErrorCode.BACKEND, fallbackReasons.join('; '));
}
