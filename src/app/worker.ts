/// <reference lib="webworker" />
/**
 * The engine's home in the browser: a thin comlink adapter over the engine API. It keeps the
 * engine's handles (photos, faces, edits) by numeric id, turns plain messages into API calls and
 * results into plain data and transferred ImageBitmaps, and every failure into a plain WorkerError.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as Comlink from 'comlink';
import {
  createEditor,
  EditorError,
  encodeImage,
  ErrorCode,
  expressionToJSON,
  parseExpression,
  toEditorError,
  type Edit,
  type Editor,
  type Expression,
  type Face,
  type Photo,
  type Reference,
  type RGBAImage,
} from '../engine/index';
import type { ReferenceSpec, WorkerApi, WorkerError, WorkerHeartbeat, WorkerTestApi } from './protocol';
import { createLive } from './worker-live';
import { createThumbnails } from './worker-thumbnail';

const bitmapOf = (img: RGBAImage) =>
  createImageBitmap(new ImageData(new Uint8ClampedArray(img.data.buffer as ArrayBuffer, img.data.byteOffset, img.data.byteLength), img.width, img.height));

/** The expression a file's text holds; BAD_ARGUMENT saying what is wrong (not JSON, not an expression). */
function readExpression(text: string): Expression {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, 'not a saved expression: the file is not JSON');
  }
  return parseExpression(json);
}

/** Saved expressions by their JSON: the same object for the same JSON, so the engine's per-reference cache holds. */
function expressionCache(): (json: string) => Expression {
  const expressions = new Map<string, Expression>();
  return (json) => {
    let e = expressions.get(json);
    if (!e) {
      e = readExpression(json);
      if (expressions.size > 32) expressions.clear();
      expressions.set(json, e);
    }
    return e;
  };
}

export function createWorkerApi(): WorkerApi & WorkerHeartbeat & Partial<WorkerTestApi> {
  let editor: Editor | null = null;
  let nextId = 1;
  const photos = new Map<number, Photo>();
  const faces = new Map<number, { face: Face; photoId: number }>();
  const edits = new Map<number, { edit: Edit; faceId: number }>();
  const find = <T>(m: Map<number, T>, id: number, what: string): T => {
    const x = m.get(id);
    if (x === undefined) throw new EditorError(ErrorCode.DISPOSED, `no ${what} ${id}`);
    return x;
  };
  const need = (): Editor => {
    if (!editor) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'init first');
    return editor;
  };
  const expressionOf = expressionCache();
  const referenceOf = (ref: ReferenceSpec): Reference => {
    if (ref.kind === 'neutral') return 'neutral';
    if (ref.kind === 'preset') return { preset: ref.preset };
    if (ref.kind === 'expression') return { expression: expressionOf(ref.json) };
    return find(faces, ref.faceId, 'face').face;
  };
  const thumbs = createThumbnails((id) => {
    const f = find(faces, id, 'face');
    return { face: f.face, image: find(photos, f.photoId, 'photo').image };
  });
  const add = <T>(m: Map<number, T>, x: T) => {
    const id = nextId++;
    m.set(id, x);
    return id;
  };
  const live = createLive({ editor: need, face: (id) => find(faces, id, 'face').face, addEdit: (edit, faceId) => add(edits, { edit, faceId }) });

  const api: WorkerApi = {
    async init(options, onProgress, onEvent) {
      editor?.dispose();
      editor = await createEditor({
        models: options.modelBaseUrl,
        backends: options.backends,
        onProgress: (f, l) => void onProgress(f, l),
        onDeviceLost: (reason) => void onEvent?.({ kind: 'device-lost', reason }),
      });
      const c = editor.capabilities;
      return { backend: editor.backend, capabilities: { ...c, presets: [...c.presets], regions: [...c.regions] } };
    },
    async open(input) {
      const photo = await need().open(input);
      const bitmap = await bitmapOf(photo.image);
      const opened = { photoId: add(photos, photo), width: photo.image.width, height: photo.image.height, faces: [...photo.faces], bitmap };
      return Comlink.transfer(opened, [bitmap]);
    },
    async face(photoId, index) {
      const face = await find(photos, photoId, 'photo').face(index);
      const faceId = add(faces, { face, photoId });
      return { faceId, photoId, index, box: face.box, points: face.landmarks.points, score: face.landmarks.score, pose: face.pose };
    },
    async edit(faceId, ref, regions, units) {
      const edit = await find(faces, faceId, 'face').face.edit(referenceOf(ref), { regions, units });
      if (faces.has(faceId)) return { editId: add(edits, { edit, faceId }), units: { ...edit.units } };
      edit.dispose(); // the face was released meanwhile
      throw new EditorError(ErrorCode.DISPOSED, `face ${faceId} was released`);
    },
    async render(editId, a, kind = 'full') {
      const t0 = performance.now();
      // a preview is the warp at half resolution, drawn scaled over the region (PhotoView)
      const p = await find(edits, editId, 'edit').edit.render(a, kind === 'full' ? {} : { refiner: false, preview: true });
      const patch = await bitmapOf({ data: p.data, width: p.dataWidth, height: p.dataHeight });
      const frame = { patch, x: p.x, y: p.y, width: p.width, height: p.height, points: p.target, intensity: a, kind, ms: performance.now() - t0 };
      return Comlink.transfer(frame, [patch]);
    },
    thumbnail: (faceId, ref, size) => thumbs.thumbnail(faceId, ref, size),
    live: (faceId, pixels, options) => live.live(faceId, pixels, options, api.render),
    expression: async (editId, name) => ({ name, json: expressionToJSON(find(edits, editId, 'edit').edit.expression(name)) }),
    readExpression: async (text) => {
      const e = readExpression(text);
      return { name: e.name ?? 'expression', json: expressionToJSON(e) };
    },
    async export(id, a, format, quality) {
      const e = edits.get(id);
      return (await (e ? e.edit.export(a, format, quality) : encodeImage(find(photos, id, 'photo').image, format, quality))) as Blob;
    },
    async dispose(id) {
      const goes = (faceId: number) => faceId === id || faces.get(faceId)?.photoId === id;
      for (const [editId, e] of edits) {
        if (editId !== id && !goes(e.faceId)) continue;
        e.edit.dispose();
        edits.delete(editId);
      }
      for (const faceId of faces.keys()) if (goes(faceId)) faces.delete(faceId);
      photos.get(id)?.dispose();
      photos.delete(id);
    },
    memory: async () => need().memory(),
  };
  // Answered as soon as the worker's message loop is free: between the engine's tasks, never during one.
  const heartbeat: WorkerHeartbeat = { ping: async () => {} };
  // Test builds only (vite.config.ts): in production any script on the page could call them.
  const testApi: Partial<WorkerTestApi> = __LEED_TEST_HOOKS__
    ? {
        async testLoseDevice() {
          const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
          if (!device) throw new EditorError(ErrorCode.BAD_ARGUMENT, `the engine is not on WebGPU (${tf.getBackend()})`);
          device.destroy();
        },
        async testCrash() {
          setTimeout(() => {
            throw new Error('simulated engine crash (test)');
          });
        },
      }
    : {};

  return wrapCalls({ ...api, ...heartbeat, ...testApi }, thumbs.user) as WorkerApi & WorkerHeartbeat & Partial<WorkerTestApi>;
}

/**
 * Every failure leaves as a plain object with its code (INTERNAL / OUT_OF_MEMORY / GPU_LOST when unexpected); every
 * call but the thumbnails and the heartbeat runs as the user's work, which thumbnails give way to.
 */
function wrapCalls(methods: object, user: <T>(fn: () => Promise<T>) => Promise<T>): unknown {
  const plain = (e: unknown): WorkerError => {
    const err = toEditorError(e);
    return { name: 'EditorError', code: err.code, detail: err.detail };
  };
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(methods) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    const low = name === 'thumbnail' || name === 'ping';
    wrapped[name] = (...args: unknown[]) =>
      (low ? fn(...args) : user(() => fn(...args))).catch((e: unknown) => {
        throw plain(e);
      });
  }
  return wrapped;
}

Comlink.expose(createWorkerApi());
