/**
 * App state (zustand). One store per app instance, made by `createAppStore(client)` and handed down
 * by <StoreProvider>; nothing here is module-level mutable state. Actions talk to the engine worker.
 */
import { createContext, createElement, useContext, useEffect, useState, type ReactNode } from 'react';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { editedFilename } from '../engine/io/encode';
import { ERROR_MESSAGES, ErrorCode } from '../engine/errors';
import { Comlink, createEngineClient, modelBaseUrl, type EngineClient } from './engine-client';
import type { BackendInfo, Capabilities, MemoryInfo, FaceBox, FaceResult, Point3, ReferenceChoice, WorkerError } from './protocol';

export type Status = 'starting' | 'ready' | 'busy' | 'fatal';

export interface AppError {
  code: ErrorCode;
  /** The user-facing text, from ERROR_MESSAGES. */
  message: string;
  /** The engine's detail (for the tooltip / console), never used for branching. */
  detail: string;
}

export interface PhotoInfo {
  name: string;
  width: number;
  height: number;
  bitmap: ImageBitmap;
}

export interface RenderedPatch {
  patch: ImageBitmap;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface AppState {
  status: Status;
  busyLabel: string;
  progress: { fraction: number; label: string };
  backend: BackendInfo | null;
  capabilities: Capabilities;
  photo: PhotoInfo | null;
  faces: FaceBox[];
  selected: number | null;
  face: FaceResult | null;
  showMesh: boolean;
  error: AppError | null;
  // Expression editing
  reference: ReferenceChoice;
  referenceFace: FaceResult | null;
  intensity: number;
  regions: string[];
  targetPoints: Point3[] | null;
  /** The last rendered frame: a patch to draw over the photo at (x, y). */
  rendered: RenderedPatch | null;
  renderedIntensity: number | null;
  rendering: boolean;
  /** Worker time of the last frame (target + render), ms. */
  lastFrameMs: number | null;
  framesRequested: number;
  framesRendered: number;
  compare: boolean;
  /** False until the user first touches the expression controls: until then the photo is shown as it is. */
  editing: boolean;
}

export interface AppActions {
  start(): Promise<void>;
  openFile(file: Blob, name: string): Promise<void>;
  selectFace(index: number): Promise<void>;
  setShowMesh(on: boolean): void;
  dismissError(): void;
  setReference(ref: ReferenceChoice): void;
  openReference(file: Blob, name: string): Promise<void>;
  setIntensity(a: number): void;
  toggleRegion(region: string): void;
  setCompare(on: boolean): void;
  download(type: 'image/png' | 'image/jpeg'): Promise<void>;
  engineMemory(): Promise<MemoryInfo>;
}

export type AppStore = StoreApi<AppState & AppActions>;

const NO_CAPS: Capabilities = { expression: false, presets: [], regions: [], render: false, refiner: false };

export function toAppError(e: unknown): AppError {
  const w = e as Partial<WorkerError> | undefined;
  const code = w && typeof w === 'object' && typeof w.code === 'string' && w.code in ERROR_MESSAGES ? (w.code as ErrorCode) : ErrorCode.BAD_ARGUMENT;
  const detail = w && typeof w === 'object' && typeof w.message === 'string' ? w.message : String(e);
  return { code, message: ERROR_MESSAGES[code], detail };
}


export function createAppStore(client: EngineClient): AppStore {
  const { api } = client;
  // Sequence numbers: a reply to an older request never overwrites a newer one.
  let photoSeq = 0;
  // Bumped whenever the photo or the selected face changes: frames rendered for another face are dropped.
  let faceSeq = 0;
  let pendingIntensity: number | null = null;
  let pumping = false;

  const store = createStore<AppState & AppActions>()((set, get) => {
    const fail = (e: unknown) => {
      const err = toAppError(e);
      console.warn(`[leed] ${err.code}: ${err.detail}`);
      set({ error: err, status: get().status === 'starting' ? 'fatal' : 'ready', busyLabel: '' });
    };

    const setRendered = (r: RenderedPatch | null, a: number | null) => {
      const old = get().rendered;
      if (old && old !== r) old.patch.close();
      set({ rendered: r, renderedIntensity: a });
    };

    /** Renders (or computes the target of) the newest requested intensity; stale values are dropped. */
    const pump = async () => {
      if (pumping) return;
      pumping = true;
      set({ rendering: true });
      try {
        while (pendingIntensity !== null) {
          const a = pendingIntensity;
          pendingIntensity = null;
          const seq = faceSeq;
          const { reference, regions, capabilities } = get();
          const regs = capabilities.regions.length ? regions : undefined;
          try {
            if (capabilities.render) {
              const r = await api.render(reference, a, regs);
              if (seq !== faceSeq) { r.patch.close(); continue; }
              setRendered({ patch: r.patch, x: r.x, y: r.y, width: r.width, height: r.height }, a);
              set((s) => ({ targetPoints: r.points, lastFrameMs: r.ms, framesRendered: s.framesRendered + 1 }));
            } else {
              const pts = await api.target(reference, a, regs);
              if (seq !== faceSeq) continue;
              set((s) => ({ targetPoints: pts, framesRendered: s.framesRendered + 1 }));
            }
          } catch (e) {
            if (seq === faceSeq) fail(e);
          }
        }
      } finally {
        pumping = false;
        set({ rendering: false });
      }
    };

    const request = (a: number) => {
      const { capabilities, face } = get();
      if (!capabilities.expression || !face) return;
      pendingIntensity = a;
      set((s) => ({ framesRequested: s.framesRequested + 1 }));
      void pump();
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
      renderedIntensity: null,
      rendering: false,
      lastFrameMs: null,
      framesRequested: 0,
      framesRendered: 0,
      compare: false,
      editing: false,

      async start() {
        set({ status: 'starting', error: null });
        try {
          const backend = await api.init({ modelBaseUrl: modelBaseUrl() }, Comlink.proxy((fraction: number, label: string) => set({ progress: { fraction, label } })));
          const capabilities = await api.capabilities();
          set({ backend, capabilities, regions: capabilities.regions, status: 'ready', progress: { fraction: 1, label: 'Ready' } });
        } catch (e) {
          fail(e);
        }
      },

      async openFile(file, name) {
        const seq = ++photoSeq;
        faceSeq++;
        pendingIntensity = null;
        set({ status: 'busy', busyLabel: 'Looking for faces…', error: null });
        try {
          const opened = await api.open(file);
          if (seq !== photoSeq) { opened.bitmap.close(); return; }
          get().photo?.bitmap.close();
          setRendered(null, null);
          set({
            photo: { name, width: opened.width, height: opened.height, bitmap: opened.bitmap },
            faces: opened.faces, selected: null, face: null, targetPoints: null, compare: false,
            status: 'ready', busyLabel: '',
          });
          if (opened.faces.length === 0) {
            set({ error: { code: ErrorCode.NO_FACE, message: ERROR_MESSAGES[ErrorCode.NO_FACE], detail: 'the detector found no face' } });
          } else if (opened.faces.length === 1) {
            await get().selectFace(0);
          }
        } catch (e) {
          if (seq === photoSeq) fail(e);
        }
      },

      async selectFace(index) {
        const seq = photoSeq;
        const fseq = ++faceSeq;
        pendingIntensity = null;
        set({ status: 'busy', busyLabel: 'Finding landmarks…', selected: index, face: null, targetPoints: null, error: null });
        setRendered(null, null);
        try {
          const face = await api.face(index);
          if (seq !== photoSeq || fseq !== faceSeq) return;
          set({ face, status: 'ready', busyLabel: '' });
          if (get().capabilities.expression && get().editing) request(get().intensity);
        } catch (e) {
          if (seq === photoSeq && fseq === faceSeq) { set({ selected: null }); fail(e); }
        }
      },

      setShowMesh: (on) => set({ showMesh: on }),
      dismissError: () => set({ error: null }),

      setReference(ref) {
        set({ reference: ref, editing: true });
        if (ref.kind !== 'photo' || get().referenceFace) request(get().intensity);
      },

      async openReference(file, name) {
        set({ status: 'busy', busyLabel: 'Reading the reference photo…', error: null });
        try {
          const f = await api.openReference(file);
          set({ referenceFace: f, reference: { kind: 'photo', name }, status: 'ready', busyLabel: '', editing: true });
          request(get().intensity);
        } catch (e) {
          fail(e);
        }
      },

      setIntensity(a) {
        set({ intensity: a, editing: true });
        request(a);
      },

      toggleRegion(region) {
        const regions = get().regions.includes(region) ? get().regions.filter((r) => r !== region) : [...get().regions, region];
        set({ regions, editing: true });
        request(get().intensity);
      },

      setCompare: (on) => set({ compare: on }),

      engineMemory: () => api.memory(),

      async download(type) {
        const { photo } = get();
        if (!photo) return;
        set({ status: 'busy', busyLabel: 'Encoding…' });
        try {
          const blob = await api.exportImage(type, type === 'image/jpeg' ? 0.92 : undefined);
          const url = URL.createObjectURL(blob);
          const a = document.createElement('a');
          a.href = url;
          a.download = editedFilename(photo.name, type === 'image/png' ? 'png' : 'jpeg');
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10_000);
          set({ status: 'ready', busyLabel: '' });
        } catch (e) {
          fail(e);
        }
      },
    };
  });
  return store;
}

const StoreContext = createContext<AppStore | null>(null);

/** Starts one engine worker and one store for the lifetime of the provider. */
export function StoreProvider({ children }: { children: ReactNode }) {
  const [store, setStore] = useState<AppStore | null>(null);
  useEffect(() => {
    const client = createEngineClient();
    const s = createAppStore(client);
    setStore(s);
    void s.getState().start();
    return () => {
      s.getState().photo?.bitmap.close();
      s.getState().rendered?.patch.close();
      client.terminate();
    };
  }, []);
  if (!store) return null;
  return createElement(StoreContext.Provider, { value: store }, children);
}

export function useAppStore<T>(selector: (s: AppState & AppActions) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore outside <StoreProvider>');
  return useStore(store, selector);
}

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStoreApi outside <StoreProvider>');
  return store;
}
