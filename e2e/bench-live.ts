/**
 * Live and video timings for the benchmark (issue 26), through the app's own worker API: a live camera frame (the
 * face mesh on a 640 x 480 camera frame, the retarget onto the photo's face, a preview frame: WorkerApi.live, as
 * src/app/camera.ts calls it), and the video export's time per frame (full frames, encoded: src/app/video-export.ts).
 * e2e/bench.ts divides them by one face-mesh inference. The camera frames are a London photo letterboxed into
 * 640 x 480, neutral and smiling in turn, so that every frame moves the face.
 */
import type { BackendName } from '../src/engine/index';
import { createEngineClient } from '../src/app/engine-client';
import type { RawPixels, Region, WorkerApi } from '../src/app/protocol';
import { largestFace } from '../src/app/store';
import { encodeVideo, sweepFrames, sweepIntensities, videoSize } from '../src/app/video-export';

export interface LiveRow {
  /** One live frame once the performer's neutral is learned (median of `frames` after two warm-up frames), ms. */
  liveFrameMs: number;
  /** The video export of the sweep (1 s at 10 frames/s, the photo's size up to 1080 px), per frame, ms; null without WebCodecs. */
  videoFrameMs: number | null;
  videoFormat: string | null;
}

/** `bitmap` letterboxed into a 640 x 480 camera frame, as raw pixels. */
export function cameraFrame(bitmap: ImageBitmap): RawPixels {
  const ctx = new OffscreenCanvas(640, 480).getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
  ctx.fillStyle = '#808080';
  ctx.fillRect(0, 0, 640, 480);
  const s = Math.min(640 / bitmap.width, 480 / bitmap.height);
  ctx.drawImage(bitmap, (640 - bitmap.width * s) / 2, (480 - bitmap.height * s) / 2, bitmap.width * s, bitmap.height * s);
  return { width: 640, height: 480, data: ctx.getImageData(0, 0, 640, 480).data };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Times `frames` live frames of face `faceId` (of a photo shown as `photo`) driven by the camera frames made of
 * `performer` (alternating, after the performer's neutral was learned from still frames of the first), then the
 * video export of the edit `editId` at intensity 1.
 */
export async function timeLive(
  api: WorkerApi,
  face: { faceId: number; regions: Region[] },
  performer: ImageBitmap[],
  video: { photo: ImageBitmap; editId: number },
  frames = 6,
): Promise<LiveRow> {
  const frame = async (bitmap: ImageBitmap, restart: boolean) => {
    const t = performance.now();
    const r = await api.live(face.faceId, cameraFrame(bitmap), { regions: face.regions, a: 1, kind: 'preview', restart });
    r.frame?.patch.close();
    if (r.editId >= 0) await api.dispose(r.editId);
    return { ms: performance.now() - t, calibrating: r.calibrating };
  };
  // the "Hold still" step first (the first performer frame, repeated): then every frame is retargeted from the
  // performer's learned neutral, as in the app once it is learned
  let calibrating = true;
  for (let i = 0; calibrating && i < 12; i++) calibrating = (await frame(performer[0], i === 0)).calibrating;
  if (calibrating) throw new Error("the performer's neutral was not learned from 12 still frames");
  const times: number[] = [];
  for (let i = 0; i < frames + 2; i++) {
    const { ms } = await frame(performer[(i + 1) % performer.length], false);
    if (i >= 2) times.push(ms);
  }
  let videoFrameMs: number | null = null;
  let videoFormat: string | null = null;
  if (typeof VideoEncoder !== 'undefined') {
    const n = 10;
    const sweep = sweepFrames({ api, photo: video.photo, editId: video.editId }, sweepIntensities(n, 1));
    const t = performance.now();
    const out = await encodeVideo({ ...videoSize(video.photo.width, video.photo.height, 1080), frames: n, fps: 10, format: 'webm', draw: sweep.draw });
    videoFrameMs = (performance.now() - t) / n;
    videoFormat = out.format;
    sweep.dispose();
  }
  return { liveFrameMs: median(times), videoFrameMs, videoFormat };
}

/** The fixtures the live table opens: the photo (a London face) and the performer's camera frames (another's). */
export interface LiveFiles {
  photo: Blob;
  performer: Blob[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `timeLive` in a fresh app worker on `backend` (everything loaded and warmed up first, as the app's "Ready"), the
 * video export of the happy preset on the photo's face; `between` runs before and after (face-mesh inferences).
 */
export async function timeLiveInApp(
  backend: BackendName,
  modelBaseUrl: string,
  files: LiveFiles,
  between: () => Promise<void>,
): Promise<LiveRow & { backend: string }> {
  const client = createEngineClient({ onCrash: (r) => console.error(`engine crashed: ${r}`) });
  const { api } = client;
  let fraction = 0;
  const performer = await Promise.all(files.performer.map((f) => createImageBitmap(f)));
  try {
    const info = await api.init({ modelBaseUrl, backends: [backend] }, (f) => {
      fraction = f;
    });
    const ready = async () => {
      await sleep(300);
      while (fraction < 1) await sleep(100);
    };
    await ready();
    const opened = await api.open(files.photo);
    const face = await api.face(opened.photoId, largestFace(opened.faces));
    await ready(); // the refiner's warm-up after the first face
    const { editId } = await api.edit(face.faceId, { kind: 'preset', preset: 'happy' });
    (await api.render(editId, 1, 'full')).patch.close();
    await between();
    const row = await timeLive(api, { faceId: face.faceId, regions: [...info.capabilities.regions] }, performer, { photo: opened.bitmap, editId });
    await between();
    opened.bitmap.close();
    return { ...row, backend: info.backend.name };
  } finally {
    for (const b of performer) b.close();
    client.terminate();
  }
}
