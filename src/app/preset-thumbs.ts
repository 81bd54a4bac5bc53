/**
 * The preset grid's thumbnails: the selected face under every preset (and neutral) at intensity 1, made in the
 * worker one after another with the cheap preview render (worker.ts `thumbnail`). They have the lowest priority:
 * each starts only while no frame is being rendered and nothing else is busy, so the user's own frames wait for at
 * most the one thumbnail in flight; a new photo or face (or a restarted engine) drops them and starts over.
 */
import type { PresetName } from './engine';
import type { RawPixels, ThumbnailReference, WorkerApi } from './protocol';

export type ThumbName = PresetName | 'neutral';

/** Thumbnail side, px (the grid shows them smaller; 96 stays sharp on a 2x screen). */
export const THUMB_SIZE = 96;
/** How often an idle check looks again while the user's frames render, ms. */
const IDLE_POLL_MS = 100;

/** What the thumbnails need of the store: its state (read and written) and its changes. */
export interface ThumbStore {
  getState(): {
    face: { faceId: number } | null;
    capabilities: { expression: boolean; presets: readonly PresetName[] };
    rendering: boolean;
    status: string;
  };
  setState(partial: { presetThumbs: Partial<Record<ThumbName, RawPixels>> } | ((s: { presetThumbs: Partial<Record<ThumbName, RawPixels>> }) => object)): void;
  subscribe(listener: (s: ReturnType<ThumbStore['getState']>) => void): () => void;
}

/** The grid's order: the presets this build ships, then neutral. */
export const thumbNames = (presets: readonly PresetName[]): ThumbName[] => [...presets, 'neutral'];

const referenceOf = (name: ThumbName): ThumbnailReference => (name === 'neutral' ? { kind: 'neutral' } : { kind: 'preset', preset: name });

/** Keeps `presetThumbs` in the store for its current face; returns the stopper. */
export function startPresetThumbs(thumbnail: NonNullable<WorkerApi['thumbnail']>, store: ThumbStore, pollMs = IDLE_POLL_MS): () => void {
  let faceId: number | null = null;
  let generation = 0;
  const idle = async (stale: () => boolean) => {
    for (;;) {
      const s = store.getState();
      if (stale() || (!s.rendering && s.status === 'ready')) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const run = async (id: number, gen: number) => {
    const stale = () => gen !== generation;
    for (const name of thumbNames(store.getState().capabilities.presets)) {
      await idle(stale);
      if (stale()) return;
      try {
        const pixels = await thumbnail(id, referenceOf(name), THUMB_SIZE);
        if (stale()) return;
        store.setState((s) => ({ presetThumbs: { ...s.presetThumbs, [name]: pixels } }));
      } catch (e) {
        // its placeholder stays; the user's own frames report the engine's failures
        if (!stale()) console.warn(`[leed] thumbnail ${name} failed`, e);
      }
    }
  };
  const check = (s: ReturnType<ThumbStore['getState']>) => {
    const id = s.capabilities.expression ? (s.face?.faceId ?? null) : null;
    if (id === faceId) return;
    faceId = id;
    generation++;
    store.setState({ presetThumbs: {} });
    if (id !== null) void run(id, generation);
  };
  const off = store.subscribe(check);
  check(store.getState());
  return () => {
    off();
    generation++;
  };
}
