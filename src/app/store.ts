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

export type { AppError };

export type Status = 'starting' | 'ready' | 'busy' | 'fatal';

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

export interface EditorState {
  status: Status;
  busyLabel: string;
  progress: { fraction: number; label: string };
  backend: BackendInfo | null;
  capabilities: Capabilities;
  photo: PhotoInfo | null;
  faces: FaceBox[];
  selected: number | null;
  face: FaceInfo | null;
  showMesh: boolean;
  error: AppError | null;
  reference: ReferenceChoice;
  referenceFace: FaceInfo | null;
  intensity: number;
  regions: Region[];
  targetPoints: Point3[] | null;
  rendered: ShownFrame | null;
  rendering: boolean;
  /** Worker time of the last frame (target + render), ms. */
  lastFrameMs: number | null;
  framesRequested: number;
  framesRendered: number;
  compare: boolean;
  /** False until the user first touches the expression controls: until then the photo is shown as it is. */
  editing: boolean;
}

export interface EditorActions {
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

const NO_CAPS: Capabilities = { expression: false, presets: [], regions: [], refiner: false };

interface FrameRequest {
  faceId: number;
  reference: ReferenceSpec;
  regions: Region[] | undefined;
  a: number;
}

export function createEditorStore({ api, modelBaseUrl, save = downloadEdited }: EditorStoreOptions): EditorStore {
  // Sequence numbers: a reply to an older request never overwrites a newer one.
  let photoSeq = 0;
  let faceSeq = 0;
  const edits = createEditHandles(api);
  const release = (id: number | undefined) => {
    if (id !== undefined) void api.dispose(id).catch(() => {});
  };

  return createStore<EditorStoreState>()((set, get) => {
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
    /** Stops frames of the current face: the pending value is dropped, the frame in flight discarded. */
    const leaveFace = () => {
      frames.cancel();
      edits.reset();
      setRendered(null);
    };

    const frames = createFrameScheduler<FrameRequest, { frame: RenderedFrame; editId: number }>({
      async render(v) {
        const editId = await edits.get(v.faceId, v.reference, v.regions);
        return { frame: await api.render(editId, v.a), editId };
      },
      deliver({ frame: f, editId }) {
        setRendered({ patch: f.patch, x: f.x, y: f.y, width: f.width, height: f.height, editId, intensity: f.intensity });
        set((s) => ({ targetPoints: f.points, lastFrameMs: f.ms, framesRendered: s.framesRendered + 1 }));
      },
      discard: ({ frame }) => frame.patch.close(),
      onError: fail,
      onBusy: (rendering) => set({ rendering }),
    });

    const request = () => {
      const { capabilities, face, reference, referenceFace, regions, intensity } = get();
      if (!capabilities.expression || !face) return;
      let spec: ReferenceSpec;
      if (reference.kind !== 'photo') spec = reference;
      else if (referenceFace) spec = { kind: 'face', faceId: referenceFace.faceId };
      else return;
      set((s) => ({ framesRequested: s.framesRequested + 1 }));
      frames.request({ faceId: face.faceId, reference: spec, regions: capabilities.regions.length ? regions : undefined, a: intensity });
    };

    return {
      status: 'starting',
      busyLabel: '',
      progress: { fraction: 0, label: 'Starting' },
      backend: null,
      capabilities: NO_CAPS,
      photo: null,
      faces: [],
      selected: null,
      face: null,
      showMesh: true,
      error: null,
      reference: { kind: 'neutral' },
      referenceFace: null,
      intensity: 1,
      regions: [],
      targetPoints: null,
      rendered: null,
      rendering: false,
      lastFrameMs: null,
      framesRequested: 0,
      framesRendered: 0,
      compare: false,
      editing: false,

      async start() {
        set({ status: 'starting', error: null });
        try {
          const { backend, capabilities } = await api.init({ modelBaseUrl }, (fraction, label) => set({ progress: { fraction, label } }));
          set({ backend, capabilities, regions: [...capabilities.regions], status: 'ready', progress: { fraction: 1, label: 'Ready' } });
        } catch (e) {
          fail(e);
        }
      },

      async openFile(file, name) {
        const seq = ++photoSeq;
        faceSeq++;
        frames.cancel();
        set({ status: 'busy', busyLabel: 'Looking for faces…', error: null });
        try {
          const opened = await api.open(file);
          if (seq !== photoSeq) {
            opened.bitmap.close();
            release(opened.photoId);
            return;
          }
          const old = get().photo;
          leaveFace();
          old?.bitmap.close();
          release(old?.id);
          set({
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
          } else if (opened.faces.length === 1) {
            await get().selectFace(0);
          }
        } catch (e) {
          if (seq === photoSeq) fail(e);
        }
      },

      async selectFace(index) {
        const photo = get().photo;
        if (!photo) return;
        const seq = photoSeq;
        const fseq = ++faceSeq;
        const old = get().face;
        leaveFace();
        release(old?.faceId);
        set({ status: 'busy', busyLabel: 'Finding landmarks…', selected: index, face: null, targetPoints: null, error: null });
        try {
          const face = await api.face(photo.id, index);
          if (seq !== photoSeq || fseq !== faceSeq) {
            release(face.faceId);
            return;
          }
          set({ face, status: 'ready', busyLabel: '' });
          if (get().editing) request();
        } catch (e) {
          if (seq === photoSeq && fseq === faceSeq) {
            set({ selected: null });
            fail(e);
          }
        }
      },

      setShowMesh: (on) => set({ showMesh: on }),
      dismissError: () => set({ error: null }),

      setReference(ref) {
        set({ reference: ref, editing: true });
        request();
      },

      async openReference(file, name) {
        set({ status: 'busy', busyLabel: 'Reading the reference photo…', error: null });
        let photoId: number | undefined;
        try {
          const opened = await api.open(file);
          opened.bitmap.close();
          photoId = opened.photoId;
          if (opened.faces.length === 0) {
            release(photoId);
            set({ error: appError(ErrorCode.NO_FACE, 'no face in the reference photo'), status: 'ready', busyLabel: '' });
            return;
          }
          const f = await api.face(opened.photoId, 0);
          release(get().referenceFace?.photoId);
          set({ referenceFace: f, reference: { kind: 'photo', name }, status: 'ready', busyLabel: '', editing: true });
          request();
        } catch (e) {
          release(photoId);
          fail(e);
        }
      },

      setIntensity(a) {
        set({ intensity: a, editing: true });
        request();
      },

      toggleRegion(region) {
        const { regions } = get();
        set({ regions: regions.includes(region) ? regions.filter((r) => r !== region) : [...regions, region], editing: true });
        request();
      },

      setCompare: (on) => set({ compare: on }),

      engineMemory: () => api.memory(),

      async download(format) {
        const { photo, rendered } = get();
        if (!photo) return;
        set({ status: 'busy', busyLabel: 'Encoding…' });
        try {
          const quality = format === 'jpeg' ? DEFAULT_JPEG_QUALITY : undefined;
          const blob = await api.export(rendered?.editId ?? photo.id, rendered?.intensity ?? 0, format, quality);
          save(blob, photo.name, format);
          set({ status: 'ready', busyLabel: '' });
        } catch (e) {
          fail(e);
        }
      },

      dispose() {
        frames.cancel();
        get().photo?.bitmap.close();
        get().rendered?.patch.close();
      },
    };
  });
}
