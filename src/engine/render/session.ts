/**
 * Stage 7, generate: one render session per face. The face's region of the full-resolution photo is
 * uploaded once; each `render(target)` warps it to the target landmarks, optionally lets the refiner
 * repaint what is new in the aligned crop (run on windows of the crop around it, refine-windows.ts, or not
 * at all when nothing is), and returns the changed region as RGBA pixels. Pixels outside the region
 * are never touched; inside it, pixels beyond the warp's anchor ring (and, with the refiner, beyond
 * the crop's feathered mask) come back bit-identical.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceAnalysis } from '../analyse/analyser';
import { EditorError, ErrorCode } from '../errors';
import type { Point3, RGBAImage } from '../types';
import { alignedCropRect, applyAffine, cropCorners, cropPixelToImage, DEFAULT_CROP, invertAffine, type AlignedCropRect } from './aligned-crop';
import { createCompositor, type Compositor } from './composite';
import {
  closingWeight,
  eyeMask,
  eyeOpening,
  innerMouthMask,
  lipMask,
  lipStretchPlan,
  newOpeningWeight,
  paintFeatherRadius,
  paintRegion,
  STRETCH_CHROMA,
  type LipStretch,
} from './mouth-mask';
import { LANDMARK_SETS } from '../landmark-sets';
import { carriesInterior, transferInterior, type InteriorSource } from './mouth-interior';
import type { Refiner, RefinerResult } from './refine';
import type { TextureModel } from './texture';
import { paintBoxes, REFINER_MARGIN, refinerWindows } from './refine-windows';
import { createSampler } from './sampler';
import type { SamplerKind } from './sampler-types';
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
}

export interface RenderOptions {
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
   * points), times `scale`. Default: the render's own target, times 1. An edit passes its target at intensity 1 and the
   * intensity: the network then runs once per edit, not per slider frame (the last gain is kept).
   */
  texture?: { target: readonly Point3[]; scale: number };
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
   * that needs it does not wait for the network (an edit asks for it when it is made). No-op without a texture model.
   */
  prepareTexture(target: readonly Point3[]): Promise<void>;
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

/** Chroma of a painted mouth interior as a fraction of the lips' (see mouthColour), by painted luminance. */
export const MOUTH_CHROMA = { cavity: 0.8, teeth: 0.2, dark: 0.25, bright: 0.6 } as const;

/** BT.601 full-range YCbCr of an RGB 0..1 tensor [1, S, S, 3] (chroma centred on 0). */
function ycc(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const [r, g, b] = tf.split(x, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  return [
    tf.addN([tf.mul(r, 0.299), tf.mul(g, 0.587), tf.mul(b, 0.114)]) as tf.Tensor4D,
    tf.addN([tf.mul(r, -0.168736), tf.mul(g, -0.331264), tf.mul(b, 0.5)]) as tf.Tensor4D,
    tf.addN([tf.mul(r, 0.5), tf.mul(g, -0.418688), tf.mul(b, -0.081312)]) as tf.Tensor4D,
  ];
}

function rgb(Y: tf.Tensor, Cb: tf.Tensor, Cr: tf.Tensor): tf.Tensor4D {
  const R = tf.add(Y, tf.mul(Cr, 1.402));
  const G = tf.sub(Y, tf.add(tf.mul(Cb, 0.344136), tf.mul(Cr, 0.714136)));
  const B = tf.add(Y, tf.mul(Cb, 1.772));
  return tf.clipByValue(tf.concat([R, G, B], 3), 0, 1) as tf.Tensor4D;
}

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

/**
 * A mouth that opens from closed lips: the warp's stretched lips inside it become the stretched lips the refiner
 * was trained to paint over (mouth-mask.ts lipStretchPlan / stretchLips, which this mirrors on tensors),
 * blended by `weight` (newOpeningWeight). [1, S, S, 3].
 */
function stretchLips(c: tf.Tensor4D, plan: LipStretch, weight: number): tf.Tensor4D {
  const S = plan.size;
  const n = S * S;
  const flat = tf.reshape(c, [n, 3]);
  const va = tf.gather(flat, tf.tensor1d(plan.above, 'int32'));
  const vb = tf.gather(flat, tf.tensor1d(plan.below, 'int32'));
  const rgb = tf.mul(tf.add(va, tf.mul(tf.tensor2d(plan.t, [n, 1]), tf.sub(vb, va))), tf.tensor2d(plan.bow, [n, 1]));
  const y = tf.matMul(rgb, tf.tensor2d([0.299, 0.587, 0.114], [3, 1]));
  const fill = tf.add(y, tf.mul(tf.sub(rgb, y), STRETCH_CHROMA));
  const w = tf.mul(tf.tensor2d(plan.inside, [n, 1]), weight);
  return tf.reshape(tf.add(flat, tf.mul(w, tf.sub(fill, flat))), [1, S, S, 3]);
}

export async function createRenderSession(image: RGBAImage, face: FaceAnalysis, options: RenderSessionOptions = {}): Promise<RenderSession> {
  if (!(image.width > 0 && image.height > 0 && image.data.length === image.width * image.height * 4)) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, 'image must be RGBA width x height x 4');
  }
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
  let disposed = false;
  let sourceMouthArea: number | undefined;
  /**
   * The expression texture (texture.ts), when the session has one that works on the refiner's crop, and the map from
   * image pixels to that crop's pixels (pixel centres at integers), where it takes its landmarks.
   */
  const texture =
    refiner && options.texture?.config.size === refiner.size ? { model: options.texture, toCrop: invertAffine(cropPixelToImage(crop, refiner.size)) } : null;
  /** The last texture gains, newest last, with the targets they are for: an edit's frames share one. */
  const textureGains: { target: Float64Array; gain: tf.Tensor4D }[] = [];
  const TEXTURE_GAINS_KEPT = 4;
  /** The texture gain for `target`, from the kept ones when it is among them. */
  function textureGainFor(tex: NonNullable<typeof texture>, target: readonly Point3[]): tf.Tensor4D {
    const flat = Float64Array.from(target.flatMap((p) => [p[0], p[1]]));
    const k = textureGains.findIndex((g) => g.target.every((v, i) => v === flat[i]));
    if (k >= 0) {
      const [hit] = textureGains.splice(k, 1);
      textureGains.push(hit);
      return hit.gain;
    }
    const toCrop = (p: Point3) => applyAffine(tex.toCrop, p);
    const gain = tf.keep(tex.model.gain(target.map(toCrop), source.map(toCrop)));
    textureGains.push({ target: flat, gain });
    if (textureGains.length > TEXTURE_GAINS_KEPT) textureGains.shift()?.gain.dispose();
    return gain;
  }

  const fullCropRefiner = options.fullCropRefiner ?? false;

  const eyeRings = [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing] as const;
  const sourceEyes = eyeRings.map((r) => eyeOpening(source, r));
  /**
   * What is new in the target, as the masks the paint region grows from: its inner mouth, then each of its eyes
   * that closes (a lid must be painted over the eye). The paint region is paintRegion of their maximum.
   */
  function newContent(target: readonly Point3[], mouthMask: Float32Array, mouth = true): Float32Array[] {
    const S = mouthMask.length ** 0.5;
    const w = eyeRings.map((r, e) => closingWeight(sourceEyes[e], eyeOpening(target, r)));
    const parts = mouth ? [mouthMask] : [];
    if (w[0] > 0) parts.push(eyeMask(target, crop, S, [w[0], 0]));
    if (w[1] > 0) parts.push(eyeMask(target, crop, S, [0, w[1]]));
    return parts;
  }

  /** The paint region grown from the parts of newContent. */
  const paintOf = (parts: Float32Array[], S: number) =>
    paintRegion(parts.length > 1 ? parts.reduce((a, b) => a.map((x, k) => Math.max(x, b[k]))) : parts[0], S);

  /**
   * The refiner on the crop `c` ([1, S, S, 3]), run on `windows` of it only (refine-windows.ts), its image and
   * attention placed back at S x S: outside the windows the image is `c` and the attention 1 (the warp kept),
   * which the paint blend leaves there anyway, as the windows hold the whole paint region.
   */
  function refineWindows(r: Refiner, c: tf.Tensor4D, mouthMask: Float32Array, windows: readonly Rect[]): RefinerResult {
    const S = r.size;
    if (windows.length === 1 && windows[0].width === S && windows[0].height === S) return r.refineWithMask(c, tf.tensor4d(mouthMask, [1, S, S, 1]));
    // One gather places every window (a gather's program depends on shapes only, not on where the windows are):
    // rows of the table are the crop's pixels (RGB, attention 1), then each window's (image, attention).
    const index = new Int32Array(S * S);
    for (let k = 0; k < S * S; k++) index[k] = k;
    const rows: tf.Tensor2D[] = [tf.concat([tf.reshape(c, [S * S, 3]), tf.ones([S * S, 1])], 1)];
    let next = S * S;
    for (const w of windows) {
      const mouth = new Float32Array(w.width * w.height);
      for (let v = 0; v < w.height; v++) {
        const row = (w.y + v) * S + w.x;
        mouth.set(mouthMask.subarray(row, row + w.width), v * w.width);
        for (let u = 0; u < w.width; u++) index[row + u] = next + v * w.width + u;
      }
      const out = r.refineWithMask(tf.slice(c, [0, w.y, w.x, 0], [1, w.height, w.width, 3]), tf.tensor4d(mouth, [1, w.height, w.width, 1]));
      rows.push(tf.reshape(tf.concat([out.image, out.mask], 3), [w.width * w.height, 4]));
      next += w.width * w.height;
    }
    const placed = tf.reshape(tf.gather(tf.concat(rows, 0), tf.tensor1d(index, 'int32')), [1, S, S, 4]);
    const [image, mask] = tf.split(placed, [3, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
    return { image, mask };
  }

  /**
   * Colour of a painted mouth interior. The refiner paints luminance only (it was trained on grayscale photos), and
   * the chroma it carries is the stretched lips' (faded), which leaves a grey band. Real mouth interiors take their
   * hue from the lips and the light of the photo: the dark cavity, gums and tongue are close to the lips' colour,
   * the teeth nearly neutral, slightly warm. So, where the network painted (1 - A) inside the opening, the chroma
   * becomes the lips' mean chroma (measured on the warped photo, between the outer and the inner lip contours),
   * scaled from MOUTH_CHROMA.cavity at dark pixels to MOUTH_CHROMA.teeth at bright ones; the painted luminance stays.
   */
  function mouthColour(
    image: tf.Tensor4D,
    mask: tf.Tensor4D,
    warpedCrop: tf.Tensor4D,
    target: readonly Point3[],
    mouthMask: Float32Array,
    S: number,
  ): tf.Tensor4D {
    const lips = lipMask(target, crop, S, mouthMask);
    const n = sum(lips);
    if (!(n > 4)) return image;
    const lipT = tf.tensor4d(lips, [1, S, S, 1]);
    const [cbW, crW] = ycc(warpedCrop).slice(1);
    const lipCb = tf.div(tf.sum(tf.mul(cbW, lipT)), n);
    const lipCr = tf.div(tf.sum(tf.mul(crW, lipT)), n);
    const [Y, Cb, Cr] = ycc(image);
    const t = tf.clipByValue(tf.div(tf.sub(Y, MOUTH_CHROMA.dark), MOUTH_CHROMA.bright - MOUTH_CHROMA.dark), 0, 1);
    const smooth = tf.mul(tf.mul(t, t), tf.sub(3, tf.mul(t, 2)));
    const scale = tf.add(MOUTH_CHROMA.cavity, tf.mul(smooth, MOUTH_CHROMA.teeth - MOUTH_CHROMA.cavity));
    const w = tf.mul(tf.tensor4d(paintRegion(mouthMask, S), [1, S, S, 1]), tf.sub(1, mask));
    const cb = tf.add(Cb, tf.mul(w, tf.sub(tf.mul(scale, lipCb), Cb)));
    const cr = tf.add(Cr, tf.mul(w, tf.sub(tf.mul(scale, lipCr), Cr)));
    return rgb(Y, cb, cr);
  }

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

  /** The ROI at half resolution (2 x 2 means), for previews; made on the first preview. */
  let half: { pixels: tf.Tensor2D; width: number; height: number } | null = null;

  /**
   * A preview: the warp at half resolution (flow halved, sampled on the 2 x 2 means), the mouth interior carried in
   * half-resolution ROI coordinates (pixel (i, j) has its centre at ROI pixel (2i + 0.5, 2j + 0.5)).
   */
  async function renderPreview(target: readonly Point3[], grid: FlowGrid, interior: InteriorSource | null | undefined): Promise<RenderPatch> {
    if (!half) {
      const width = Math.max(1, Math.floor(roi.width / 2));
      const height = Math.max(1, Math.floor(roi.height / 2));
      half = {
        width,
        height,
        pixels: tf.tidy(() => {
          const img = tf.reshape(pixels, [1, roi.height, roi.width, 4]) as tf.Tensor4D;
          const cut = roi.width >= 2 && roi.height >= 2 ? tf.avgPool(tf.slice(img, [0, 0, 0, 0], [1, 2 * height, 2 * width, 4]), 2, 2, 'valid') : img;
          return tf.reshape(cut, [height * width, 4]) as tf.Tensor2D;
        }),
      };
    }
    const { width, height } = half;
    const halved: FlowGrid = { ...grid, dx: grid.dx.map((v) => v / 2), dy: grid.dy.map((v) => v / 2) };
    const out = tf.tidy(() => sampler.warp(half!.pixels, height, width, halved));
    try {
      const values = (await out.data()) as Float32Array;
      const local = target.map((p) => [(p[0] - roi.x - 0.5) / 2, (p[1] - roi.y - 0.5) / 2, p[2]] as Point3);
      const interiorPixels = interior ? transferInterior(values, { x: 0, y: 0, width, height }, local, image, interior, source) : 0;
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

  async function render(target: readonly Point3[], opts: RenderOptions = {}): Promise<RenderPatch> {
    const grid = flow(target);
    if (opts.preview) return renderPreview(target, grid, opts.interior);
    const useRefiner = opts.useRefiner ?? true;
    if (opts.useRefiner && !refiner) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'this session has no refiner');
    let windows: Rect[] = [];
    const out = tf.tidy(() => {
      const warped = sampler.warp(pixels, roi.height, roi.width, grid);
      if (!useRefiner || !refiner || !compositor) return warped;
      const S = refiner.size;
      const mouthMask = innerMouthMask(target, crop, S);
      // Paint only what is new: the target's mouth opening (and eyes that close), grown a little and feathered.
      // Everywhere else the attention is forced to 1, so the warp's full-resolution pixels (eyes, skin) pass
      // through exactly, whatever the network would have repainted there at its low resolution. So the refiner
      // runs only on windows around the paint region, and not at all when there is nothing to paint: the paste
      // of an unchanged crop with attention 1 gives back the warp exactly.
      // A mouth whose inside is carried from a photo at full resolution (opts.interior, mouth-interior.ts) needs
      // no painting: only eyes that close are left for the refiner.
      const parts = newContent(target, mouthMask, !(opts.interior && carriesInterior(opts.interior)));
      const textureScale = texture ? (opts.texture?.scale ?? 1) : 0;
      if (parts.length === 0 && textureScale === 0) return warped;
      const paintMask = parts.length > 0 ? paintOf(parts, S) : null;
      windows = !paintMask
        ? []
        : fullCropRefiner
          ? [{ x: 0, y: 0, width: S, height: S }]
          : refinerWindows(paintBoxes(paintMask, parts, S, paintFeatherRadius(S)), S, options.refinerMargin ?? Math.round((REFINER_MARGIN * S) / 128));
      if (windows.length === 0 && textureScale === 0) return warped;
      const base = compositor.extractCrop(warped);
      let c = base;
      // The skin's change with the expression (texture.ts): a gain on the crop wherever the face moves. The paste
      // adds the crop's change to the full-resolution warp as a residual, so the photo's own detail stays.
      if (texture && textureScale !== 0) {
        if (opts.texture && (!Array.isArray(opts.texture.target) || opts.texture.target.length !== source.length || !Number.isFinite(textureScale)))
          throw new EditorError(ErrorCode.BAD_ARGUMENT, `texture: expected ${source.length} target points and a finite scale`);
        c = tf.mul(c, tf.add(1, tf.mul(textureGainFor(texture, opts.texture?.target ?? target), textureScale))) as tf.Tensor4D;
      }
      if (!paintMask || windows.length === 0) return compositor.paste(warped, base, c, tf.ones([1, S, S, 1]) as tf.Tensor4D);
      const warpedCrop = c;
      // A new opening gets stretched lips, as in training. The paste drops the warp's own pixels where the
      // refiner painted (attention), so the fill's change does not land on the warp's lips.
      sourceMouthArea ??= sum(innerMouthMask(source, crop, S));
      const opening = newOpeningWeight(sourceMouthArea, sum(mouthMask));
      if (opening > 0) c = stretchLips(c, lipStretchPlan(mouthMask, S), opening);
      const refined = refineWindows(refiner, c, mouthMask, windows);
      const mask = refined.mask;
      const image = mouthColour(refined.image, mask, warpedCrop, target, mouthMask, S);
      const paint = tf.tensor4d(paintMask, [1, S, S, 1]);
      const attention = tf.sub(1, tf.mul(paint, tf.sub(1, mask))) as tf.Tensor4D;
      const painted = tf.add(c, tf.mul(paint, tf.sub(image, c))) as tf.Tensor4D;
      return compositor.paste(warped, base, painted, attention);
    });
    try {
      const values = (await out.data()) as Float32Array;
      const interiorPixels = opts.interior ? transferInterior(values, roi, target, image, opts.interior, source) : 0;
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

  return {
    roi: { ...roi },
    region,
    crop,
    hasRefiner: Boolean(refiner),
    render,
    async renderFull(target, opts) {
      const patch = await render(target, opts);
      return applyPatch(image, patch);
    },
    flow,
    async prepareTexture(target) {
      checkTarget(target);
      if (texture) await textureGainFor(texture, target).data();
    },
    paintRegion(target) {
      checkTarget(target);
      if (!refiner) return null;
      return paintOf(newContent(target, innerMouthMask(target, crop, refiner.size)), refiner.size);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      pixels.dispose();
      half?.pixels.dispose();
      for (const g of textureGains.splice(0)) g.gain.dispose();
      compositor?.dispose();
    },
  };
}
