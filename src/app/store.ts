/**
 * App state and actions (zustand). One store per app instance, made by `createEditorStore` and
 * handed down by <EditorStoreProvider> (store-context.ts); nothing here is module-level state.
 * Actions call the engine worker; slider frames go through the frame scheduler, downloads through
 * download.ts.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { appError, toAppError, type AppError } from './app-error';
import {
  DEFAULT_JPEG_QUALITY,
  ErrorCode,
  type BackendInfo,
  type Capabilities,
  type FaceBox,
  type OutputFormat,
  type Point3,
  type PresetName,
  type Region,
} from './engine';
import { downloadEdited } from './download';
import { createEditHandles } from './edit-handles';
import { createFrameScheduler } from './frame-scheduler';
import type { FaceInfo, RenderedFrame, ReferenceSpec, WorkerApi } from './protocol';

type Status = 'starting' | 'ready' | 'busy' | 'fatal';

export interface PhotoInfo {
  id: number;
  name: string;
  width: number;
  height: number;
  bitmap: ImageBitmap;
}

/** The frame on screen: a patch to draw over the photo at (x, y), from edit `editId` at `intensity`. */
export interface ShownFrame {
  patch: ImageBitmap;
  x: number;
  y: number;
  width: number;
  height: number;
  editId: number;
  intensity: number;
}

/** The reference as the user chose it (a reference photo is named; its face is `referenceFace`). */
export type ReferenceChoice = { kind: 'neutral' } | { kind: 'preset'; preset: PresetName } | { kind: 'photo'; name: string };

/** The reference photo as shown beside its name: the decoded photo and the box of the face used. */
export interface ReferencePhoto {
  name: string;
  bitmap: ImageBitmap;
  box: FaceBox;
}

/** The intensity a first reference starts at (the start state is 0: the photo as it is). */
const FIRST_REFERENCE_INTENSITY = 1;

/** Index of the largest face (by box area); -1 when there is none. */
export function largestFace(faces: readonly FaceBox[]): number {
  let best = -1;
  for (let i = 0; i < faces.length; i++) {
    if (best < 0 || faces[i].width * faces[i].height > faces[best].width * faces[best].height) best = i;
  }
  return best;
}

export interface EditorState {
  status: Status;
  busyLabel: string;
  /** Model loading: 0..1 and the step. It goes on after 'starting' (the expression models, the refiner) and is 1 when nothing loads. */
  progress: { fraction: number; label: string };
  backend: BackendInfo | null;
  capabilities: Capabilities;
  photo: PhotoInfo | null;
  faces: FaceBox[];
  selected: number | null;
  face: FaceInfo | null;
  showMesh: boolean;
  error: AppError | null;
  /** Null until the user chooses one: no edit is made (and nothing rendered) before. */
  reference: ReferenceChoice | null;
  referenceFace: FaceInfo | null;
  /** The photo the reference face comes from (its thumbnail), when the reference is a photo. */
  referencePhoto: ReferencePhoto | null;
  intensity: number;
  regions: Region[];
  targetPoints: Point3[] | null;
  rendered: ShownFrame | null;
  rendering: boolean;
  /** Worker time of the last frame (target + render), ms. */
  lastFrameMs: number | null;
  framesRequested: number;
  framesRendered: number;
  /** Whether the frame on screen is a warp-only preview (the slider is moving) or the full frame. */
  lastFrameKind: 'preview' | 'full' | null;
  compare: boolean;
  /** What happened to the engine, in plain words, after engine-supervisor.ts restarted it (absent or null: nothing to say). */
  engineNotice?: string | null;
}

interface EditorActions {
  start(): Promise<void>;
  openFile(file: Blob, name: string): Promise<void>;
  selectFace(index: number): Promise<void>;
  setShowMesh(on: boolean): void;
  dismissError(): void;
  setReference(ref: ReferenceChoice): void;
  openReference(file: Blob, name: string): Promise<void>;
  setIntensity(a: number): void;
  toggleRegion(region: Region): void;
  setCompare(on: boolean): void;
  download(format: OutputFormat): Promise<void>;
  /** The engine's tensor count (test hooks). */
  engineMemory(): Promise<{ numTensors: number; numBytes: number }>;
  /** Releases the bitmaps the state holds (the worker goes with its client). */
  dispose(): void;
}

export type EditorStoreState = EditorState & EditorActions;
export type EditorStore = StoreApi<EditorStoreState>;

export interface EditorStoreOptions {
  api: WorkerApi;
  modelBaseUrl: string;
  /** Saves the encoded photo (default: a browser download named after the photo). */
  save?: (blob: Blob, originalName: string, format: OutputFormat) => void;
}

/** The slider's range. */
export const INTENSITY_MAX = 1.5;

const NO_CAPS: Capabilities = { expression: false, presets: [], regions: [], refiner: false };

interface FrameRequest {
  faceId: number;
  reference: ReferenceSpec;
  regions: Region[] | undefined;
  a: number;
}

const INITIAL_STATE: EditorState = {
  status: 'starting',
  busyLabel: '',
  progress: { fraction: 0, label: 'Starting' },
  backend: null,
  capabilities: NO_CAPS,
  photo: null,
  faces: [],
  selected: null,
  face: null,
  showMesh: false,
  error: null,
  reference: null,
  referenceFace: null,
  referencePhoto: null,
  intensity: 0,
  regions: [],
  targetPoints: null,
  rendered: null,
  rendering: false,
  lastFrameMs: null,
  framesRequested: 0,
  framesRendered: 0,
  lastFrameKind: null,
  compare: false,
};

/** What the store's actions share: the worker, the state, sequence numbers, edit handles and the frame scheduler. */
interface StoreKit {
  api: WorkerApi;
  set: StoreApi<EditorStoreState>['setState'];
  get: () => EditorStoreState;
  /** Sequence numbers: a reply to an older request never overwrites a newer one. */
  seq: { photo: number; face: number };
  release(id: number | undefined): void;
  fail(e: unknown): void;
  /** Forgets the reference photo (its face is released in the worker, its thumbnail closed). */
  dropReference(): void;
  /** Stops frames of the current face: the pending value is dropped, the frame in flight discarded. */
  leaveFace(): void;
  /** Asks for a frame of the current face, reference, regions and intensity (nothing when one is missing). */
  request(): void;
  frames: ReturnType<typeof createFrameScheduler<FrameRequest, { frame: RenderedFrame; editId: number }>>;
}

function createStoreKit(api: WorkerApi, set: StoreKit['set'], get: StoreKit['get']): StoreKit {
  const edits = createEditHandles(api);
  const release = (id: number | undefined) => {
    if (id !== undefined) void api.dispose(id).catch(() => {});
  };
  const fail = (e: unknown) => {
    const err = toAppError(e);
    console.warn(`[leed] ${err.code}: ${err.detail}`);
    set({ error: err, status: get().status === 'starting' ? 'fatal' : 'ready', busyLabel: '' });
  };
  const setRendered = (r: ShownFrame | null) => {
    const old = get().rendered;
    if (old && old !== r) old.patch.close();
    edits.show(r?.editId ?? null);
    set({ rendered: r });
  };
  const frames = createFrameScheduler<FrameRequest, { frame: RenderedFrame; editId: number }>({
    async render(v) {
      const editId = await edits.get(v.faceId, v.reference, v.regions);
      return { frame: await api.render(editId, v.a, 'full'), editId };
    },
    // Progressive frames: a warp-only preview of each new value, the full frame once the slider rests
    // (only worth it when the full frame runs the refiner).
    preview: async (v) => {
      const editId = await edits.get(v.faceId, v.reference, v.regions);
      return { frame: await api.render(editId, v.a, get().capabilities.refiner ? 'preview' : 'full'), editId };
    },
    deliver({ frame: f, editId }) {
      setRendered({ patch: f.patch, x: f.x, y: f.y, width: f.width, height: f.height, editId, intensity: f.intensity });
      set((s) => ({ targetPoints: f.points, lastFrameMs: f.ms, lastFrameKind: f.kind, framesRendered: s.framesRendered + 1 }));
    },
    discard: ({ frame }) => frame.patch.close(),
    onError: fail,
    onBusy: (rendering) => set({ rendering }),
  });
  return {
    api,
    set,
    get,
    seq: { photo: 0, face: 0 },
    release,
    fail,
    frames,
    dropReference() {
      const { referenceFace, referencePhoto } = get();
      release(referenceFace?.photoId);
      referencePhoto?.bitmap.close();
      set({ referenceFace: null, referencePhoto: null });
    },
    leaveFace() {
      frames.cancel();
      edits.reset();
      setRendered(null);
    },
    request() {
      const { capabilities, face, reference, referenceFace, regions, intensity } = get();
      if (!capabilities.expression || !face || !reference) return;
      let spec: ReferenceSpec;
      if (reference.kind !== 'photo') spec = reference;
      else if (referenceFace) spec = { kind: 'face', faceId: referenceFace.faceId };
      else return;
      set((s) => ({ framesRequested: s.framesRequested + 1 }));
      frames.request({ faceId: face.faceId, reference: spec, regions: capabilities.regions.length ? regions : undefined, a: intensity });
    },
  };
}

/** Starting the engine, downloading the result, releasing the state. */
function sessionActions(k: StoreKit, modelBaseUrl: string, save: NonNullable<EditorStoreOptions['save']>) {
  const { api, set, get } = k;
  return {
    async start() {
      set({ status: 'starting', error: null });
      try {
        // init resolves once a photo can be opened; progress goes on while the rest loads (the status bar says
        // what) and reaches 1 when everything has loaded.
        let reported = false;
        const { backend, capabilities } = await api.init({ modelBaseUrl }, (fraction, label) => {
          reported = true;
          set({ progress: { fraction, label } });
        });
        set({
          backend,
          capabilities,
          regions: [...capabilities.regions],
          status: 'ready',
          ...(reported ? {} : { progress: { fraction: 1, label: 'Ready' } }),
        });
      } catch (e) {
        k.fail(e);
      }
    },

    async download(format: OutputFormat) {
      const { photo, rendered } = get();
      if (!photo) return;
      set({ status: 'busy', busyLabel: 'Encoding…' });
      try {
        const quality = format === 'jpeg' ? DEFAULT_JPEG_QUALITY : undefined;
        const blob = await api.export(rendered?.editId ?? photo.id, rendered?.intensity ?? 0, format, quality);
        save(blob, photo.name, format);
        set({ status: 'ready', busyLabel: '' });
      } catch (e) {
        k.fail(e);
      }
    },

    engineMemory: () => api.memory(),

    dispose() {
      k.frames.cancel();
      get().photo?.bitmap.close();
      get().rendered?.patch.close();
      get().referencePhoto?.bitmap.close();
    },
  };
}

/** Opening a photo and choosing its face. */
function photoActions(k: StoreKit) {
  const { api, set, get, seq } = k;
  return {
    async openFile(file: Blob, name: string) {
      const mine = ++seq.photo;
      seq.face++;
      k.frames.cancel();
      set({ status: 'busy', busyLabel: 'Looking for faces…', error: null });
      try {
        const opened = await api.open(file);
        if (mine !== seq.photo) {
          opened.bitmap.close();
          k.release(opened.photoId);
          return;
        }
        const old = get().photo;
        k.leaveFace();
        old?.bitmap.close();
        k.release(old?.id);
        // A new photo starts from the defined start state: no reference, intensity 0, every region.
        k.dropReference();
        set({
          reference: null,
          intensity: 0,
          regions: [...get().capabilities.regions],

          photo: { id: opened.photoId, name, width: opened.width, height: opened.height, bitmap: opened.bitmap },
          faces: opened.faces,
          selected: null,
          face: null,
          targetPoints: null,
          compare: false,
          status: 'ready',
          busyLabel: '',
        });
        if (opened.faces.length === 0) {
          set({ error: appError(ErrorCode.NO_FACE, 'the detector found no face') });
        } else {
          // The largest face is selected at first; the user can pick another.
          await get().selectFace(largestFace(opened.faces));
        }
      } catch (e) {
        if (mine === seq.photo) k.fail(e);
      }
    },

    async selectFace(index: number) {
      const photo = get().photo;
      if (!photo) return;
      const photoSeq = seq.photo;
      const faceSeq = ++seq.face;
      const old = get().face;
      k.leaveFace();
      k.release(old?.faceId);
      set({ status: 'busy', busyLabel: 'Finding landmarks…', selected: index, face: null, targetPoints: null, error: null });
      try {
        const face = await api.face(photo.id, index);
        if (photoSeq !== seq.photo || faceSeq !== seq.face) {
          k.release(face.faceId);
          return;
        }
        set({ face, status: 'ready', busyLabel: '' });
        k.request();
      } catch (e) {
        if (photoSeq === seq.photo && faceSeq === seq.face) {
          set({ selected: null });
          k.fail(e);
        }
      }
    },
  };
}

/** Choosing the reference: neutral, a preset, or the largest face of another photo. */
function referenceActions(k: StoreKit) {
  const { api, set, get, seq } = k;
  return {
    setReference(ref: ReferenceChoice) {
      const first = get().reference === null;
      set({ reference: ref, ...(first ? { intensity: FIRST_REFERENCE_INTENSITY } : {}) });
      k.request();
    },

    async openReference(file: Blob, name: string) {
      set({ status: 'busy', busyLabel: 'Reading the reference photo…', error: null });
      const photoSeq = seq.photo;
      let photoId: number | undefined;
      let bitmap: ImageBitmap | null = null;
      try {
        const opened = await api.open(file);
        bitmap = opened.bitmap;
        photoId = opened.photoId;
        if (opened.faces.length === 0) {
          k.release(photoId);
          set({ error: appError(ErrorCode.NO_FACE, 'no face in the reference photo'), status: 'ready', busyLabel: '' });
          return;
        }
        const index = largestFace(opened.faces);
        const f = await api.face(opened.photoId, index);
        if (photoSeq !== seq.photo) {
          // Another photo was opened meanwhile: it starts without a reference.
          k.release(photoId);
          return;
        }
        const first = get().reference === null;
        k.dropReference();
        set({
          referenceFace: f,
          referencePhoto: { name, bitmap: opened.bitmap, box: opened.faces[index] },
          reference: { kind: 'photo', name },
          status: 'ready',
          busyLabel: '',
          ...(first ? { intensity: FIRST_REFERENCE_INTENSITY } : {}),
        });
        bitmap = null;
        k.request();
      } catch (e) {
        k.release(photoId);
        k.fail(e);
      } finally {
        bitmap?.close();
      }
    },
  };
}

/** The slider, the region toggles and the view switches. */
function adjustActions(k: StoreKit) {
  const { set, get } = k;
  return {
    setIntensity(a: number) {
      // No reference, no edit: the slider is disabled then, and the start state stays at 0.
      if (get().reference === null) return;
      set({ intensity: Math.min(INTENSITY_MAX, Math.max(0, a)) });
      k.request();
    },

    toggleRegion(region: Region) {
      const { regions } = get();
      set({ regions: regions.includes(region) ? regions.filter((r) => r !== region) : [...regions, region] });
      k.request();
    },

    setShowMesh: (on: boolean) => set({ showMesh: on }),
    dismissError: () => set({ error: null }),
    setCompare: (on: boolean) => set({ compare: on }),
  };
}

export function createEditorStore({ api, modelBaseUrl, save = downloadEdited }: EditorStoreOptions): EditorStore {
  return createStore<EditorStoreState>()((set, get) => {
    const k = createStoreKit(api, set, get);
    return {
      ...INITIAL_STATE,
      ...sessionActions(k, modelBaseUrl, save),
      ...photoActions(k),
      ...referenceActions(k),
      ...adjustActions(k),
    };
  });
}
