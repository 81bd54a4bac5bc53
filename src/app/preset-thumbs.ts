/**
 * The preset strip's thumbnails: the selected face under every preset (and neutral) at intensity 1, made in the
 * worker one at a time (worker-thumbnail.ts), kept per face (photo and face index: an undo back to a face finds
 * them again). They come after everything the user does: one starts only once no frame is queued or rendering, the
 * models have loaded and warmed up, and nothing was changed for QUIET_MS, and the worker drops one that has not reached the GPU when a user's call comes in
 * (null: it is asked again at the next rest). The previous attempt rendered them between the slider's frames, and a
 * drag then showed no preview (CHANGELOG, 2026-12-07).
 */
import type { PresetName } from './engine';
import type { RawPixels, ThumbnailReference, WorkerApi } from './protocol';

export type ThumbName = PresetName | 'neutral';

/** Thumbnail side, px (shown at 56 CSS px: sharp on a 1.5x screen, cheap to keep). */
const THUMB_SIZE = 84;
/**
 * How long the user must rest (no change, no frame) before a thumbnail starts, ms: at least this, and twice the last
 * thumbnail's time, so that on a slow device (where the one in flight would hold the next frame longer) they wait for
 * longer rests.
 */
const QUIET_MS = 1000;
/** Faces whose thumbnails are kept (the latest ones). */
const KEEP_FACES = 6;

/** What the thumbnails read of the store (store.ts's EditorState) and the one field they write. */
export interface ThumbState {
  status: string;
  /** Model loading and warm-ups (1: nothing loads): those come first too. */
  progress: { fraction: number };
  rendering: boolean;
  photo: { id: number } | null;
  face: { faceId: number; photoId: number; index: number } | null;
  capabilities: { expression: boolean; presets: readonly PresetName[] };
  reference: unknown;
  intensity: number;
  regions: readonly string[];
  unitEdits: object;
  presetThumbs: Partial<Record<ThumbName, RawPixels>>;
}

export interface ThumbStore {
  getState(): ThumbState;
  setState(partial: Pick<ThumbState, 'presetThumbs'>): void;
  subscribe(listener: (s: ThumbState, prev: ThumbState) => void): () => void;
}

/** The strip's order: the presets this build ships, then neutral. */
export const thumbNames = (presets: readonly PresetName[]): ThumbName[] => [...presets, 'neutral'];

const referenceOf = (name: ThumbName): ThumbnailReference => (name === 'neutral' ? { kind: 'neutral' } : { kind: 'preset', preset: name });

/** The user did something: a change of the edit, or a frame started or ended. */
const userActed = (s: ThumbState, p: ThumbState) =>
  s.rendering !== p.rendering ||
  s.status !== p.status ||
  s.progress.fraction !== p.progress.fraction ||
  s.photo !== p.photo ||
  s.face !== p.face ||
  s.reference !== p.reference ||
  s.intensity !== p.intensity ||
  s.regions !== p.regions ||
  s.unitEdits !== p.unitEdits;

/** Keeps `presetThumbs` in the store for its current face; returns the stopper. */
export function startPresetThumbs(
  thumbnail: WorkerApi['thumbnail'],
  store: ThumbStore,
  { quietMs = QUIET_MS, size = THUMB_SIZE, now = () => performance.now() } = {},
): () => void {
  /** Thumbnails by face ("photo:index"), the latest face last. */
  const cache = new Map<string, Partial<Record<ThumbName, RawPixels>>>();
  /** Those that failed (not asked again for that face). */
  const failed = new Set<string>();
  let lastAct = now();
  let lastThumbMs = 0;
  const quiet = () => Math.max(quietMs, 2 * lastThumbMs);
  let running = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const keyOf = (s: ThumbState) => (s.capabilities.expression && s.face && s.photo?.id === s.face.photoId ? `${s.face.photoId}:${s.face.index}` : null);
  const thumbsOf = (key: string) => {
    let t = cache.get(key);
    if (!t) {
      t = {};
      cache.set(key, t);
      for (const k of cache.keys()) if (cache.size > KEEP_FACES) cache.delete(k);
    }
    return t;
  };
  // a new object each time: the strip re-renders when one more arrives
  const publish = (s: ThumbState) => {
    const key = keyOf(s);
    store.setState({ presetThumbs: key ? { ...thumbsOf(key) } : {} });
  };
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void tick(), Math.max(0, ms));
  };

  async function tick(): Promise<void> {
    const s = store.getState();
    const key = keyOf(s);
    if (running || stopped || !key || !s.face) return;
    const name = thumbNames(s.capabilities.presets).find((n) => !cache.get(key)?.[n] && !failed.has(`${key}:${n}`));
    // busy: a state change (the frame's end) schedules the next look
    if (!name || s.rendering || s.status !== 'ready' || s.progress.fraction < 1) return;
    const wait = lastAct + quiet() - now();
    if (wait > 0) return schedule(wait);
    const faceId = s.face.faceId;
    running = true;
    let pixels: RawPixels | null = null;
    const t0 = now();
    try {
      pixels = await thumbnail(faceId, referenceOf(name), size);
      if (pixels) lastThumbMs = now() - t0;
    } catch (e) {
      // the face was left meanwhile (its id released), or the render failed: its placeholder stays
      if (store.getState().face?.faceId === faceId) {
        failed.add(`${key}:${name}`);
        console.warn(`[leed] thumbnail ${name} failed`, e);
      }
    } finally {
      running = false;
    }
    if (stopped) return;
    if (pixels) {
      thumbsOf(key)[name] = pixels;
      publish(store.getState());
    } else lastAct = now(); // it gave way to the user's work
    schedule(0);
  }

  const off = store.subscribe((s, p) => {
    if (keyOf(s) !== keyOf(p)) publish(s);
    if (userActed(s, p)) lastAct = now();
    schedule(lastAct + quiet() - now());
  });
  publish(store.getState());
  schedule(quietMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
    off();
  };
}
