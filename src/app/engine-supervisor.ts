/**
 * Keeps the editor alive when its engine dies. The store talks to `supervisor.api`, a WorkerApi that
 * stays the same while the worker behind it is replaced:
 * - the GPU device is lost (the engine's onDeviceLost, forwarded by the worker): a new worker starts
 *   on the next backend (WebGPU -> WebGL -> CPU);
 * - the worker crashes (an uncaught error), or stops answering the heartbeat (heartbeat.ts: the
 *   browser terminated it, or it hangs): a new worker starts on the same backends.
 * Either way the photo is opened again in the new engine (from the file the user gave), the face
 * reselected, and the reference, intensity and regions kept; `engineNotice` says what happened.
 *
 * Ids: the store holds photo / face / edit ids; each worker numbers its own from 1. The supervisor
 * hands out its own ids and maps them to (worker generation, worker id), so an id of a dead worker
 * never names something in the new one: it is DISPOSED (and disposing it is a no-op).
 */
import { ErrorCode, type BackendName } from './engine';
import { createEngineClient, type EngineClient, type EngineClientOptions } from './engine-client';
import { HEARTBEAT, startHeartbeat, type HeartbeatTiming } from './heartbeat';
import type { EngineEvent, WorkerApi, WorkerError } from './protocol';
import type { EditorStore } from './store';

const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'cpu'];
const BACKEND_LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'the processor (CPU)' };
/** More restarts than this within RESTART_WINDOW_MS: give up (something is broken for good). */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 60_000;

/** Test-only hooks (window.__leedEngine, test builds only): break the engine on purpose and watch it recover. */
export interface EngineTestHooks {
  /** Destroys the WebGPU device in the worker. */
  loseDevice(): Promise<void>;
  /** An uncaught error in the worker. */
  crashWorker(): Promise<void>;
  /** Terminates the Worker itself, as the browser does to a worker that ran out of memory: only the heartbeat can notice. */
  killWorker(): void;
  /** The current worker's heartbeat timing (a restarted worker gets the normal one: it loads its models again). */
  setHeartbeat(timing: HeartbeatTiming): void;
  /** Completed restarts. */
  restarts(): number;
  /** Resolves when no restart is in progress. */
  settled(): Promise<void>;
}

export interface EngineSupervisor {
  api: WorkerApi;
  /** The store to recover (its state is read and its actions replayed after a restart). */
  attach(store: EditorStore): void;
  /** Present in test builds only (vite.config.ts). */
  test?: EngineTestHooks;
  terminate(): void;
}

interface Generation {
  n: number;
  client: EngineClient;
  backends: BackendName[];
  /** Rejects of the calls in flight (they never settle once the worker is gone). */
  pending: Set<(e: WorkerError) => void>;
  stopHeartbeat(): void;
}

const workerError = (code: ErrorCode, detail: string): WorkerError => ({ name: 'EditorError', code, detail });

/** The supervisor's ids: its own handles, each naming (worker generation, that worker's id). */
function handleTable() {
  let next = 1;
  const handles = new Map<number, { gen: number; id: number }>();
  return {
    add(g: Generation, id: number): number {
      const h = next++;
      handles.set(h, { gen: g.n, id });
      return h;
    },
    /** The worker's id for handle `h`; DISPOSED when `h` is unknown or belongs to another worker. */
    local(g: Generation, h: number): number {
      const e = handles.get(h);
      if (!e || e.gen !== g.n) throw workerError(ErrorCode.DISPOSED, `id ${h} belongs to an engine that was restarted`);
      return e.id;
    },
    remove(h: number) {
      const e = handles.get(h);
      handles.delete(h);
      return e;
    },
  };
}

/** Runs `fn` on the worker `g`; rejects if that worker is replaced before it answers. */
function callOn<T>(g: Generation, fn: (api: WorkerApi, g: Generation) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    g.pending.add(reject);
    let p: Promise<T>;
    try {
      p = fn(g.client.api, g);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(resolve, reject).finally(() => g.pending.delete(reject));
  });
}

interface ApiContext {
  current(): Generation;
  /** The file each photo was opened from (to open it again in a new engine). */
  sources: Map<number, Blob>;
  /** Why better backends are not used, put before the new engine's own reasons. */
  lostReasons: readonly string[];
  onDeviceLost(g: Generation, reason: string): void;
}

/** The WorkerApi the store talks to: every call goes to the current worker, ids translated both ways. */
function supervisedApi({ current, sources, lostReasons, onDeviceLost }: ApiContext): WorkerApi {
  const ids = handleTable();
  const call = <T>(fn: (api: WorkerApi, g: Generation) => Promise<T>) => callOn(current(), fn);
  return {
    init: (options, onProgress) =>
      call(async (w, g) => {
        const onEvent = (e: EngineEvent) => {
          if (e.kind === 'device-lost') onDeviceLost(g, e.reason);
        };
        const info = await w.init({ ...options, backends: options.backends ?? g.backends }, onProgress, onEvent);
        return { ...info, backend: { ...info.backend, fallbackReasons: [...lostReasons, ...info.backend.fallbackReasons] } };
      }),
    open: (input) =>
      call(async (w, g) => {
        const opened = await w.open(input);
        const photoId = ids.add(g, opened.photoId);
        if (input instanceof Blob) sources.set(photoId, input);
        return { ...opened, photoId };
      }),
    face: (photoId, index) =>
      call(async (w, g) => {
        const f = await w.face(ids.local(g, photoId), index);
        return { ...f, faceId: ids.add(g, f.faceId), photoId };
      }),
    edit: (faceId, reference, regions, units) =>
      call(async (w, g) => {
        const ref = reference.kind === 'face' ? { kind: 'face' as const, faceId: ids.local(g, reference.faceId) } : reference;
        const r = await w.edit(ids.local(g, faceId), ref, regions, units);
        return { editId: ids.add(g, r.editId), units: r.units };
      }),
    expression: (editId, name) => call((w, g) => w.expression(ids.local(g, editId), name)),
    readExpression: (text) => call((w) => w.readExpression(text)),
    render: (editId, a, kind) => call((w, g) => w.render(ids.local(g, editId), a, kind)),
    thumbnail: (faceId, reference, size) => call((w, g) => w.thumbnail(ids.local(g, faceId), reference, size)),
    live: (faceId, pixels, options) =>
      call(async (w, g) => {
        const r = await w.live(ids.local(g, faceId), pixels, options);
        return r.editId >= 0 ? { ...r, editId: ids.add(g, r.editId) } : r;
      }),
    export: (id, a, format, quality) => call((w, g) => w.export(ids.local(g, id), a, format, quality)),
    async dispose(id) {
      const e = ids.remove(id);
      sources.delete(id);
      if (e && e.gen === current().n) await call((w) => w.dispose(e.id));
    },
    memory: () => call((w) => w.memory()),
  };
}

/**
 * Puts the store back as it was in a new engine: starts it, opens the photo again from its file,
 * reselects the face and restores the reference, intensity and regions. Stops early (false) once
 * `stale()` says a newer restart took over; true when done.
 */
async function replay(st: EditorStore, sources: ReadonlyMap<number, Blob>, stale: () => boolean): Promise<boolean> {
  const s = st.getState();
  const photo = s.photo ? { source: sources.get(s.photo.id), name: s.photo.name } : null;
  const ref = s.reference;
  const refSource = s.referenceFace ? sources.get(s.referenceFace.photoId) : undefined;
  const { selected, intensity, regions, unitEdits } = s;
  // Let the rejected calls of the old worker run their handlers before the store starts again.
  // (the recent reference photos' faces were in the old engine: the current one is read again below, the rest go)
  st.setState({ face: null, referenceFace: null, targetPoints: null, recentReferences: [] });
  await new Promise((r) => setTimeout(r, 0));
  if (stale()) return false;
  await st.getState().start();
  if (stale() || st.getState().status === 'fatal') return false;
  if (!photo?.source) return !stale();
  // Opening a photo starts from the start state (no reference); the old settings are put back after.
  await st.getState().openFile(photo.source, photo.name);
  if (stale()) return false;
  if (selected !== null && st.getState().selected !== selected && st.getState().faces.length > selected) await st.getState().selectFace(selected);
  if (stale()) return false;
  const caps = st.getState().capabilities;
  st.setState({ regions: regions.filter((r) => caps.regions.includes(r)) });
  if (ref?.kind === 'photo') {
    if (refSource) {
      st.setState({ reference: ref, intensity });
      await st.getState().openReference(refSource, ref.name);
      // a new reference starts from its own unit values: the user's are put back after
      if (!stale() && Object.keys(unitEdits).length) {
        st.setState({ unitEdits });
        st.getState().setIntensity(intensity);
      }
    }
  } else if (ref) {
    st.setState({ reference: ref, unitEdits });
    st.getState().setIntensity(intensity); // renders the frame
  }
  return !stale();
}

export function createEngineSupervisor(
  make: (o: EngineClientOptions) => EngineClient = createEngineClient,
  options: { heartbeat?: HeartbeatTiming } = {},
): EngineSupervisor {
  let store: EditorStore | null = null;
  let ended = false;
  let genCount = 0;
  let gen: Generation;
  /** Why better backends are not used (shown by the backend badge after a device loss). */
  const lostReasons: string[] = [];
  const restartTimes: number[] = [];
  let restarts = 0;
  let recovering: Promise<void> = Promise.resolve();

  const listen = (g: Generation, timing: HeartbeatTiming) => {
    g.stopHeartbeat = startHeartbeat(g.client.ping, timing, (ms) => void restart(g.n, 'crash', `the engine worker did not answer for ${ms / 1000} s`));
  };
  const spawn = (backends: BackendName[]): Generation => {
    const n = ++genCount;
    const client = make({ onCrash: (reason) => void restart(n, 'crash', reason) });
    const g: Generation = { n, client, backends, pending: new Set(), stopHeartbeat: () => {} };
    listen(g, options.heartbeat ?? HEARTBEAT);
    return g;
  };
  gen = spawn(BACKEND_ORDER);

  const sources = new Map<number, Blob>();
  const api = supervisedApi({ current: () => gen, sources, lostReasons, onDeviceLost: (g, reason) => void restart(g.n, 'device-lost', reason) });

  const notice = (text: string | null) => store?.setState({ engineNotice: text });

  async function restart(from: number, why: 'device-lost' | 'crash', reason: string): Promise<void> {
    if (ended || from !== gen.n) return; // an old worker's last words
    const now = Date.now();
    while (restartTimes.length && now - restartTimes[0] > RESTART_WINDOW_MS) restartTimes.shift();
    restartTimes.push(now);
    const on = store?.getState().backend?.name ?? gen.backends[0];
    let backends = gen.backends;
    if (why === 'device-lost') {
      backends = BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(on) + 1);
      if (!backends.length) backends = ['cpu'];
      lostReasons.push(`${on}: the graphics device was lost (${reason})`);
    }
    console.warn(`[leed] engine ${why === 'crash' ? 'crashed' : 'lost its GPU device'}: ${reason}; restarting on ${backends.join(', ')}`);
    const old = gen;
    old.stopHeartbeat();
    old.client.terminate();
    gen = spawn(backends);
    const err = workerError(why === 'crash' ? ErrorCode.INTERNAL : ErrorCode.GPU_LOST, reason);
    for (const reject of old.pending) reject(err);
    old.pending.clear();

    if (restartTimes.length > MAX_RESTARTS) {
      notice('The editing engine keeps failing on this device, so it was stopped. Reload the page to try again.');
      store?.setState({ status: 'fatal', busyLabel: '' });
      gen.stopHeartbeat();
      gen.client.terminate();
      return;
    }
    const firstWords =
      why === 'device-lost'
        ? `The graphics processor stopped working, so the editor is restarting on ${BACKEND_LABEL[backends[0]]}.`
        : 'The editing engine stopped unexpectedly and is restarting.';
    notice(`${firstWords} Your photo and settings are kept.`);
    const done = recover(gen, why).catch((e: unknown) => console.warn('[leed] recovery failed', e));
    recovering = recovering.then(() => done);
    await done;
  }

  /** Starts the new engine `g` with the store as it was; stops early if `g` is replaced meanwhile. */
  async function recover(g: Generation, why: 'device-lost' | 'crash'): Promise<void> {
    const st = store;
    if (!st) return;
    const photo = st.getState().photo;
    const hadPhoto = photo !== null && sources.has(photo.id);
    if (!(await replay(st, sources, () => g !== gen))) return;
    restarts++;
    const b = st.getState().backend?.name ?? g.backends[0];
    const kept = hadPhoto ? ' Your photo and settings were kept.' : '';
    const what =
      why === 'device-lost'
        ? `The graphics processor stopped working, so the editor restarted on ${BACKEND_LABEL[b]}${b === 'webgpu' ? '' : ' (slower)'}.`
        : 'The editing engine stopped unexpectedly and was restarted.';
    st.setState({ engineNotice: what + kept });
  }

  return {
    api,
    attach(s) {
      store = s;
    },
    test: __LEED_TEST_HOOKS__
      ? {
          loseDevice: () => gen.client.test!.testLoseDevice(),
          crashWorker: () => gen.client.test!.testCrash(),
          killWorker: () => gen.client.test!.terminateWorker(),
          setHeartbeat(timing) {
            gen.stopHeartbeat();
            listen(gen, timing);
          },
          restarts: () => restarts,
          settled: async () => {
            let seen: Promise<void>;
            do {
              seen = recovering;
              await seen;
            } while (seen !== recovering);
          },
        }
      : undefined,
    terminate() {
      ended = true;
      gen.stopHeartbeat();
      gen.client.terminate();
    },
  };
}
