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
  editedFilename,
  type BackendInfo,
  type Capabilities,
  type FaceBox,
  type OutputFormat,
  type Point3,
  type PresetName,
  type Region,
  UNITS,
  type UnitGroup,
  type UnitName,
  type UnitValues,
} from './engine';
import { downloadEdited, downloadName, saveBlob } from './download';
import { createEditHandles, type EditRef } from './edit-handles';
import { createFrameScheduler } from './frame-scheduler';
import { EXPRESSION_NOT_STORED, expressionFileMessage } from './messages';
import { createEditHistory, type EditStep, sameReference, stepOf } from './store-history';
import { startPresetThumbs, type ThumbName } from './preset-thumbs';
import type { EditUnits, FaceInfo, RawPixels, RenderedFrame, ReferenceSpec, SavedExpression, WorkerApi } from './protocol';
import { type Recent, withRecent } from './recent-references';
import type { PerformanceRecording } from './recording';
import { browserStorage, type ExpressionStorage, expressionFilename, loadExpressions, storeExpressions, withExpression } from './saved-expressions';

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

/** The reference as the user chose it (a reference photo is named; its face is `referenceFace`; a saved expression carries its JSON). */
export type ReferenceChoice =
  | { kind: 'neutral' }
  | { kind: 'preset'; preset: PresetName }
  | { kind: 'photo'; name: string }
  | { kind: 'expression'; name: string; json: string }
  /** The performer's face through the webcam (camera.ts renders its frames, not the scheduler). */
  | { kind: 'camera' };

/** The reference photo as shown beside its name: the decoded photo and the box of the face used. */
export interface ReferencePhoto {
  name: string;
  bitmap: ImageBitmap;
  box: FaceBox;
}

/** A reference photo picked earlier (recent-references.ts): its face stays in the worker for a quick reuse. */
type RecentReference = Recent<FaceInfo, ReferencePhoto>;

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
  /** Every action unit's value in the edit on screen (the reference's decomposition with the user's values); null before the first frame. */
  units: EditUnits | null;
  /** The unit values the user set (the Adjust panel's sliders); the others keep the reference's values. */
  unitEdits: UnitValues;
  /** The expressions saved in this browser, in the order they were saved. */
  saved: SavedExpression[];
  targetPoints: Point3[] | null;
  rendered: ShownFrame | null;
  rendering: boolean;
  /** Worker time of the last frame (target + render), ms. */
  lastFrameMs: number | null;
  /** The user's wait for the last full frame: from the change that asked for it to the frame on screen, ms. */
  lastWaitMs: number | null;
  /** How many steps can be undone and redone. */
  history: { undo: number; redo: number };
  framesRequested: number;
  framesRendered: number;
  /** Whether the frame on screen is a warp-only preview (the slider is moving) or the full frame. */
  lastFrameKind: 'preview' | 'full' | null;
  compare: boolean;
  /** The preset strip's thumbnails of the selected face (preset-thumbs.ts), by preset ('neutral' too); missing: pending. */
  presetThumbs: Partial<Record<ThumbName, RawPixels>>;
  /** The reference photos picked this session, the latest first. */
  recentReferences: RecentReference[];
  /** What happened to the engine, in plain words, after engine-supervisor.ts restarted it (absent or null: nothing to say). */
  engineNotice?: string | null;
  /** The last camera performance recorded (recording.ts), to be saved as a video; null: none. */
  recording: PerformanceRecording | null;
}

interface EditorActions {
  start(): Promise<void>;
  openFile(file: Blob, name: string): Promise<void>;
  selectFace(index: number): Promise<void>;
  setShowMesh(on: boolean): void;
  dismissError(): void;
  setReference(ref: ReferenceChoice): void;
  openReference(file: Blob, name: string): Promise<void>;
  /** Picks the reference photo `recentReferences[index]` again (its face is still in the worker). */
  pickRecentReference(index: number): void;
  setIntensity(a: number): void;
  toggleRegion(region: Region): void;
  /** Sets one action unit (clamped to its range) on top of the reference. */
  setUnit(unit: UnitName, value: number): void;
  /** The units of a group go back to the reference's values. */
  resetUnits(group: UnitGroup): void;
  /** Stores the current edit's expression in this browser under `name` (one of the same name is replaced). */
  saveExpression(name: string): Promise<void>;
  deleteExpression(name: string): void;
  /** Downloads a saved expression as a small JSON file. */
  exportExpression(name: string): void;
  /** Reads a file of a saved expression, adds it to the list and applies it; a bad file changes nothing but the message. */
  importExpression(file: Blob): Promise<void>;
  setCompare(on: boolean): void;
  /** Steps back (forward) through the edit: the face, reference, intensity, regions and unit values. */
  undo(): void;
  redo(): void;
  /** Records a moving slider's value as a step now (pointer up) instead of after it rests. */
  commitStep(): void;
  download(format: OutputFormat): Promise<void>;
  /** The engine's tensor count (test hooks). */
  engineMemory(): Promise<{ numTensors: number; numBytes: number }>;
  /** The engine worker, for what drives it frame by frame outside the store (the video export, the camera). */
  engine(): WorkerApi;
  /** Shows a frame the camera's loop rendered (camera.ts; its edit is the loop's to release), with its edit's unit values. */
  showLiveFrame(frame: RenderedFrame, editId: number, units: EditUnits): void;
  /** Keeps a recorded camera performance (replacing the last one) for "Save as video". */
  setRecording(r: PerformanceRecording | null): void;
  /** Releases the bitmaps the state holds (the worker goes with its client). */
  dispose(): void;
}

export type EditorStoreState = EditorState & EditorActions;
export type EditorStore = StoreApi<EditorStoreState>;

export interface EditorStoreOptions {
  api: WorkerApi;
  modelBaseUrl: string;
  /** Saves the encoded photo as `filename` (default: a browser download; the name says what changed: download.ts). */
  save?: (blob: Blob, originalName: string, format: OutputFormat, filename: string) => void;
  /** Saves an exported expression file (default: a browser download). */
  saveFile?: (blob: Blob, filename: string) => void;
  /** Where saved expressions are kept (default: localStorage; null: for this session only). */
  storage?: ExpressionStorage | null;
}

/** The slider's range. */
export const INTENSITY_MAX = 1.5;

const NO_CAPS: Capabilities = { expression: false, presets: [], regions: [], refiner: false };

interface FrameRequest {
  faceId: number;
  reference: ReferenceSpec;
  regions: Region[] | undefined;
  units: UnitValues | undefined;
  a: number;
  /** When the user made the change this frame shows (performance.now()). */
  at: number;
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
  units: null,
  unitEdits: {},
  saved: [],
  targetPoints: null,
  rendered: null,
  rendering: false,
  lastFrameMs: null,
  lastWaitMs: null,
  history: { undo: 0, redo: 0 },
  framesRequested: 0,
  framesRendered: 0,
  lastFrameKind: null,
  compare: false,
  presetThumbs: {},
  recentReferences: [],
  recording: null,
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
  /** Puts a reference photo first among the recent ones (those that leave the list are released). */
  remember(r: RecentReference): void;
  /** Stops frames of the current face: the pending value is dropped, the frame in flight discarded. */
  leaveFace(): void;
  /** The edit and frame request of the current face, reference, regions, units and intensity (null when one is missing). */
  current(): FrameRequest | null;
  /** Asks for a frame of the current face, reference, regions, units and intensity (nothing when one is missing). */
  request(): void;
  frames: ReturnType<typeof createFrameScheduler<FrameRequest, { frame: RenderedFrame; edit: EditRef }>>;
  history: ReturnType<typeof createEditHistory<ReferenceChoice, ReferencePhoto>>;
  /** Notes the moment of a user's change (the start of the wait "Edited in" reports). */
  mark(): void;
  /** The current step of the edit (for the history). */
  step(): EditStep<ReferenceChoice, ReferencePhoto>;
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
  const editOf = (v: FrameRequest) => edits.get(v.faceId, v.reference, v.regions, v.units);
  const frames = createFrameScheduler<FrameRequest, { frame: RenderedFrame; edit: EditRef }>({
    async render(v) {
      const edit = await editOf(v);
      return { frame: await api.render(edit.id, v.a, 'full'), edit };
    },
    // Progressive frames: a warp-only preview of each new value, the full frame once the slider rests
    // (only worth it when the full frame runs the refiner).
    preview: async (v) => {
      const edit = await editOf(v);
      return { frame: await api.render(edit.id, v.a, get().capabilities.refiner ? 'preview' : 'full'), edit };
    },
    deliver({ frame: f, edit }, v) {
      setRendered({ patch: f.patch, x: f.x, y: f.y, width: f.width, height: f.height, editId: edit.id, intensity: f.intensity });
      set((s) => ({ units: edit.units, targetPoints: f.points, lastFrameMs: f.ms, lastFrameKind: f.kind, framesRendered: s.framesRendered + 1 }));
      if (f.kind === 'full') set({ lastWaitMs: performance.now() - v.at });
    },
    discard: ({ frame }) => frame.patch.close(),
    onError: fail,
    onBusy: (rendering) => set({ rendering }),
  });
  const current = (): FrameRequest | null => {
    const { capabilities, face, reference, referenceFace, regions, unitEdits, intensity } = get();
    if (!capabilities.expression || !face || !reference) return null;
    if (reference.kind === 'camera') return null;
    let spec: ReferenceSpec;
    if (reference.kind === 'photo') {
      if (!referenceFace) return null;
      spec = { kind: 'face', faceId: referenceFace.faceId };
    } else if (reference.kind === 'expression') spec = { kind: 'expression', json: reference.json };
    else spec = reference;
    const units = Object.keys(unitEdits).length ? unitEdits : undefined;
    const at = actionAt ?? performance.now();
    return { faceId: face.faceId, reference: spec, regions: capabilities.regions.length ? regions : undefined, units, a: intensity, at };
  };
  let actionAt: number | null = null;
  const released = new WeakSet<object>();
  const releaseReference = (face: FaceInfo | null, photo: ReferencePhoto | null) => {
    // a recent reference stays for its reuse (leaving the list releases it)
    if (face && get().recentReferences.some((r) => r.face === face)) return;
    if (face && !released.has(face)) release(face.photoId);
    if (photo && !released.has(photo)) photo.bitmap.close();
    for (const x of [face, photo]) if (x) released.add(x);
  };
  const history = createEditHistory<ReferenceChoice, ReferencePhoto>({ get, set, releaseReference });
  return {
    api,
    set,
    get,
    seq: { photo: 0, face: 0 },
    release,
    fail,
    frames,
    history,
    mark() {
      actionAt = performance.now();
    },
    step: () => stepOf(get()),
    remember(r) {
      const { list, dropped } = withRecent(get().recentReferences, r);
      set({ recentReferences: list });
      for (const d of dropped) if (!history.held(d.face)) releaseReference(d.face, d.photo);
    },
    dropReference() {
      const { referenceFace, referencePhoto } = get();
      set({ referenceFace: null, referencePhoto: null });
      // a step of the history may go back to it
      if (!history.held(referenceFace)) releaseReference(referenceFace, referencePhoto);
    },
    leaveFace() {
      frames.cancel();
      edits.reset();
      setRendered(null);
      set({ units: null });
    },
    current,
    request() {
      const v = current();
      if (!v) return;
      set((s) => ({ framesRequested: s.framesRequested + 1 }));
      frames.request(v);
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
      const { photo, rendered, reference, unitEdits } = get();
      if (!photo) return;
      const adjusted = Object.keys(unitEdits).length > 0;
      const filename = rendered ? downloadName(photo.name, reference, rendered.intensity, adjusted, format) : editedFilename(photo.name, format);
      set({ status: 'busy', busyLabel: 'Encoding…' });
      try {
        const quality = format === 'jpeg' ? DEFAULT_JPEG_QUALITY : undefined;
        const blob = await api.export(rendered?.editId ?? photo.id, rendered?.intensity ?? 0, format, quality);
        save(blob, photo.name, format, filename);
        set({ status: 'ready', busyLabel: '' });
      } catch (e) {
        k.fail(e);
      }
    },

    engineMemory: () => api.memory(),
    engine: () => api,
    showLiveFrame(f: RenderedFrame, editId: number, units: EditUnits) {
      const old = get().rendered;
      if (old) old.patch.close();
      const rendered = { patch: f.patch, x: f.x, y: f.y, width: f.width, height: f.height, editId, intensity: f.intensity };
      set((s) => ({ rendered, units, targetPoints: f.points, lastFrameMs: f.ms, lastFrameKind: f.kind, framesRendered: s.framesRendered + 1 }));
    },
    setRecording: (recording: PerformanceRecording | null) => set({ recording }),

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
          unitEdits: {},

          photo: { id: opened.photoId, name, width: opened.width, height: opened.height, bitmap: opened.bitmap },
          faces: opened.faces,
          selected: null,
          face: null,
          targetPoints: null,
          compare: false,
          status: 'ready',
          busyLabel: '',
        });
        // a new photo starts a fresh history (its first face is chosen for the user, not a step)
        k.history.reset({ ...k.step(), selected: opened.faces.length ? largestFace(opened.faces) : null });
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
      k.mark();
      k.history.commit(k.step());
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
      const old = get().reference;
      const first = old === null;
      // another reference starts from its own unit values
      const same = JSON.stringify(old) === JSON.stringify(ref);
      set({ reference: ref, ...(first ? { intensity: FIRST_REFERENCE_INTENSITY } : {}), ...(same ? {} : { unitEdits: {}, units: null }) });
      k.mark();
      k.history.commit(k.step());
      k.request();
    },

    pickRecentReference(index: number) {
      const r = get().recentReferences[index];
      if (!r) return;
      const { reference, referenceFace } = get();
      const same = reference?.kind === 'photo' && referenceFace === r.face;
      if (!same) k.dropReference();
      k.remember(r);
      set({
        referenceFace: r.face,
        referencePhoto: r.photo,
        reference: { kind: 'photo', name: r.name },
        ...(same ? {} : { unitEdits: {}, units: null }),
        ...(reference === null ? { intensity: FIRST_REFERENCE_INTENSITY } : {}),
      });
      k.mark();
      k.history.commit(k.step());
      k.request();
    },

    async openReference(file: Blob, name: string) {
      set({ status: 'busy', busyLabel: 'Reading the reference photo…', error: null });
      k.mark();
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
        const referencePhoto = { name, bitmap: opened.bitmap, box: opened.faces[index] };
        k.remember({ name, size: file.size, face: f, photo: referencePhoto });
        set({
          referenceFace: f,
          referencePhoto,
          reference: { kind: 'photo', name },
          unitEdits: {},
          units: null,
          status: 'ready',
          busyLabel: '',
          ...(first ? { intensity: FIRST_REFERENCE_INTENSITY } : {}),
        });
        bitmap = null;
        k.history.commit(k.step());
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
      k.mark();
      k.history.settle(k.step);
      k.request();
    },

    toggleRegion(region: Region) {
      const { regions } = get();
      set({ regions: regions.includes(region) ? regions.filter((r) => r !== region) : [...regions, region] });
      k.mark();
      k.history.commit(k.step());
      k.request();
    },

    setUnit(unit: UnitName, value: number) {
      if (get().reference === null || !(unit in UNITS) || !Number.isFinite(value)) return;
      const { min, max } = UNITS[unit];
      set((s) => ({ unitEdits: { ...s.unitEdits, [unit]: Math.min(max, Math.max(min, value)) } }));
      k.mark();
      k.history.settle(k.step);
      k.request();
    },

    resetUnits(group: UnitGroup) {
      const { unitEdits } = get();
      const kept = Object.fromEntries(Object.entries(unitEdits).filter(([u]) => UNITS[u as UnitName].group !== group));
      if (Object.keys(kept).length === Object.keys(unitEdits).length) return;
      set({ unitEdits: kept });
      k.mark();
      k.history.commit(k.step());
      k.request();
    },

    setShowMesh: (on: boolean) => set({ showMesh: on }),
    dismissError: () => set({ error: null }),
    setCompare: (on: boolean) => set({ compare: on }),
  };
}

/** Undo and redo: a step of the history is put back, then its frame is asked for (or its face found again). */
function historyActions(k: StoreKit) {
  const { set, get } = k;
  const apply = (step: EditStep<ReferenceChoice, ReferencePhoto> | null) => {
    if (!step) return;
    const before = k.step();
    set({
      reference: step.reference,
      referenceFace: step.referenceFace,
      referencePhoto: step.referencePhoto,
      intensity: step.intensity,
      regions: [...step.regions],
      unitEdits: { ...step.unitEdits },
      ...(sameReference(before, step) ? {} : { units: null }),
    });
    k.mark();
    if (step.selected !== null && step.selected !== before.selected) void get().selectFace(step.selected);
    else if (step.reference === null) k.leaveFace();
    else k.request();
  };
  return {
    undo: () => apply(k.history.undo(k.step())),
    redo: () => apply(k.history.redo(k.step())),
    commitStep: () => k.history.flush(),
  };
}

/** Saving the current edit's expression, the list of saved ones, their files. */
function expressionActions(
  k: StoreKit,
  store: Pick<EditorStore, 'subscribe'>,
  storage: ExpressionStorage | null,
  saveFile: NonNullable<EditorStoreOptions['saveFile']>,
) {
  const { api, set, get } = k;
  /** Resolves once no frame is being rendered: the frame on screen is then the current request's (and its edit alive). */
  const settled = () =>
    new Promise<void>((resolve) => {
      if (!get().rendering) return resolve();
      const off = store.subscribe((s) => {
        if (s.rendering) return;
        off();
        resolve();
      });
    });
  const keep = (saved: SavedExpression[]) => {
    set({ saved });
    if (!storeExpressions(storage, saved))
      set({ error: { code: ErrorCode.INTERNAL, message: EXPRESSION_NOT_STORED, detail: 'localStorage refused the list' } });
  };
  return {
    async saveExpression(name: string) {
      const trimmed = name.trim();
      if (!k.current() || !trimmed) return;
      await settled();
      // the edit of the frame on screen (never a new one here: the frame scheduler alone makes edits)
      const editId = get().rendered?.editId;
      if (editId === undefined || !k.current()) return;
      try {
        keep(withExpression(get().saved, await api.expression(editId, trimmed)));
      } catch (e) {
        k.fail(e);
      }
    },

    deleteExpression(name: string) {
      keep(get().saved.filter((e) => e.name !== name));
    },

    exportExpression(name: string) {
      const e = get().saved.find((x) => x.name === name);
      if (e) saveFile(new Blob([e.json], { type: 'application/json' }), expressionFilename(e.name));
    },

    async importExpression(file: Blob) {
      let saved: SavedExpression;
      try {
        // a saved expression is a few tens of kB: a large file is something else (and is not read)
        if (file.size > 1_000_000) throw { name: 'EditorError', code: ErrorCode.BAD_ARGUMENT, detail: 'the file is too large' };
        saved = await api.readExpression(await file.text());
      } catch (e) {
        const err = toAppError(e);
        const message = err.code === ErrorCode.BAD_ARGUMENT ? expressionFileMessage(err.detail) : err.message;
        set({ error: { ...err, message } });
        return;
      }
      keep(withExpression(get().saved, saved));
      set({ error: null });
      if (get().face) get().setReference({ kind: 'expression', name: saved.name, json: saved.json });
    },
  };
}

export function createEditorStore({
  api,
  modelBaseUrl,
  save = (blob, name, format, filename) => downloadEdited(blob, name, format, undefined, filename),
  saveFile = saveBlob,
  storage = browserStorage(),
}: EditorStoreOptions): EditorStore {
  const editorStore = createStore<EditorStoreState>()((set, get, store) => {
    const k = createStoreKit(api, set, get);
    return {
      ...INITIAL_STATE,
      saved: loadExpressions(storage),
      ...expressionActions(k, store, storage, saveFile),
      ...sessionActions(k, modelBaseUrl, save),
      ...photoActions(k),
      ...referenceActions(k),
      ...adjustActions(k),
      ...historyActions(k),
    };
  });
  startPresetThumbs(api.thumbnail, editorStore);
  return editorStore;
}
