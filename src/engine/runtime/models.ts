/**
 * Model files: fetched from one base location (same origin in the browser, the file system in Node),
 * every byte checked against the sha256 pinned in public/models/manifest.json before tfjs sees it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { EditorError, ErrorCode } from '../errors';

/** Reads the bytes at a path relative to the model root. */
export type ByteSource = (path: string) => Promise<ArrayBuffer>;
export type ProgressCallback = (fraction: number, label: string) => void;

export interface ModelManifest {
  files: Record<string, string>;
}

export function fetchByteSource(baseUrl: string): ByteSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return async (path) => {
    const res = await fetch(base + path);
    if (!res.ok) throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: HTTP ${res.status}`);
    return res.arrayBuffer();
  };
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A model store: verified byte reads plus tfjs loaders on top of them. */
export class ModelStore {
  private manifest: ModelManifest | null = null;
  constructor(private readonly source: ByteSource) {}

  private async getManifest(): Promise<ModelManifest> {
    if (!this.manifest) {
      const raw = await this.read('manifest.json');
      this.manifest = JSON.parse(new TextDecoder().decode(raw)) as ModelManifest;
    }
    return this.manifest;
  }

  private async read(path: string): Promise<ArrayBuffer> {
    try {
      return await this.source(path);
    } catch (e) {
      if (e instanceof EditorError) throw e;
      throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Whether the build ships `path` (it is listed in the manifest, read once per store). */
  async has(path: string): Promise<boolean> {
    return Object.hasOwn((await this.getManifest()).files, path);
  }

  /** Reads a file listed in the manifest and verifies its sha256. */
  async readVerified(path: string): Promise<ArrayBuffer> {
    const manifest = await this.getManifest();
    const expected = manifest.files[path];
    if (!expected) throw new EditorError(ErrorCode.MODEL_INTEGRITY, `${path} is not in the model manifest`);
    const bytes = await this.read(path);
    const got = await sha256Hex(bytes);
    if (got !== expected) throw new EditorError(ErrorCode.MODEL_INTEGRITY, `${path}: sha256 ${got.slice(0, 12)}… != pinned ${expected.slice(0, 12)}…`);
    return bytes;
  }

  async readJSON<T>(path: string): Promise<T> {
    return JSON.parse(new TextDecoder().decode(await this.readVerified(path))) as T;
  }

  /** Weight tensors from a tfjs weights manifest (model.json with `weightsManifest`), by name. */
  async loadWeights(jsonPath: string): Promise<{ json: Record<string, unknown>; weights: tf.NamedTensorMap }> {
    const json = await this.readJSON<Record<string, unknown>>(jsonPath);
    const [specs, data] = await this.loadShards(jsonPath, json.weightsManifest as tf.io.WeightsManifestConfig);
    return { json, weights: tf.io.decodeWeights(data, specs) };
  }

  private async loadShards(jsonPath: string, manifest: tf.io.WeightsManifestConfig): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
    const dir = jsonPath.includes('/') ? jsonPath.slice(0, jsonPath.lastIndexOf('/') + 1) : '';
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) buffers.push(await this.readVerified(dir + p));
    }
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  }

  /** `edit` may change the graph's JSON before it is built (the bytes were verified as published). */
  async loadGraphModel(jsonPath: string, edit?: (json: tf.io.ModelJSON) => void): Promise<GraphModel> {
    const json = await this.readJSON<tf.io.ModelJSON>(jsonPath);
    edit?.(json);
    const handler: tf.io.IOHandler = {
      load: () => tf.io.getModelArtifactsForJSON(json, (m) => this.loadShards(jsonPath, m)),
    };
    try {
      return await loadGraphModel(handler);
    } catch (e) {
      if (e instanceof EditorError) throw e;
      throw new EditorError(ErrorCode.MODEL_LOAD, `${jsonPath}: ${(e as Error).message}`, { cause: e });
    }
  }
}
