/**
 * Stage 7, generate: one render session per face. The face's region of the full-resolution photo is
 * uploaded once; each `render(target)` warps it to the target landmarks, optionally lets the refiner
 * repaint what is new in the aligned crop (paint.ts; run on windows of the crop around it, refine-windows.ts,
 * or not at all when nothing is), and returns the changed region as RGBA pixels. Pixels outside the region
 * are never touched; inside it, pixels beyond the warp's anchor ring (and, with the refiner, beyond
 * the crop's feathered mask) come back bit-identical.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceAnalysis } from '../analyse/analyser';
import { EditorError, ErrorCode } from '../errors';
import type { Point3, RGBAImage } from '../types';
import { alignedCropRect, cropCorners, cropPixelToImage, DEFAULT_CROP, invertAffine, type AlignedCropRect } from './aligned-crop';
import { createCompositor, type Compositor } from './composite';
import { findEyes, type EyeOnPhoto } from './eye-find';
import { drawEyes } from './eye-layer';
import { fadeFolds } from './folds';
import { applyGain, creaseFace, creaseGain, DEFAULT_CREASES, nodeFields, type CreaseConfig, type CreaseFace } from './creases';
import { carriesInterior, transferInterior, type InteriorSource } from './mouth-interior';
import { innerMouthMask, lipStretchPlan, newOpeningWeight, paintFeatherRadius } from './mouth-mask';
import { eyeOpenings, mouthColour, newContent, paintOf, refineWindows, stretchLips, sum } from './paint';
import type { Refiner } from './refine';
import { paintBoxes, REFINER_MARGIN, refinerWindows } from './refine-windows';
import { createSampler } from './sampler';
import type { Sampler, SamplerKind } from './sampler-types';
import type { TextureModel } from './texture';
import { textureGains, type TextureGains } from './texture-gains';
import { flowGrid, warpRegion, type FlowGrid, type Rect, type WarpConfig, type WarpRegion } from './warp';

export interface RenderSessionOptions {
  /** Without it the session renders "warp only" (and cuts DEFAULT_CROP). The session does not dispose it. */
  refiner?: Refiner;
  /**
   * The expression-texture gain (texture.ts), applied on the refiner's crop wherever the face moves (with the
   * refiner only: previews and warp-only renders go without). The session does not dispose it.
   */
  texture?: TextureModel;
  warp?: Partial<WarpConfig>;
  /** Sampler (sampler.ts), chosen once for the session (default 'auto': from the tfjs backend). */
  sampler?: SamplerKind;
  /**
   * Run the refiner on the whole aligned crop, as before refiner windows (refine-windows.ts), even where nothing
   * is painted: for parity checks, and for tools that capture the refiner's full-crop input. Default false.
   */
  fullCropRefiner?: boolean;
  /** Context around the paint region in the refiner's windows, crop pixels (default REFINER_MARGIN, scaled to the refiner's size). */
  refinerMargin?: number;
  /**
   * Creases and fading folds where the warp squeezes or stretches the skin (creases.ts, folds.ts), on full frames:
   * false for none, or a change to the crease defaults. Default on.
   */
  creases?: boolean | Partial<CreaseConfig>;
}

interface RenderOptions {
  /** Use the refiner (default: true when the session has one). */
  useRefiner?: boolean;
  /**
   * Where the inside of an open target mouth comes from, at full resolution (mouth-interior.ts): a photo of an open
   * mouth (the reference photo, or the source photo itself). Default (or null) none: the refiner's or the warp's pixels stay.
   */
  interior?: InteriorSource | null;
  /**
   * A quick frame for a moving slider: the warp (and the carried mouth interior) at half resolution, no refiner. The
   * patch then holds `dataWidth` x `dataHeight` pixels to be drawn scaled over its `width` x `height` region; it
   * cannot be applied to the photo (applyPatch refuses it).
   */
  preview?: boolean;
  /**
   * Whose skin change the expression texture (RenderSessionOptions.texture) applies: the gain for `target` (468 image
   * points), times `scale` (default: the render's own target, times 1); `exact`: the network's own (texture-gains.ts).
   * An edit passes its target at intensity 1 and the intensity: the network runs once per edit, not per frame.
   */
  texture?: { target: readonly Point3[]; scale: number; exact?: boolean };
  /** Draw the session's creases and fade its folds on a full frame (default true; previews go without). */
  creases?: boolean;
  /**
   * How much of the photo's own expression the target takes away, 0..1 (default 0): the folds fade by this much where
   * the warp stretches the skin (folds.ts). A smile made deeper keeps its folds; a smile neutralized loses them.
   */
  unwind?: number;
  /** Where the eyes look, -1..1 toward image right and down (eye-layer.ts; default straight ahead, as in the photo). */
  gaze?: readonly [number, number];
}

/** The rendered region: place `data` (width x height RGBA) at (x, y) of the photo. */
export interface RenderPatch extends Rect {
  data: Uint8ClampedArray;
  /** 1 = the target was rendered; below 1 = the edit went too far for the face's region and was scaled down by this factor. */
  motionScale: number;
  /** Pixels of the mouth's inside carried at full resolution from an open-mouth photo (mouth-interior.ts); 0 when none. */
  interiorPixels: number;
  /** Size of `data`: width x height, or about half of each for a preview (RenderOptions.preview). */
  dataWidth: number;
  dataHeight: number;
  /** Refiner runs for this patch (windows of the aligned crop; 0 = warp only: no refiner, or nothing new to paint). */
  refinerWindows: number;
  /** Aligned-crop pixels the refiner ran on (the windows' areas; the whole crop is refiner.size squared). */
  refinedPixels: number;
}

export interface RenderSession {
  /** The region every render writes, image pixels. */
  readonly roi: Rect;
  readonly region: WarpRegion;
  readonly crop: AlignedCropRect;
  readonly hasRefiner: boolean;
  /** The edited region for target landmarks (468 points, image pixels, same order as the face's). */
  render(target: readonly Point3[], opts?: RenderOptions): Promise<RenderPatch>;
  /** The whole edited photo, same size as the input; pixels outside the ROI are copied unchanged. */
  renderFull(target: readonly Point3[], opts?: RenderOptions): Promise<RGBAImage>;
  /** The backward motion the warp uses for `target` (for tests, evaluation and debugging). */
  flow(target: readonly Point3[]): FlowGrid;
  /**
   * Computes and keeps the expression texture's gain for `target` (RenderOptions.texture), so that the first full frame
   * that needs it does not wait for the network (an edit asks for it when it is made; `exact`: the network's own gain,
   * never a derived one, as Edit.prepare asks). No-op without a texture model.
   */
  prepareTexture(target: readonly Point3[], exact?: boolean): Promise<void>;
  /**
   * Where the refiner's output is used for `target`: S x S over the aligned crop (S = the refiner's size), 0..1;
   * null without a refiner (for tests, evaluation and debugging).
   */
  paintRegion(target: readonly Point3[]): Float32Array | null;
  dispose(): void;
}

/** RenderPatch's account of the refiner's runs on `windows` of the crop. */
const refinerStats = (windows: readonly Rect[]) => ({ refinerWindows: windows.length, refinedPixels: windows.reduce((n, w) => n + w.width * w.height, 0) });

/** Copies the `rect` region of `img` out as float RGBA [h*w, 4]. */
function roiFloats(img: RGBAImage, rect: Rect): Float32Array {
  const out = new Float32Array(rect.width * rect.height * 4);
  for (let j = 0; j < rect.height; j++) {
    const start = ((rect.y + j) * img.width + rect.x) * 4;
    out.set(img.data.subarray(start, start + rect.width * 4), j * rect.width * 4);
  }
  return out;
}

/** A copy of `img` with `patch` written over it. */
export function applyPatch(img: RGBAImage, patch: RenderPatch): RGBAImage {
  if (patch.dataWidth !== patch.width || patch.dataHeight !== patch.height) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, 'a preview patch is drawn scaled, not applied to the photo');
  }
  if (patch.x < 0 || patch.y < 0 || patch.x + patch.width > img.width || patch.y + patch.height > img.height) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, 'patch lies outside the image');
  }
  const data = new Uint8ClampedArray(img.data);
  for (let j = 0; j < patch.height; j++) {
    data.set(patch.data.subarray(j * patch.width * 4, (j + 1) * patch.width * 4), ((patch.y + j) * img.width + patch.x) * 4);
  }
  return { width: img.width, height: img.height, data };
}

/** What one session holds for its renders: the face, the uploaded ROI, and what each step needs of the setup. */
interface Session {
  readonly image: RGBAImage;
  readonly options: RenderSessionOptions;
  /** The photo's landmarks (image pixels). */
  readonly source: readonly Point3[];
  readonly refiner: Refiner | undefined;
  readonly sampler: Sampler;
  readonly crop: AlignedCropRect;
  readonly region: WarpRegion;
  readonly roi: Rect;
  /** The ROI's pixels, float RGBA [h*w, 4]. */
  readonly pixels: tf.Tensor2D;
  /** With a refiner: the aligned crop of the ROI and the paste-back (composite.ts). */
  readonly compositor: Compositor | null;
  /** The expression texture, when the session has one that works on the refiner's crop (texture.ts). */
  readonly texture: TextureGains | null;
  /** How open the photo's eyes are (paint.ts eyeOpenings); 0 for an eye the eye layer draws (the refiner leaves it). */
  readonly sourceEyes: readonly number[];
  /** The photo's eyes as the eye layer needs them (eye-find.ts); null for one it leaves to the warp. */
  readonly eyes: readonly (EyeOnPhoto | null)[];
  /** The photo's inner mouth area on the refiner's crop, measured on the first painted frame. */
  sourceMouthArea?: number;
  /** What the creases need of this face (creases.ts); null when the session draws none. */
  readonly creases: CreaseFace | null;
  /** The ROI at half resolution (2 x 2 means), for previews; made on the first preview. */
  half?: { pixels: tf.Tensor2D; width: number; height: number };
}

export async function createRenderSession(image: RGBAImage, face: FaceAnalysis, options: RenderSessionOptions = {}): Promise<RenderSession> {
  if (!(image.width > 0 && image.height > 0 && image.data.length === image.width * image.height * 4)) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, 'image must be RGBA width x height x 4');
  }
  const s = openSession(image, face, options);
  const { source, refiner, crop, region } = s;
  let disposed = false;

  function checkTarget(target: readonly Point3[]): void {
    if (disposed) throw new EditorError(ErrorCode.DISPOSED);
    if (!Array.isArray(target) || target.length !== source.length) {
      throw new EditorError(ErrorCode.BAD_ARGUMENT, `expected ${source.length} target points`);
    }
  }

  function flow(target: readonly Point3[]): FlowGrid {
    checkTarget(target);
    return flowGrid(source, target, region);
  }

  async function render(target: readonly Point3[], opts: RenderOptions = {}): Promise<RenderPatch> {
    const grid = flow(target);
    return opts.preview ? renderPreview(s, target, grid, opts) : renderFrame(s, target, grid, opts);
  }

  return {
    roi: { ...s.roi },
    region,
    crop,
    hasRefiner: Boolean(refiner),
    render,
    async renderFull(target, opts) {
      const patch = await render(target, opts);
      return applyPatch(image, patch);
    },
    flow,
    async prepareTexture(target, exact = false) {
      checkTarget(target);
      if (s.texture) await s.texture.gainFor(target, exact).data();
    },
    paintRegion(target) {
      checkTarget(target);
      if (!refiner) return null;
      return paintOf(newContent(crop, s.sourceEyes, target, innerMouthMask(target, crop, refiner.size)), refiner.size);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      s.pixels.dispose();
      s.half?.pixels.dispose();
      s.texture?.dispose();
      s.compositor?.dispose();
    },
  };
}

/** The session's setup: the sampler, the aligned crop, the warp's region, the ROI uploaded once, the compositor. */
function openSession(image: RGBAImage, face: FaceAnalysis, options: RenderSessionOptions): Session {
  const source = face.landmarks.points;
  const refiner = options.refiner;
  const sampler = createSampler(options.sampler ?? 'auto');
  const crop = alignedCropRect(face.canonical.transform, refiner?.crop ?? DEFAULT_CROP);
  const region = warpRegion(source, image.width, image.height, cropCorners(crop), options.warp);
  const { roi } = region;
  const pixels = tf.tensor2d(roiFloats(image, roi), [roi.width * roi.height, 4]);
  let compositor: Compositor | null = null;
  try {
    if (refiner) compositor = createCompositor(roi, crop, refiner.size, sampler);
  } catch (e) {
    pixels.dispose();
    throw e;
  }
  // the texture takes its landmarks on the refiner's crop: image pixels -> crop pixels (pixel centres at integers)
  const texture =
    refiner && options.texture?.config.size === refiner.size ? textureGains(options.texture, invertAffine(cropPixelToImage(crop, refiner.size)), source) : null;
  const creaseOpt = options.creases ?? true;
  const creases =
    creaseOpt === false
      ? null
      : creaseFace(image, crop, refiner?.crop ?? DEFAULT_CROP, face.canonical.points, { ...DEFAULT_CREASES, ...(creaseOpt === true ? {} : creaseOpt) });
  const eyes = findEyes(image, source);
  const sourceEyes = eyeOpenings(source).map((o, e) => (eyes[e] ? 0 : o));
  return { image, options, source, refiner, sampler, crop, region, roi, pixels, compositor, texture, creases, sourceEyes, eyes };
}

/**
 * A preview: the warp at half resolution (flow halved, sampled on the 2 x 2 means), the mouth interior carried in
 * half-resolution ROI coordinates (pixel (i, j) has its centre at ROI pixel (2i + 0.5, 2j + 0.5)).
 */
async function renderPreview(s: Session, target: readonly Point3[], grid: FlowGrid, opts: RenderOptions): Promise<RenderPatch> {
  const interior = opts.interior;
  const { roi } = s;
  s.half ??= halfResolution(s.pixels, roi);
  const { width, height, pixels } = s.half;
  const halved: FlowGrid = { ...grid, dx: grid.dx.map((v) => v / 2), dy: grid.dy.map((v) => v / 2) };
  const out = tf.tidy(() => s.sampler.warp(pixels, height, width, halved));
  try {
    const values = (await out.data()) as Float32Array;
    const local = target.map((p) => [(p[0] - roi.x - 0.5) / 2, (p[1] - roi.y - 0.5) / 2, p[2]] as Point3);
    drawEyes(s.image, s.eyes, target, opts.gaze ?? [0, 0], values, { x: roi.x + 0.5, y: roi.y + 0.5, step: 2, width, height }, grid, roi);
    const interiorPixels = interior ? transferInterior(values, { x: 0, y: 0, width, height }, local, s.image, interior, s.source) : 0;
    return {
      ...roi,
      data: new Uint8ClampedArray(values),
      dataWidth: width,
      dataHeight: height,
      motionScale: grid.motionScale,
      interiorPixels,
      ...refinerStats([]),
    };
  } finally {
    out.dispose();
  }
}

/**
 * The creases and fading folds of the warp `grid` for a frame (a raster of the ROI at `scale`), as a function that
 * draws them into the frame's RGBA floats; null when there is nothing to draw. They are worked out from the grid
 * alone, so a frame does it while the GPU renders.
 */
function creasesOf(
  s: Session,
  grid: FlowGrid,
  width: number,
  height: number,
  scale: number,
  offset: number,
  unwind: number,
): ((values: Float32Array) => void) | null {
  const face = s.creases;
  // nothing to draw (a face too small to resolve creases, or no depth) and no folds to fade: skip the strain too
  if (!face || !(face.depth > 0 || (unwind > 0 && face.resolved > 0))) return null;
  const fields = nodeFields(face, grid, s.roi);
  const gain = creaseGain(face, fields, s.roi, width, height, scale, offset);
  return (values) => {
    if (unwind > 0) fadeFolds(face, fields, s.roi, values, width, height, scale, offset, unwind);
    if (gain) applyGain(values, gain);
  };
}

/** The ROI's pixels ([h*w, 4]) at half resolution: the means of 2 x 2 blocks. */
function halfResolution(pixels: tf.Tensor2D, roi: Rect): { pixels: tf.Tensor2D; width: number; height: number } {
  const width = Math.max(1, Math.floor(roi.width / 2));
  const height = Math.max(1, Math.floor(roi.height / 2));
  return {
    width,
    height,
    pixels: tf.tidy(() => {
      const img = tf.reshape(pixels, [1, roi.height, roi.width, 4]) as tf.Tensor4D;
      const cut = roi.width >= 2 && roi.height >= 2 ? tf.avgPool(tf.slice(img, [0, 0, 0, 0], [1, 2 * height, 2 * width, 4]), 2, 2, 'valid') : img;
      return tf.reshape(cut, [height * width, 4]) as tf.Tensor2D;
    }),
  };
}

/** A full frame: the warp, the refiner's paint and the expression texture on the aligned crop, the carried mouth interior. */
async function renderFrame(s: Session, target: readonly Point3[], grid: FlowGrid, opts: RenderOptions): Promise<RenderPatch> {
  const { roi, refiner } = s;
  const useRefiner = opts.useRefiner ?? true;
  if (opts.useRefiner && !refiner) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'this session has no refiner');
  let windows: Rect[] = [];
  const out = tf.tidy(() => {
    const warped = s.sampler.warp(s.pixels, roi.height, roi.width, grid);
    if (!useRefiner || !refiner || !s.compositor) return warped;
    const plan = planPaint(s, refiner, target, opts);
    if (!plan) return warped;
    windows = plan.windows;
    return paintCrop(s, refiner, s.compositor, warped, target, opts, plan);
  });
  // the readback is asked for first: it sends the frame's last commands to the GPU, which renders while the creases are worked out
  const data = out.data();
  try {
    const creases = opts.creases !== false ? creasesOf(s, grid, roi.width, roi.height, 1, 0, opts.unwind ?? 0) : null;
    const values = (await data) as Float32Array;
    creases?.(values);
    drawEyes(s.image, s.eyes, target, opts.gaze ?? [0, 0], values, { ...roi, step: 1 }, grid, roi);
    const interiorPixels = opts.interior ? transferInterior(values, roi, target, s.image, opts.interior, s.source) : 0;
    // rounds and clamps to 0..255
    return {
      ...roi,
      data: new Uint8ClampedArray(values),
      dataWidth: roi.width,
      dataHeight: roi.height,
      motionScale: grid.motionScale,
      interiorPixels,
      ...refinerStats(windows),
    };
  } finally {
    out.dispose();
  }
}

/** What the refiner paints in a frame, and where it runs. */
interface PaintPlan {
  /** The refiner's size. */
  S: number;
  /** The target's inner mouth on the crop (mouth-mask.ts innerMouthMask). */
  mouthMask: Float32Array;
  /** The paint region (paint.ts paintOf); null when nothing is new. */
  paintMask: Float32Array | null;
  /** Windows of the crop the refiner runs on (refine-windows.ts); none when nothing is painted. */
  windows: Rect[];
  /** The expression texture's scale (0: none). */
  textureScale: number;
}

/**
 * Paint only what is new: the target's mouth opening (and eyes that close), grown a little and feathered.
 * Everywhere else the attention is forced to 1, so the warp's full-resolution pixels (eyes, skin) pass through
 * exactly, whatever the network would have repainted there at its low resolution. So the refiner runs only on
 * windows around the paint region, and not at all when there is nothing to paint: the paste of an unchanged crop
 * with attention 1 gives back the warp exactly. A mouth whose inside is carried from a photo at full resolution
 * (opts.interior, mouth-interior.ts) needs no painting: only eyes that close are left for the refiner.
 * Null when the frame is the warp alone (nothing to paint, no texture).
 */
function planPaint(s: Session, refiner: Refiner, target: readonly Point3[], opts: RenderOptions): PaintPlan | null {
  const S = refiner.size;
  const mouthMask = innerMouthMask(target, s.crop, S);
  const parts = newContent(s.crop, s.sourceEyes, target, mouthMask, !(opts.interior && carriesInterior(opts.interior)));
  const textureScale = s.texture ? (opts.texture?.scale ?? 1) : 0;
  if (parts.length === 0 && textureScale === 0) return null;
  const paintMask = parts.length > 0 ? paintOf(parts, S) : null;
  const windows = !paintMask
    ? []
    : (s.options.fullCropRefiner ?? false)
      ? [{ x: 0, y: 0, width: S, height: S }]
      : refinerWindows(paintBoxes(paintMask, parts, S, paintFeatherRadius(S)), S, s.options.refinerMargin ?? Math.round((REFINER_MARGIN * S) / 128));
  if (windows.length === 0 && textureScale === 0) return null;
  return { S, mouthMask, paintMask, windows, textureScale };
}

/** The warped ROI (`warped`) with the plan's texture and paint applied on the aligned crop and pasted back (in a tidy). */
function paintCrop(
  s: Session,
  refiner: Refiner,
  compositor: Compositor,
  warped: tf.Tensor2D,
  target: readonly Point3[],
  opts: RenderOptions,
  plan: PaintPlan,
): tf.Tensor2D {
  const { S, mouthMask, paintMask, windows, textureScale } = plan;
  const base = compositor.extractCrop(warped);
  let c = base;
  // The skin's change with the expression (texture.ts): a gain on the crop wherever the face moves. The paste
  // adds the crop's change to the full-resolution warp as a residual, so the photo's own detail stays.
  if (s.texture && textureScale !== 0) {
    if (opts.texture && (!Array.isArray(opts.texture.target) || opts.texture.target.length !== s.source.length || !Number.isFinite(textureScale)))
      throw new EditorError(ErrorCode.BAD_ARGUMENT, `texture: expected ${s.source.length} target points and a finite scale`);
    c = tf.mul(c, tf.add(1, tf.mul(s.texture.gainFor(opts.texture?.target ?? target, opts.texture?.exact), textureScale))) as tf.Tensor4D;
  }
  if (!paintMask || windows.length === 0) return compositor.paste(warped, base, c, tf.ones([1, S, S, 1]) as tf.Tensor4D);
  const warpedCrop = c;
  // A new opening gets stretched lips, as in training. The paste drops the warp's own pixels where the
  // refiner painted (attention), so the fill's change does not land on the warp's lips.
  s.sourceMouthArea ??= sum(innerMouthMask(s.source, s.crop, S));
  const opening = newOpeningWeight(s.sourceMouthArea, sum(mouthMask));
  if (opening > 0) c = stretchLips(c, lipStretchPlan(mouthMask, S), opening);
  const refined = refineWindows(refiner, c, mouthMask, windows);
  const mask = refined.mask;
  const image = mouthColour(s.crop, refined.image, mask, warpedCrop, target, mouthMask, S);
  const paint = tf.tensor4d(paintMask, [1, S, S, 1]);
  const attention = tf.sub(1, tf.mul(paint, tf.sub(1, mask))) as tf.Tensor4D;
  const painted = tf.add(c, tf.mul(paint, tf.sub(image, c))) as tf.Tensor4D;
  return compositor.paste(warped, base, painted, attention);
}
