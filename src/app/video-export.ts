/**
 * The edit as a short video: a sequence of full frames encoded as WebM (WebCodecs' VideoEncoder, muxed by the
 * webm-muxer package), or as an animated GIF (the gifenc package) where WebCodecs or its VP9/VP8 encoder is
 * missing. Frames are drawn by the caller into a canvas of the video's size, one at a time, so that only one
 * full frame is held; progress is reported per frame and an AbortSignal cancels between frames.
 */
import { GIFEncoder, nearestColorIndex, quantize } from 'gifenc';
import { ArrayBufferTarget, Muxer } from 'webm-muxer';
import type { RenderedFrame, WorkerApi } from './protocol';

export type VideoFormat = 'webm' | 'gif';

export const VIDEO_DEFAULTS = { seconds: 3, fps: 30, maxSide: 1080 } as const;
/** The longest video: a recorded camera performance, or a long sweep, is cut there. */
export const VIDEO_MAX_SECONDS = 10;

/** The video's size: the photo's, scaled down so that its longer side is at most `maxSide`, both sides even (VP9 wants them even). */
export function videoSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height));
  const even = (v: number) => Math.max(2, 2 * Math.round((v * s) / 2));
  return { width: even(width), height: even(height) };
}

/**
 * The intensity of each frame of the sweep from the photo to `peak` and back: 0 at the first and last frame,
 * `peak` at frame floor(n / 2) (and its mirror), eased in and out. Symmetric, so a frame's render can be reused by
 * its mirror.
 */
export function sweepIntensities(n: number, peak: number): number[] {
  const half = Math.max(1, Math.floor((n - 1) / 2));
  return Array.from({ length: n }, (_, i) => {
    const t = Math.min(1, Math.min(i, n - 1 - i) / half);
    return peak * t * t * (3 - 2 * t);
  });
}

const WEBM_CODECS = [
  { config: 'vp09.00.10.08', muxer: 'V_VP9' },
  { config: 'vp8', muxer: 'V_VP8' },
];

/** A VP9 (else VP8) encoder configuration this browser supports at this size, or null (no WebCodecs, or neither codec). */
async function webmCodec(width: number, height: number, fps: number): Promise<{ config: VideoEncoderConfig; muxer: string } | null> {
  if (typeof VideoEncoder === 'undefined' || typeof VideoFrame === 'undefined') return null;
  // a high rate: the first frame must stay within a grey level or two of the photo
  const bitrate = Math.round(width * height * fps * 0.6);
  for (const c of WEBM_CODECS) {
    const config: VideoEncoderConfig = { codec: c.config, width, height, bitrate, framerate: fps };
    try {
      if ((await VideoEncoder.isConfigSupported(config)).supported) return { config, muxer: c.muxer };
    } catch {
      // an unknown codec string throws in some browsers: try the next
    }
  }
  return null;
}

/** What a video export needs: its frames (drawn by `draw` into a context of the video's size) and how to report. */
export interface VideoJob {
  frames: number;
  fps: number;
  width: number;
  height: number;
  /** 'auto': WebM where this browser can encode it, else GIF. */
  format: VideoFormat | 'auto';
  draw(ctx: OffscreenCanvasRenderingContext2D, index: number): Promise<void>;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

export class VideoCancelled extends Error {
  constructor() {
    super('the video export was cancelled');
    this.name = 'VideoCancelled';
  }
}

/** Encodes the job's frames; resolves with the file and the format it was written in. */
export async function encodeVideo(job: VideoJob): Promise<{ blob: Blob; format: VideoFormat }> {
  const canvas = new OffscreenCanvas(job.width, job.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas for the video frames');
  const codec = job.format === 'gif' ? null : await webmCodec(job.width, job.height, job.fps);
  if (job.format === 'webm' && !codec) throw new Error('this browser cannot encode WebM video (no WebCodecs VP9 or VP8 encoder)');
  if (codec) return { blob: await encodeWebm(job, ctx, codec), format: 'webm' };
  return { blob: await encodeGif(job, ctx), format: 'gif' };
}

async function eachFrame(job: VideoJob, ctx: OffscreenCanvasRenderingContext2D, use: (i: number) => Promise<void> | void): Promise<void> {
  for (let i = 0; i < job.frames; i++) {
    if (job.signal?.aborted) throw new VideoCancelled();
    ctx.clearRect(0, 0, job.width, job.height);
    await job.draw(ctx, i);
    await use(i);
    job.onProgress?.(i + 1, job.frames);
  }
}

/** Limited-range BT.709: what a VP9 or VP8 decoder assumes when the stream says nothing else. */
const BT709: VideoColorSpaceInit = { matrix: 'bt709', primaries: 'bt709', transfer: 'bt709', fullRange: false };

/**
 * RGBA to limited-range BT.709 I420 (chroma averaged over 2x2 pixels). Done here rather than by the encoder from a
 * canvas: Chromium converts a canvas frame to full range, which decoders read as limited (every grey level shifts).
 */
function toI420(rgba: Uint8ClampedArray, width: number, height: number): Uint8Array {
  const KR = 0.2126;
  const KB = 0.0722;
  const KG = 1 - KR - KB;
  const out = new Uint8Array(width * height + 2 * (width / 2) * (height / 2));
  for (let p = 0, i = 0; p < width * height; p++, i += 4) out[p] = 16 + ((KR * rgba[i] + KG * rgba[i + 1] + KB * rgba[i + 2]) * 219) / 255 + 0.5;
  const cw = width / 2;
  const u0 = width * height;
  const v0 = u0 + cw * (height / 2);
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < cw; x++) {
      const a = 4 * (2 * y * width + 2 * x);
      const b = a + 4 * width;
      const r = (rgba[a] + rgba[a + 4] + rgba[b] + rgba[b + 4]) / 4;
      const g = (rgba[a + 1] + rgba[a + 5] + rgba[b + 1] + rgba[b + 5]) / 4;
      const bl = (rgba[a + 2] + rgba[a + 6] + rgba[b + 2] + rgba[b + 6]) / 4;
      const luma = KR * r + KG * g + KB * bl;
      out[u0 + y * cw + x] = 128 + (((bl - luma) / (2 * (1 - KB))) * 224) / 255 + 0.5;
      out[v0 + y * cw + x] = 128 + (((r - luma) / (2 * (1 - KR))) * 224) / 255 + 0.5;
    }
  }
  return out;
}

async function encodeWebm(job: VideoJob, ctx: OffscreenCanvasRenderingContext2D, codec: { config: VideoEncoderConfig; muxer: string }): Promise<Blob> {
  const muxer = new Muxer({ target: new ArrayBufferTarget(), video: { codec: codec.muxer, width: job.width, height: job.height, frameRate: job.fps } });
  let failure: unknown = null;
  const encoder = new VideoEncoder({
    output: (chunk, meta) => muxer.addVideoChunk(chunk, meta),
    error: (e) => {
      failure = e;
    },
  });
  encoder.configure(codec.config);
  const frameUs = 1e6 / job.fps;
  try {
    await eachFrame(job, ctx, async (i) => {
      if (failure) throw failure;
      const { data } = ctx.getImageData(0, 0, job.width, job.height);
      const frame = new VideoFrame(toI420(data, job.width, job.height), {
        format: 'I420',
        codedWidth: job.width,
        codedHeight: job.height,
        timestamp: Math.round(i * frameUs),
        duration: Math.round(frameUs),
        colorSpace: BT709,
      });
      // a key frame every two seconds: a player can seek without decoding the whole video
      encoder.encode(frame, { keyFrame: i % (2 * job.fps) === 0 });
      frame.close();
      // the encoder's queue stays short: frames are not piled up in memory faster than they are encoded
      while (encoder.encodeQueueSize > 2) await new Promise((r) => setTimeout(r, 5));
    });
    await encoder.flush();
    if (failure) throw failure;
  } finally {
    if (encoder.state !== 'closed') encoder.close();
  }
  muxer.finalize();
  return new Blob([muxer.target.buffer], { type: 'video/webm' });
}

/**
 * Each pixel's nearest palette colour. gifenc's applyPalette looks colours up at 5-6 bits a channel, which costs a
 * face about a grey level more than the exact nearest colour (cached per distinct colour).
 */
function nearestIndices(rgba: Uint8ClampedArray, palette: number[][]): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  const seen = new Map<number, number>();
  for (let p = 0, i = 0; p < out.length; p++, i += 4) {
    const key = (rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2];
    let k = seen.get(key);
    if (k === undefined) {
      k = nearestColorIndex(palette, [rgba[i], rgba[i + 1], rgba[i + 2]]);
      seen.set(key, k);
    }
    out[p] = k;
  }
  return out;
}

async function encodeGif(job: VideoJob, ctx: OffscreenCanvasRenderingContext2D): Promise<Blob> {
  const gif = GIFEncoder();
  const delay = 1000 / job.fps;
  await eachFrame(job, ctx, (i) => {
    const { data } = ctx.getImageData(0, 0, job.width, job.height);
    // one palette per frame: the face's colours change as the expression does
    const palette = quantize(data, 256);
    gif.writeFrame(nearestIndices(data, palette), job.width, job.height, { palette, delay, repeat: i === 0 ? 0 : undefined });
  });
  gif.finish();
  return new Blob([gif.bytes()], { type: 'image/gif' });
}

/** What the sweep's frames are drawn from: the photo on screen and its edit in the worker. */
export interface SweepSource {
  api: Pick<WorkerApi, 'render'>;
  photo: ImageBitmap;
  editId: number;
}

/**
 * Draws frame `i` of a video made of one photo and rendered frames: the photo, scaled to the video's size, with the
 * frame `render(keys[i])` over it (null: the photo alone). Each key is rendered once and its frame kept until the
 * last video frame of that key is drawn; `dispose` closes what is still held (a cancel).
 */
export function patchFrames<K>(photo: ImageBitmap, keys: readonly K[], render: (key: K) => Promise<RenderedFrame> | null) {
  const lastUse = new Map<K, number>();
  keys.forEach((k, i) => lastUse.set(k, i));
  const held = new Map<K, Promise<RenderedFrame>>();
  const draw = async (ctx: OffscreenCanvasRenderingContext2D, i: number) => {
    const { width, height } = ctx.canvas;
    const sx = width / photo.width;
    const sy = height / photo.height;
    ctx.drawImage(photo, 0, 0, width, height);
    const k = keys[i];
    let f = held.get(k);
    if (!f) {
      const r = render(k);
      if (!r) return;
      f = r;
      held.set(k, f);
    }
    const frame = await f;
    ctx.drawImage(frame.patch, frame.x * sx, frame.y * sy, frame.width * sx, frame.height * sy);
    if (lastUse.get(k) === i) {
      held.delete(k);
      frame.patch.close();
    }
  };
  const dispose = () => {
    for (const f of held.values())
      void f.then(
        (x) => x.patch.close(),
        () => {},
      );
    held.clear();
  };
  return { draw, dispose };
}

/**
 * Draws frame `i` of a sweep: the photo with the edit's full frame (warp and refiner, never a preview) at
 * `intensities[i]` over it; each intensity is rendered once (the sweep is symmetric: its mirror reuses it).
 */
export function sweepFrames(src: SweepSource, intensities: readonly number[]) {
  return patchFrames(src.photo, intensities, (a) => (a === 0 ? null : src.api.render(src.editId, a, 'full')));
}
