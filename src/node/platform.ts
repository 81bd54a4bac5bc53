/** Node side of the engine: model bytes from the file system, the tfjs WASM backend's binaries from node_modules. */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ByteSource } from '../engine/index';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MODEL_DIR = join(ROOT, 'public', 'models');

export function fileByteSource(dir = MODEL_DIR): ByteSource {
  return async (path) => {
    const b = await readFile(join(dir, path));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
}

/** Points tfjs-backend-wasm at its .wasm files in node_modules (Node reads them from disk). */
export function pointWasmAtNodeModules(): void {
  (globalThis as { __tfjsWasmPath?: string }).__tfjsWasmPath = `${join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')}/`;
}
