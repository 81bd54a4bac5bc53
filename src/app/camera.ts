/**
 * The camera as the reference: a live loop that takes the newest camera frame (never a queue: frames that arrive
 * while one is analysed are dropped), finds the performer's face in it, makes an edit of the photo's face toward it
 * and renders a preview frame; a full frame (with the refiner) when the performer holds still. The stream is the
 * caller's to stop (`stop`): nothing of a frame is kept or sent anywhere but to the engine worker on this page.
 */
import type { EditUnits, FaceBox, RenderedFrame, Region, SavedExpression, WorkerApi } from './protocol';
import type { Point3, UnitValues } from './engine';
import { createRecorder, type PerformanceRecording } from './recording';

/** What the loop renders onto: the photo's face and the edit's settings, read afresh for every frame. */
interface LiveTarget {
  faceId: number;
  regions?: Region[];
  units?: UnitValues;
  a: number;
}

export type CameraStatus =
  | { kind: 'starting' }
  /** `calibrating`: the performer's neutral is being learned from the first calm frames (hold still). */
  | { kind: 'live'; face: boolean; calibrating: boolean }
  | { kind: 'stopped'; reason: 'hidden' | 'left' | 'ended' | 'stopped' }
  | { kind: 'denied' | 'unavailable' | 'failed'; message: string };

interface LiveFrame {
  frame: RenderedFrame;
  editId: number;
  /** Every action unit's value in the frame's edit. */
  units: EditUnits;
  /** The performer held still: this is a full frame. */
  still: boolean;
}

export interface CameraOptions {
  api: Pick<WorkerApi, 'live' | 'dispose' | 'expression'>;
  target(): LiveTarget | null;
  /** Flip the camera frame left to right before it is analysed (a mirror: the default). */
  mirror(): boolean;
  /** A frame to show; the previous one's edit is released after this returns. */
  onFrame(f: LiveFrame): void;
  onStatus(s: CameraStatus): void;
  /** A recording ended (stopped, the longest video's length reached, or the camera stopped); null: no frame had a face. */
  onRecorded?(r: PerformanceRecording | null): void;
  /** The camera (default: navigator.mediaDevices.getUserMedia). */
  getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream>;
}

export interface CameraSession {
  /** Stops the stream (the frame on screen stays, with its edit). */
  stop(reason?: 'hidden' | 'left' | 'ended' | 'stopped'): void;
  /** Stops the stream and releases the edit of the frame on screen (once another frame replaced it). */
  dispose(): void;
  /** Learns the performer's neutral again, from the next calm frames. */
  relearn(): void;
  /** Starts recording the performance (each frame's expression and time, no camera pixel); onRecorded gets it. */
  record(): void;
  /** Ends the recording (onRecorded is called). */
  stopRecording(): void;
  /** A recording is running. */
  readonly recording: boolean;
  /** The expression of the frame on screen, made portable (a saved expression's JSON); null before a frame. */
  capture(name: string): Promise<SavedExpression | null>;
  /** Frames analysed and frames dropped because one was in flight (the loop never queues). */
  readonly counts: { analysed: number; dropped: number; full: number };
  /** The stream, while it runs (tests read its track's state). */
  readonly stream: MediaStream | null;
}

/** Largest camera frame side sent to the engine: the face mesh runs on a copy this size at most. */
const CAMERA_SIDE = 640;
/** Landmark movement between frames, as a share of the face's size, under which the performer holds still. */
const STILL_MOTION = 0.004;
/** Frames in a row under that movement before the full frame is rendered. */
const STILL_FRAMES = 2;

/** The camera error in plain words: permission denied, no camera, or what the browser said. */
function cameraMessage(e: unknown): { kind: 'denied' | 'unavailable' | 'failed'; message: string } {
  const name = (e as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return {
      kind: 'denied',
      message: "Camera permission was denied. Allow the camera for this page in the browser's site settings, or pick another reference.",
    };
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError')
    return { kind: 'unavailable', message: 'No camera could be opened (none is connected, or another program is using it).' };
  const detail = (e as { detail?: string; message?: string })?.detail ?? (e as Error)?.message ?? String(e);
  return { kind: 'failed', message: `The camera stopped: ${detail}` };
}

/** Mean landmark movement between two frames of the same face, relative to the face's size. */
function motion(a: readonly Point3[], b: readonly Point3[], box: FaceBox): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.hypot(a[i][0] - b[i][0], a[i][1] - b[i][1]);
  return sum / a.length / Math.max(1, box.width, box.height);
}

/** Resolves at the video's next frame (requestVideoFrameCallback where there is one; else the next paint). */
function nextFrame(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve) => {
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
}

/** The loop's state. */
interface LoopState {
  stopped: boolean;
  /** The edit of the frame on screen (released when the next one is shown, or by `dispose`). */
  shown: number | null;
  /** The performer's landmarks in the last frame, and how many frames in a row they have held still. */
  last: Point3[] | null;
  calm: number;
  /** This still spell's full frame is on screen. */
  fullShown: boolean;
  /** The next frame starts a new camera session: the performer's neutral is learned again. */
  restart: boolean;
  counts: { analysed: number; dropped: number; full: number };
  /** The recording running, if any. */
  recorder: ReturnType<typeof createRecorder> | null;
}

/** Ends the running recording, if any, and hands it over. */
function endRecording(o: CameraOptions, st: LoopState): void {
  const r = st.recorder;
  if (!r) return;
  st.recorder = null;
  o.onRecorded?.(r.finish());
}

/** Analyses the newest camera frame and shows its edit (worker-live.ts); returns the face's landmarks (null: none). */
async function analyseFrame(o: CameraOptions, st: LoopState, video: HTMLVideoElement, ctx: OffscreenCanvasRenderingContext2D): Promise<void> {
  const t = o.target();
  if (!t) return;
  const { width, height } = ctx.canvas;
  ctx.setTransform(o.mirror() ? -1 : 1, 0, 0, 1, o.mirror() ? width : 0, 0);
  ctx.drawImage(video, 0, 0, width, height);
  const takenAt = performance.now();
  const pixels = { width, height, data: ctx.getImageData(0, 0, width, height).data };
  // a full frame once the performer has held still a few frames; previews again once they move
  const still = st.calm >= STILL_FRAMES && !st.fullShown;
  const recorder = st.recorder;
  const kind = still ? 'full' : 'preview';
  const r = await o.api.live(t.faceId, pixels, { regions: t.regions, units: t.units, a: t.a, kind, restart: st.restart, record: recorder !== null });
  st.restart = false;
  if (recorder && recorder === st.recorder && r.expression && t.faceId === recorder.faceId) recorder.add(takenAt, r.expression, t.a, t.regions);
  if (!r.frame || !r.points || !r.box || !r.units) {
    st.last = null;
    st.calm = 0;
    if (!st.stopped) o.onStatus({ kind: 'live', face: false, calibrating: r.calibrating });
    return;
  }
  const moved = st.last ? motion(st.last, r.points, r.box) : 1;
  st.calm = moved < STILL_MOTION ? st.calm + 1 : 0;
  if (st.calm === 0) st.fullShown = false;
  if (still) st.fullShown = true;
  st.last = r.points;
  st.counts.analysed++;
  if (still) st.counts.full++;
  if (st.stopped) {
    r.frame.patch.close();
    void o.api.dispose(r.editId).catch(() => {});
    return;
  }
  o.onStatus({ kind: 'live', face: true, calibrating: r.calibrating });
  o.onFrame({ frame: r.frame, editId: r.editId, units: r.units, still });
  const old = st.shown;
  st.shown = r.editId;
  if (old !== null) void o.api.dispose(old).catch(() => {});
}

export function startCamera(o: CameraOptions): CameraSession {
  const st: LoopState = {
    stopped: false,
    shown: null,
    last: null,
    calm: 0,
    fullShown: false,
    restart: true,
    counts: { analysed: 0, dropped: 0, full: 0 },
    recorder: null,
  };
  let stream: MediaStream | null = null;
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  /** Frames the camera presented (counted by requestVideoFrameCallback where there is one). */
  let presented = 0;
  const count = () => {
    presented++;
    if (!st.stopped && 'requestVideoFrameCallback' in video) video.requestVideoFrameCallback(count);
  };

  const loop = async () => {
    const s = Math.min(1, CAMERA_SIDE / Math.max(video.videoWidth, video.videoHeight));
    const canvas = new OffscreenCanvas(Math.round(video.videoWidth * s), Math.round(video.videoHeight * s));
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas for the camera frames');
    while (!st.stopped) {
      await nextFrame(video);
      if (st.stopped) break;
      const before = presented;
      await analyseFrame(o, st, video, ctx);
      if (st.recorder?.full()) endRecording(o, st);
      // the frames that came meanwhile are dropped, all but the newest (the next one analysed)
      st.counts.dropped += Math.max(0, presented - before - 1);
    }
  };

  const stopStream = () => {
    st.stopped = true;
    endRecording(o, st);
    for (const t of stream?.getTracks() ?? []) t.stop();
    video.srcObject = null;
  };

  const start = async () => {
    o.onStatus({ kind: 'starting' });
    try {
      const get = o.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
      const s = await get({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false });
      stream = s;
      if (st.stopped) return stopStream();
      for (const t of s.getVideoTracks()) t.addEventListener('ended', () => session.stop('ended'));
      video.srcObject = s;
      await video.play();
      count();
      o.onStatus({ kind: 'live', face: false, calibrating: true });
      await loop();
    } catch (e) {
      if (st.stopped) return;
      stopStream();
      o.onStatus(cameraMessage(e));
    }
  };

  const session: CameraSession = {
    stop(reason = 'stopped') {
      if (st.stopped) return;
      stopStream();
      o.onStatus({ kind: 'stopped', reason });
    },
    dispose() {
      session.stop();
      if (st.shown !== null) void o.api.dispose(st.shown).catch(() => {});
      st.shown = null;
    },
    record() {
      const t = o.target();
      if (st.stopped || !t) return;
      st.recorder = createRecorder(t.faceId);
    },
    stopRecording: () => endRecording(o, st),
    get recording() {
      return st.recorder !== null;
    },
    capture: async (name) => (st.shown !== null ? o.api.expression(st.shown, name) : null),
    relearn() {
      st.restart = true;
    },
    counts: st.counts,
    get stream() {
      return st.stopped ? null : stream;
    },
  };
  void start();
  return session;
}
