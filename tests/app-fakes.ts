/** A fake engine worker (WorkerApi) for the app's store tests: records calls, renders instantly or on demand. */
import { UNIT_NAMES } from '../src/app/engine';
import type { EditUnits, FaceBox, RenderedFrame, WorkerApi, WorkerError } from '../src/app/protocol';

const BOX: FaceBox = { x: 10, y: 10, width: 50, height: 50, score: 0.9, keypoints: [] };

export interface FakeBitmap {
  closed: boolean;
  close(): void;
}

function fakeBitmap(): ImageBitmap & FakeBitmap {
  const b = {
    closed: false,
    width: 1,
    height: 1,
    close() {
      b.closed = true;
    },
  };
  return b as unknown as ImageBitmap & FakeBitmap;
}

/** `sizes`: the side of each face box (default BOX's). */
export function fakeApi(options: { faces?: number; sizes?: number[]; renderDelayMs?: number } = {}) {
  const calls: string[] = [];
  const thumbnails: string[] = [];
  const frames: RenderedFrame[] = [];
  let nextId = 100;
  const failures = new Map<string, unknown>();
  /** Each edit's unit values. */
  const edits = new Map<number, EditUnits>();
  const fail = (method: string) => {
    const e = failures.get(method);
    if (e !== undefined) {
      failures.delete(method);
      throw e;
    }
  };
  const api: WorkerApi = {
    async init(_o, onProgress) {
      calls.push('init');
      onProgress(0.5, 'Loading');
      fail('init');
      onProgress(1, 'Ready'); // the engine's last step (it may come after init resolves: see protocol.ts)
      return {
        backend: { name: 'webgpu', fallbackReasons: [] },
        capabilities: { expression: true, presets: ['happy', 'surprise'], regions: ['brows', 'eyes', 'mouth', 'jaw'], refiner: true },
      };
    },
    async open() {
      fail('open');
      const photoId = nextId++;
      calls.push(`open ${photoId}`);
      return {
        photoId,
        width: 100,
        height: 80,
        faces: Array.from({ length: options.faces ?? 1 }, (_, i) =>
          options.sizes ? { ...BOX, x: 10 + 100 * i, width: options.sizes[i], height: options.sizes[i] } : BOX,
        ),
        bitmap: fakeBitmap(),
      };
    },
    async face(photoId, index) {
      fail('face');
      const faceId = nextId++;
      calls.push(`face ${photoId}/${index} -> ${faceId}`);
      return { faceId, photoId, index, box: BOX, points: [[1, 2, 3]], score: 1, pose: { yaw: 0, pitch: 0, roll: 0 } };
    },
    async edit(faceId, reference, regions, units) {
      fail('edit');
      const editId = nextId++;
      const asked = units ? ` units ${JSON.stringify(units)}` : '';
      calls.push(`edit ${faceId} ${JSON.stringify(reference)} ${regions?.join(',') ?? 'all'}${asked} -> ${editId}`);
      // every reference decomposes into 0.25 of each unit (a saved expression: its own values)
      const base = reference.kind === 'expression' ? (JSON.parse(reference.json).units as Partial<EditUnits>) : {};
      const values = Object.fromEntries(UNIT_NAMES.map((u) => [u, units?.[u] ?? base[u] ?? 0.25])) as EditUnits;
      edits.set(editId, values);
      return { editId, units: values };
    },
    async expression(editId, name) {
      fail('expression');
      calls.push(`expression ${editId} ${name}`);
      return { name, json: JSON.stringify({ format: 'leed-expression', version: 1, name, units: edits.get(editId) }) };
    },
    async readExpression(text) {
      fail('readExpression');
      calls.push('readExpression');
      let o: { format?: string; name?: string; units?: unknown };
      try {
        o = JSON.parse(text);
      } catch {
        throw workerError('BAD_ARGUMENT', 'not a saved expression: the file is not JSON');
      }
      if (o.format !== 'leed-expression') throw workerError('BAD_ARGUMENT', 'not a saved expression: "format" must be "leed-expression"');
      return { name: o.name ?? 'expression', json: text };
    },
    async render(editId, a, kind = 'full') {
      fail('render');
      if (options.renderDelayMs) await new Promise((r) => setTimeout(r, options.renderDelayMs));
      calls.push(`render ${editId} ${a}${kind === 'preview' ? ' preview' : ''}`);
      const f: RenderedFrame = { patch: fakeBitmap(), x: 1, y: 2, width: 3, height: 4, points: [[a, a, 0]], intensity: a, kind, ms: 5 };
      frames.push(f);
      return f;
    },
    async thumbnail(faceId, reference, size) {
      fail('thumbnail');
      const name = reference.kind === 'preset' ? reference.preset : 'neutral';
      // kept apart from `calls`: thumbnails come whenever the store is idle, the store tests check the user's calls
      thumbnails.push(`${faceId} ${name}`);
      return { width: size, height: size, data: new Uint8ClampedArray(size * size * 4).fill(faceId % 256) };
    },
    async live() {
      throw workerError('BAD_ARGUMENT', 'no camera in the store tests');
    },
    async export(id, a, format, quality) {
      fail('export');
      calls.push(`export ${id} ${a} ${format} ${quality ?? '-'}`);
      return new Blob(['encoded']);
    },
    async dispose(id) {
      calls.push(`dispose ${id}`);
    },
    async memory() {
      return { numTensors: 7, numBytes: 70 };
    },
  };
  /** The next call of `method` rejects with `error`. */
  const failNext = (method: keyof WorkerApi, error: unknown) => failures.set(method, error);
  return { api, calls, thumbnails, frames, failNext };
}

export function workerError(code: string, detail = code): WorkerError {
  return { name: 'EditorError', code: code as WorkerError['code'], detail };
}

/** Polls until `cond` holds (or fails after ~2 s). */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
