/**
 * A recorded camera performance (issue 26): while the camera is the reference, each analysed frame's expression (its
 * action units and the displacement they leave, in template space: a saved expression's JSON) is kept with the time
 * its camera frame was taken and the intensity then. No camera pixel is kept. Saved as a video, each video frame
 * shows the expression recorded last before its time (as the live view showed it), rendered as a full frame of the
 * photo through an edit toward that expression (video-export.ts encodes it).
 */
import type { Region, WorkerApi } from './protocol';
import { patchFrames, VIDEO_MAX_SECONDS } from './video-export';

/** One recorded frame: ms from the recording's start to its camera frame, its expression's JSON, the intensity. */
interface RecordedFrame {
  t: number;
  expression: string;
  a: number;
}

export interface PerformanceRecording {
  /** The photo's face the performance was recorded on (its frames are that face's edits). */
  faceId: number;
  regions?: Region[];
  frames: RecordedFrame[];
  /** From the start to the stop, ms (at most VIDEO_MAX_SECONDS). */
  durationMs: number;
}

/** Keeps the frames of one recording, up to the longest video's length (`full`). */
export function createRecorder(faceId: number, now: () => number = () => performance.now()) {
  const start = now();
  const frames: RecordedFrame[] = [];
  let regions: Region[] | undefined;
  const limit = VIDEO_MAX_SECONDS * 1000;
  return {
    /** `takenAt`: when the frame's camera pixels were read (now()'s clock). */
    faceId,
    add(takenAt: number, expression: string, a: number, r?: Region[]): void {
      const t = takenAt - start;
      if (t > limit) return;
      frames.push({ t: Math.max(0, t), expression, a });
      regions = r;
    },
    /** The recording has reached the longest video's length. */
    full: () => now() - start >= limit,
    /** The recording (null: no frame had a face). */
    finish(): PerformanceRecording | null {
      if (!frames.length) return null;
      return { faceId, regions, frames: [...frames], durationMs: Math.min(limit, Math.max(now() - start, frames[frames.length - 1].t)) };
    },
  };
}

/**
 * For each frame of a video of the recording at `fps`: the index of the recorded frame it shows (the last one taken
 * at or before the video frame's time; the first one before it).
 */
export function recordingSchedule(rec: Pick<PerformanceRecording, 'frames' | 'durationMs'>, fps: number): number[] {
  const n = Math.max(1, Math.round((Math.min(rec.durationMs, VIDEO_MAX_SECONDS * 1000) / 1000) * fps));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const t = (i * 1000) / fps;
    while (k + 1 < rec.frames.length && rec.frames[k + 1].t <= t) k++;
    out.push(k);
  }
  return out;
}

/** What the recording's frames are drawn from: the photo on screen and its face in the worker. */
export interface PerformanceSource {
  api: Pick<WorkerApi, 'edit' | 'render' | 'dispose'>;
  photo: ImageBitmap;
}

/**
 * Draws video frame `i` of the recording: the photo with the full frame (warp and refiner) of an edit toward the
 * recorded expression `schedule[i]` over it (video-export.ts patchFrames: each recorded frame rendered once).
 */
export function performanceFrames(src: PerformanceSource, rec: PerformanceRecording, schedule: readonly number[]) {
  return patchFrames(src.photo, schedule, async (k) => {
    const f = rec.frames[k];
    const { editId } = await src.api.edit(rec.faceId, { kind: 'expression', json: f.expression }, rec.regions);
    try {
      return await src.api.render(editId, f.a, 'full');
    } finally {
      void src.api.dispose(editId).catch(() => {});
    }
  });
}
