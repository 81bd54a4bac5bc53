/**
 * Read-only hooks on `window.__leed` for the browser tests: the one type both the app (which installs
 * them, in test builds only: vite.config.ts) and e2e/helpers.ts (which reads them) use.
 */
import type { EditorState, EditorStore, ReferenceChoice } from './store';

/** A plain snapshot of the app state. */
export interface LeedState {
  status: EditorState['status'];
  backend: string | null;
  fallbackReasons: string[];
  photo: { name: string; width: number; height: number } | null;
  faces: { x: number; y: number; width: number; height: number; score: number }[];
  selected: number | null;
  /** Landmarks of the selected face (0 when none). */
  points: number;
  facePoints: [number, number][];
  targetPoints: [number, number][];
  regions: string[];
  /** Every action unit's value in the edit on screen (null before its first frame), and those the user set. */
  units: Record<string, number> | null;
  unitEdits: Record<string, number>;
  /** Names of the saved expressions. */
  saved: string[];
  error: { code: string; message: string } | null;
  /** Null until the user chooses a reference. */
  reference: ReferenceChoice | null;
  intensity: number;
  rendering: boolean;
  renderedIntensity: number | null;
  framesRequested: number;
  framesRendered: number;
  lastFrameKind: 'preview' | 'full' | null;
  /** Steps that can be undone and redone; the user's wait for the last full frame (ms). */
  history: { undo: number; redo: number };
  lastWaitMs: number | null;
  /** The preset strip's thumbnails that are ready (preset names, 'neutral'); the recent reference photos, the latest first. */
  presetThumbs: string[];
  recentReferences: string[];
  /** The selected face's box (image px; the thumbnails are cropped around it). */
  faceBox: { x: number; y: number; width: number; height: number } | null;
  /** `render`: the build can render edits (it ships the expression models). */
  capabilities: { expression: boolean; presets: string[]; regions: string[]; render: boolean; refiner: boolean };
  /** The recorded camera performance: its frames' times (ms from its start), intensities and lip-corner pulls, its length. */
  recording: { frames: { t: number; a: number; smile: number }[]; durationMs: number } | null;
}

export interface LeedHooks {
  backend(): string;
  state(): LeedState;
  /** Tensors held by the engine worker. */
  memory(): Promise<{ numTensors: number; numBytes: number }>;
}

declare global {
  interface Window {
    __leed?: LeedHooks;
  }
}

export function snapshot(s: EditorState): LeedState {
  const xy = (p: readonly number[]): [number, number] => [p[0], p[1]];
  return {
    status: s.status,
    backend: s.backend?.name ?? null,
    fallbackReasons: s.backend?.fallbackReasons ?? [],
    photo: s.photo ? { name: s.photo.name, width: s.photo.width, height: s.photo.height } : null,
    faces: s.faces.map((f) => ({ x: f.x, y: f.y, width: f.width, height: f.height, score: f.score })),
    selected: s.selected,
    points: s.face?.points.length ?? 0,
    facePoints: s.face ? s.face.points.map(xy) : [],
    targetPoints: s.targetPoints ? s.targetPoints.map(xy) : [],
    regions: [...s.regions],
    units: s.units ? { ...s.units } : null,
    unitEdits: { ...s.unitEdits },
    saved: s.saved.map((e) => e.name),
    error: s.error ? { code: s.error.code, message: s.error.message } : null,
    reference: s.reference,
    intensity: s.intensity,
    rendering: s.rendering,
    renderedIntensity: s.rendered?.intensity ?? null,
    framesRequested: s.framesRequested,
    framesRendered: s.framesRendered,
    lastFrameKind: s.lastFrameKind,
    history: { ...s.history },
    lastWaitMs: s.lastWaitMs,
    presetThumbs: Object.keys(s.presetThumbs),
    recentReferences: s.recentReferences.map((r) => r.name),
    faceBox: s.face ? { x: s.face.box.x, y: s.face.box.y, width: s.face.box.width, height: s.face.box.height } : null,
    capabilities: { ...s.capabilities, presets: [...s.capabilities.presets], regions: [...s.capabilities.regions], render: s.capabilities.expression },
    recording: s.recording
      ? {
          frames: s.recording.frames.map((f) => ({ t: f.t, a: f.a, smile: JSON.parse(f.expression).units?.lip_corner_pull ?? 0 })),
          durationMs: s.recording.durationMs,
        }
      : null,
  };
}

/** Installs `window.__leed` for this store; returns the uninstaller. */
export function installTestHooks(target: { __leed?: LeedHooks }, store: EditorStore): () => void {
  const hooks: LeedHooks = Object.freeze({
    backend: () => store.getState().backend?.name ?? '',
    state: () => snapshot(store.getState()),
    memory: () => store.getState().engineMemory(),
  });
  Object.defineProperty(target, '__leed', { value: hooks, configurable: true, writable: false });
  return () => {
    delete target.__leed;
  };
}
