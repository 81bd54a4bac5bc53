/// <reference lib="webworker" />
/**
 * The engine's home in the browser: a dedicated module worker. Everything that touches tfjs runs
 * here; the UI thread talks to it through comlink and receives only plain data and ImageBitmaps.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { createEditor, type Editor, type FaceAnalysis, type Photo } from '../engine/analyse/analyser';
import { encodeImage } from '../engine/io/encode';
import { pixelsToTensor } from '../engine/analyse/image-ops';
import { createFaceMesh, type FaceMesh } from '../engine/analyse/mesh';
import type { Refiner } from '../engine/render/refine';
import { applyPatch, createRenderSession, type RenderPatch, type RenderSession } from '../engine/render/session';
import { createExpressionEngine, loadRefiner, shippedModels, type ExpressionEngine } from './edit-engine';
import { EditorError, ErrorCode, isEditorError } from '../engine/errors';
import type { RGBAImage } from '../engine/types';
import type { Capabilities, FaceResult, InitOptions, MemoryInfo, OpenedPhoto, RawPixels, ReferenceChoice, RenderResult, WorkerApi, WorkerError } from './protocol';

function toWorkerError(e: unknown): WorkerError {
  if (isEditorError(e)) return { name: 'EditorError', code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { name: 'EditorError', code: ErrorCode.BAD_ARGUMENT, message };
}

/** Rethrows any failure as a plain WorkerError object, which comlink clones with its `code`. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toWorkerError(e);
  }
}

function toResult(index: number, a: FaceAnalysis): FaceResult {
  return { index, box: a.box, points: a.landmarks.points, score: a.landmarks.score, pose: a.landmarks.pose };
}

async function toBitmap(img: RGBAImage): Promise<ImageBitmap> {
  const data = new ImageData(new Uint8ClampedArray(img.data.buffer as ArrayBuffer, img.data.byteOffset, img.data.byteLength), img.width, img.height);
  return createImageBitmap(data);
}

export function createWorkerApi(): WorkerApi {
  let editor: Editor | null = null;
  let photo: Photo | null = null;
  let current: FaceAnalysis | null = null;
  let reference: { photo: Photo; face: FaceAnalysis } | null = null;
  let rendered: RenderPatch | null = null;
  let session: RenderSession | null = null;
  let expression: ExpressionEngine | null = null;
  let refiner: Refiner | null = null;
  let peakBytes = 0;

  let profiling = false;
  const sample = () => { peakBytes = Math.max(peakBytes, tf.memory().numBytes); };
  /** Runs `fn`, inside tf.profile when profiling is on (peak tensor bytes of everything it ran). */
  async function measured<T>(fn: () => Promise<T>): Promise<T> {
    if (!profiling) { const r = await fn(); sample(); return r; }
    let result!: T;
    const info = await tf.profile(async () => { result = await fn(); return []; });
    peakBytes = Math.max(peakBytes, info.peakBytes);
    return result;
  }
  const need = <T>(x: T | null, what: string): T => {
    if (!x) throw new EditorError(ErrorCode.BAD_ARGUMENT, `${what} first`);
    return x;
  };

  function releaseModels() {
    session?.dispose();
    session = null;
    refiner?.dispose();
    expression?.dispose();
    editor?.dispose();
    refiner = null; expression = null; editor = null;
  }

  const api: WorkerApi = {
    init: (options: InitOptions, onProgress) => guard(async () => {
      releaseModels();
      editor = await createEditor({ modelBaseUrl: options.modelBaseUrl, backends: options.backends, onProgress: (f, l) => { void onProgress(f * 0.85, l); } });
      void onProgress(0.9, 'Loading the expression models');
      const shipped = await shippedModels(options.modelBaseUrl);
      expression = await createExpressionEngine(editor, shipped);
      refiner = expression ? await loadRefiner(editor, shipped) : null;
      void onProgress(1, 'Ready');
      sample();
      return editor.backend;
    }),

    capabilities: async (): Promise<Capabilities> => ({
      expression: expression !== null,
      presets: [...(expression?.presets ?? [])],
      regions: [...(expression?.regions ?? [])],
      render: expression !== null,
      refiner: refiner !== null,
    }),

    open: (file: Blob | RawPixels) => guard(async (): Promise<OpenedPhoto> => {
      const ed = need(editor, 'init');
      const next = await measured(() => ed.open(file));
      photo?.dispose();
      photo = next;
      current = null;
      rendered = null;
      session?.dispose();
      session = null;
      sample();
      const bitmap = await toBitmap(next.image);
      return Comlink.transfer({ width: next.image.width, height: next.image.height, faces: next.faces, bitmap }, [bitmap]);
    }),

    face: (index: number) => guard(async () => {
      const p = need(photo, 'open a photo');
      const analysis = await measured(() => p.face(index));
      if (photo !== p) throw new EditorError(ErrorCode.DISPOSED, 'the photo was replaced');
      current = analysis;
      rendered = null;
      session?.dispose();
      session = null;
      sample();
      return toResult(index, analysis);
    }),

    openReference: (file: Blob) => guard(async () => {
      const ed = need(editor, 'init');
      const p = await ed.open(file);
      try {
        if (p.faces.length === 0) throw new EditorError(ErrorCode.NO_FACE);
        const f = await p.face(0);
        reference?.photo.dispose();
        reference = { photo: p, face: f };
        return toResult(0, f);
      } catch (e) {
        p.dispose();
        throw e;
      }
    }),

    target: (ref: ReferenceChoice, a: number, regions?: string[]) => guard(async () => {
      const face = need(current, 'choose a face');
      return need(expression, 'load the expression models').target(face, ref, reference?.face ?? null, a, regions);
    }),

    render: (ref: ReferenceChoice, a: number, regions?: string[]) => guard(async (): Promise<RenderResult> => {
      const p = need(photo, 'open a photo');
      const face = need(current, 'choose a face');
      const expr = need(expression, 'load the expression models');
      const t0 = performance.now();
      const points = await expr.target(face, ref, reference?.face ?? null, a, regions);
      if (!session) session = await createRenderSession(p.image, face, { refiner: refiner ?? undefined });
      const s = session;
      const patch = await measured(() => s.render(points));
      if (session !== s || current !== face) throw new EditorError(ErrorCode.DISPOSED, 'the face was replaced');
      rendered = patch;
      const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(patch.data.buffer as ArrayBuffer, patch.data.byteOffset, patch.data.byteLength), patch.width, patch.height));
      const r: RenderResult = { patch: bitmap, x: patch.x, y: patch.y, width: patch.width, height: patch.height, points, intensity: a, ms: performance.now() - t0 };
      return Comlink.transfer(r, [bitmap]);
    }),

    exportImage: (type, quality) => guard(async () => {
      const p = need(photo, 'open a photo');
      const full = rendered ? applyPatch(p.image, rendered) : p.image;
      return (await encodeImage(full, type === 'image/png' ? 'png' : 'jpeg', quality)) as Blob;
    }),

    setProfiling: async (on: boolean) => { profiling = on; },

    memory: async (): Promise<MemoryInfo> => {
      const m = tf.memory();
      peakBytes = Math.max(peakBytes, m.numBytes);
      return { numTensors: m.numTensors, numBytes: m.numBytes, peakBytes };
    },

    benchMesh: (n: number) => guard(async () => {
      const p = need(photo, 'open a photo');
      const face = need(current, 'choose a face');
      // One single-pass FaceMesh inference on the photo (the editor runs two passes per face).
      const mesh: FaceMesh = await createFaceMesh(need(editor, 'init').store);
      const tensor = pixelsToTensor(p.image);
      try {
        await mesh.estimate(tensor, 1, face.box, 1); // warm-up
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await mesh.estimate(tensor, 1, face.box, 1);
        return (performance.now() - t0) / n;
      } finally {
        tensor.dispose();
        mesh.dispose();
      }
    }),

    dispose: async () => {
      session?.dispose();
      photo?.dispose();
      reference?.photo.dispose();
      releaseModels();
      photo = null; reference = null; current = null; rendered = null; session = null;
    },
  };
  return api;
}

Comlink.expose(createWorkerApi());
