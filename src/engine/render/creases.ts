/**
 * Stage 7d, creases: the lines skin makes where an expression compresses it (frown lines between knitted brows,
 * forehead lines over raised brows, bunching under the lower lids and at the eye corners, lines across the nose
 * root in a nose wrinkle), drawn at the photo's resolution from the warp's own strain. Label-free: nothing here
 * knows which expression it is; it reads how the warp squeezes the skin.
 *
 * The warp maps each output pixel p to the photo at p + d(p); J = I + dd/dp. Where J's larger singular value
 * sigma1 exceeds 1, a pixel of the output holds more than a pixel of skin: the skin is squeezed along J's first
 * right singular vector, and buckles into folds across it. The folds are valleys spaced a wavelength apart
 * along the squeeze, placed on the photo's skin (at p + d(p) in the face's canonical frame), so that they stay
 * with the skin as the slider moves and only deepen; their depth follows the squeeze, and their contrast the
 * person's own fine skin contrast. The crease is a gain on the pixels (out = in * (1 + gain)), so the photo's
 * pores, freckles and grain stay inside it. Eyes, lips and the face's outside get none.
 */
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3, RGBAImage } from '../types';
import { applyAffine, type AlignedCropRect, type CropSpec } from './aligned-crop';
import { smoothstep } from './mouth-mask';
import { type FlowGrid, type Rect, ringBox } from './warp';

export interface CreaseConfig {
  /** Squeeze (sigma1 - 1) where creases begin, and where they reach full depth. */
  squeeze: [number, number];
  /** The strain is smoothed over this (Gaussian sigma, IOD) before the folds' direction is read from it. */
  smooth: number;
  /** Spacing of neighbouring folds along the squeeze, IOD. */
  wavelength: number;
  /** Half-width (Gaussian sigma) of a fold's valley, IOD; at least `minWidthPx` image pixels. */
  width: number;
  minWidthPx: number;
  /** Depth of a full crease as a multiple of the photo's fine skin contrast, and its bounds (relative luminance). */
  contrastGain: number;
  depth: [number, number];
  /** Eye distances (image px) under which creases and folds fade out entirely, and from which they are whole. */
  smallFace: [number, number];
  /** The face below this canonical height (IOD, y down; the nose tip is near 0.75) fades out of the creases over `lowerFade`. */
  lower: number;
  lowerFade: number;
}

export const DEFAULT_CREASES: Readonly<CreaseConfig> = {
  squeeze: [0.04, 0.16],
  smooth: 0.04,
  wavelength: 0.2,
  width: 0.016,
  minWidthPx: 0.8,
  contrastGain: 5,
  depth: [0.08, 0.2],
  smallFace: [30, 100],
  lower: 0.05,
  lowerFade: 0.12,
};

/** Canonical coordinates (IOD, the eyes' midpoint at 0, y down) of image pixels, through the aligned crop. */
interface CanonicalFrame {
  /** Image pixels -> canonical (x, y). */
  toCanonical(x: number, y: number): [number, number];
  /** Canonical units per image pixel. */
  perPixel: number;
  /** The face's roll: canonical direction = image direction rotated by -angle. */
  angle: number;
}

function canonicalFrame(crop: AlignedCropRect, spec: CropSpec): CanonicalFrame {
  const { centre, side } = spec;
  return {
    toCanonical(x, y) {
      const [s, t] = applyAffine(crop.fromImage, [x, y]);
      return [centre[0] + (s - 0.5) * side, centre[1] + (t - 0.5) * side];
    },
    perPixel: side / crop.size,
    angle: crop.angle,
  };
}

/** An ellipse in canonical space, grown from a ring's box; 1 inside, fading to 0 over `fade` (in radius). */
interface Ellipse {
  cx: number;
  cy: number;
  ax: number;
  ay: number;
}

function ringEllipse(points: readonly Point3[], ring: readonly number[], grow: number): Ellipse {
  const { x0, y0, x1, y1 } = ringBox(points, ring);
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, ax: (x1 - x0) / 2 + grow, ay: (y1 - y0) / 2 + grow };
}

const ellipseR2 = (e: Ellipse, x: number, y: number) => ((x - e.cx) / e.ax) ** 2 + ((y - e.cy) / e.ay) ** 2;

/** Where a face may crease, in its canonical frame: the skin of the face, less the eyes and the lips. */
interface CreaseSkin {
  /** 0..1 at canonical (x, y). */
  at(x: number, y: number): number;
}

function creaseSkin(canonical: readonly Point3[], cfg: CreaseConfig = DEFAULT_CREASES): CreaseSkin {
  const eyes = [ringEllipse(canonical, LANDMARK_SETS.rightEyeRing, 0.08), ringEllipse(canonical, LANDMARK_SETS.leftEyeRing, 0.08)];
  const lips = ringEllipse(canonical, LANDMARK_SETS.outerLipRing, 0.05);
  const oval = ringEllipse(canonical, LANDMARK_SETS.faceOval, 0);
  return {
    at(x, y) {
      const eye = Math.min(ellipseR2(eyes[0], x, y), ellipseR2(eyes[1], x, y));
      const outside = ellipseR2(oval, x, y);
      return (
        smoothstep(1, 1.6, eye) *
        smoothstep(1, 1.5, ellipseR2(lips, x, y)) *
        (1 - smoothstep(0.55, 0.8, outside)) *
        (1 - smoothstep(cfg.lower, cfg.lower + cfg.lowerFade, y))
      );
    },
  };
}

/**
 * The photo's fine skin contrast near where creases form: the standard deviation of luminance minus its local
 * mean (a box of about 0.04 IOD), relative to the mean, over the forehead and the cheeks. A smooth, soft-lit face
 * gets shallow creases; a detailed, hard-lit one deeper.
 */
function skinContrast(image: RGBAImage, frame: CanonicalFrame, toImage: (x: number, y: number) => [number, number]): number {
  const r = Math.max(1, Math.round(0.02 / frame.perPixel));
  const boxes: [number, number, number, number][] = [
    [-0.35, 0.35, -0.7, -0.45],
    [-0.75, -0.45, 0.35, 0.6],
    [0.45, 0.75, 0.35, 0.6],
  ];
  const lum = (x: number, y: number) => {
    const o = (Math.min(image.height - 1, Math.max(0, y)) * image.width + Math.min(image.width - 1, Math.max(0, x))) * 4;
    return 0.299 * image.data[o] + 0.587 * image.data[o + 1] + 0.114 * image.data[o + 2];
  };
  const values: number[] = [];
  let total = 0;
  for (const [x0, x1, y0, y1] of boxes) {
    for (let v = 0; v < 12; v++)
      for (let u = 0; u < 12; u++) {
        const [px, py] = toImage(x0 + ((u + 0.5) / 12) * (x1 - x0), y0 + ((v + 0.5) / 12) * (y1 - y0));
        const cx = Math.round(px);
        const cy = Math.round(py);
        let m = 0;
        let n = 0;
        for (let j = -r; j <= r; j += Math.max(1, r >> 1))
          for (let i = -r; i <= r; i += Math.max(1, r >> 1)) {
            m += lum(cx + i, cy + j);
            n++;
          }
        const c = lum(cx, cy);
        values.push(c - m / n);
        total += m / n;
      }
  }
  const mean = total / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + v * v, 0) / values.length);
  return mean > 1 ? sd / mean : 0;
}

/** The strain of a flow grid at its nodes: C = J^T J (symmetric: c11, c12, c22), J = I + grad d. */
function nodeStrain(grid: FlowGrid, roi: Rect): { c11: Float32Array; c12: Float32Array; c22: Float32Array } {
  const { cols, rows, dx, dy } = grid;
  const hx = (roi.width - 1) / (cols - 1);
  const hy = (roi.height - 1) / (rows - 1);
  const n = cols * rows;
  const c11 = new Float32Array(n);
  const c12 = new Float32Array(n);
  const c22 = new Float32Array(n);
  for (let j = 0; j < rows; j++)
    for (let i = 0; i < cols; i++) {
      const k = j * cols + i;
      const il = Math.max(0, i - 1);
      const ir = Math.min(cols - 1, i + 1);
      const ju = Math.max(0, j - 1);
      const jd = Math.min(rows - 1, j + 1);
      const ddx = [(dx[j * cols + ir] - dx[j * cols + il]) / ((ir - il) * hx), (dx[jd * cols + i] - dx[ju * cols + i]) / ((jd - ju) * hy)];
      const ddy = [(dy[j * cols + ir] - dy[j * cols + il]) / ((ir - il) * hx), (dy[jd * cols + i] - dy[ju * cols + i]) / ((jd - ju) * hy)];
      const a = 1 + ddx[0];
      const b = ddx[1];
      const c = ddy[0];
      const d = 1 + ddy[1];
      c11[k] = a * a + c * c;
      c12[k] = a * b + c * d;
      c22[k] = b * b + d * d;
    }
  return { c11, c12, c22 };
}

/** A separable Gaussian blur of a cols x rows field (sigma in nodes), edges clamped. */
function blurNodes(a: Float32Array, cols: number, rows: number, sigma: number): Float32Array {
  const r = Math.ceil(2.5 * sigma);
  if (r < 1) return a;
  const w = Array.from({ length: 2 * r + 1 }, (_, k) => Math.exp(-((k - r) ** 2) / (2 * sigma * sigma)));
  const norm = w.reduce((x, y) => x + y, 0);
  const tmp = new Float32Array(a.length);
  const out = new Float32Array(a.length);
  for (let j = 0; j < rows; j++)
    for (let i = 0; i < cols; i++) {
      let v = 0;
      for (let k = -r; k <= r; k++) v += w[k + r] * a[j * cols + Math.min(cols - 1, Math.max(0, i + k))];
      tmp[j * cols + i] = v / norm;
    }
  for (let j = 0; j < rows; j++)
    for (let i = 0; i < cols; i++) {
      let v = 0;
      for (let k = -r; k <= r; k++) v += w[k + r] * tmp[Math.min(rows - 1, Math.max(0, j + k)) * cols + i];
      out[j * cols + i] = v / norm;
    }
  return out;
}

/** What a crease field is drawn from, once per face. */
export interface CreaseFace {
  frame: CanonicalFrame;
  skin: CreaseSkin;
  /** Depth of a full crease (relative luminance), from the photo's skin contrast. */
  depth: number;
  /** IOD in image pixels. */
  iod: number;
  /** How well the photo resolves creases and folds, 0..1 (CreaseConfig.smallFace). */
  resolved: number;
  /** Where the folds' spacing is counted from (canonical): between the brows, so frown lines come in a pair. */
  origin: [number, number];
  config: CreaseConfig;
  /** The face's skin for fold fading (folds.ts): the cheeks and the lower face. */
  wholeSkin: CreaseSkin;
}

/** What creases need of a face: `crop` cut by `spec` from its canonical transform, `canonical` its canonical landmarks. */
export function creaseFace(
  image: RGBAImage,
  crop: AlignedCropRect,
  spec: CropSpec,
  canonical: readonly Point3[],
  config: CreaseConfig = DEFAULT_CREASES,
): CreaseFace {
  const frame = canonicalFrame(crop, spec);
  const { centre, side } = spec;
  const toImage = (x: number, y: number) => applyAffine(crop.toImage, [(x - centre[0]) / side + 0.5, (y - centre[1]) / side + 0.5]) as [number, number];
  const contrast = skinContrast(image, frame, toImage);
  // Creases and folds fade out on small faces, as real ones do: on 250 px news photos (45 px between the eyes) real
  // angry and neutral faces have the same fine contrast between the brows, and there the folds' band holds the
  // features themselves (fading it cost identity).
  const resolved = smoothstep(config.smallFace[0], config.smallFace[1], 1 / frame.perPixel);
  const depth = Math.min(config.depth[1], Math.max(config.depth[0], config.contrastGain * contrast)) * resolved;
  return {
    frame,
    skin: creaseSkin(canonical, config),
    depth,
    iod: 1 / frame.perPixel,
    resolved,
    origin: [canonical[9][0], canonical[9][1]],
    config,
    wholeSkin: lowerSkin(creaseSkin(canonical, { ...config, lower: 100 })),
  };
}

/**
 * Fading folds stay below the eyes (canonical y from 0.15, whole from 0.3): above, the band folds live in holds the
 * brows' and lashes' structure, which makes the person (fading it there cost identity on small faces).
 */
const lowerSkin = (skin: CreaseSkin): CreaseSkin => ({ at: (x, y) => skin.at(x, y) * smoothstep(0.15, 0.3, y) });

/** The warp's strain at its nodes (nodeStrain), smoothed over about `smooth` IOD so that its directions turn slowly. */
function smoothStrain(face: CreaseFace, grid: FlowGrid, roi: Rect): { c11: Float32Array; c12: Float32Array; c22: Float32Array } {
  const { cols, rows } = grid;
  const sigmaNodes = (face.config.smooth * face.iod * (cols - 1)) / Math.max(1, roi.width - 1);
  const raw = nodeStrain(grid, roi);
  const [c11, c12, c22] = [raw.c11, raw.c12, raw.c22].map((a) => blurNodes(a, cols, rows, sigmaNodes));
  return { c11, c12, c22 };
}

/** What both creases and folds read of a warp, per node of its grid (image-independent; once per frame). */
export interface NodeFields {
  cols: number;
  rows: number;
  /** The smoothed strain C = J^T J (nodeStrain, smoothStrain). */
  c11: Float32Array;
  c12: Float32Array;
  c22: Float32Array;
  /** sigma1 - 1 (squeeze) and 1 - sigma2 (stretch). */
  squeeze: Float32Array;
  stretch: Float32Array;
  /** Canonical position of the skin each node shows (its photo position p + d(p)). */
  px: Float32Array;
  py: Float32Array;
}

export function nodeFields(face: CreaseFace, grid: FlowGrid, roi: Rect): NodeFields {
  const { cols, rows, dx, dy } = grid;
  const { c11, c12, c22 } = smoothStrain(face, grid, roi);
  const n = cols * rows;
  const squeeze = new Float32Array(n);
  const stretch = new Float32Array(n);
  const px = new Float32Array(n);
  const py = new Float32Array(n);
  const hx = (roi.width - 1) / (cols - 1);
  const hy = (roi.height - 1) / (rows - 1);
  for (let k = 0; k < n; k++) {
    const tr = c11[k] + c22[k];
    const l1 = tr / 2 + Math.sqrt(Math.max(0, (tr * tr) / 4 - (c11[k] * c22[k] - c12[k] * c12[k])));
    squeeze[k] = Math.sqrt(l1) - 1;
    stretch[k] = 1 - Math.sqrt(Math.max(0, tr - l1));
    const [x, y] = face.frame.toCanonical(roi.x + (k % cols) * hx + dx[k], roi.y + Math.floor(k / cols) * hy + dy[k]);
    px[k] = x;
    py[k] = y;
  }
  return { cols, rows, c11, c12, c22, squeeze, stretch, px, py };
}

/**
 * Calls `fn(i, j, k, fx, fy)` for every pixel (i, j) of a raster of the ROI (pixel (i, j) at ROI pixel
 * (i * scale + offset, j * scale + offset)) that lies in a grid cell with a corner where `active` is positive: k is
 * the cell's top-left node, (fx, fy) the pixel's place in the cell.
 */
export function eachActivePixel(
  f: { cols: number; rows: number },
  active: Float32Array,
  roi: Rect,
  width: number,
  height: number,
  scale: number,
  offset: number,
  fn: (i: number, j: number, k: number, fx: number, fy: number) => void,
): void {
  const { cols, rows } = f;
  const hx = (roi.width - 1) / (cols - 1);
  const hy = (roi.height - 1) / (rows - 1);
  for (let cj = 0; cj < rows - 1; cj++)
    for (let ci = 0; ci < cols - 1; ci++) {
      const k = cj * cols + ci;
      if (!(active[k] > 0 || active[k + 1] > 0 || active[k + cols] > 0 || active[k + cols + 1] > 0)) continue;
      // the raster's pixels whose centres fall in this cell (the last cell takes its far edge)
      const i0 = Math.max(0, Math.ceil((ci * hx - offset) / scale));
      const i1 = Math.min(width - 1, Math.ceil(((ci + 1) * hx - offset) / scale) - (ci + 1 < cols - 1 ? 1 : 0));
      const j0 = Math.max(0, Math.ceil((cj * hy - offset) / scale));
      const j1 = Math.min(height - 1, Math.ceil(((cj + 1) * hy - offset) / scale) - (cj + 1 < rows - 1 ? 1 : 0));
      for (let j = j0; j <= j1; j++) {
        const fy = Math.min(1, Math.max(0, (j * scale + offset) / hy - cj));
        for (let i = i0; i <= i1; i++) fn(i, j, k, Math.min(1, Math.max(0, (i * scale + offset) / hx - ci)), fy);
      }
    }
}

/** Bilinear value of a node field at cell k, (fx, fy). */
export const lerpCell = (a: Float32Array, cols: number, k: number, fx: number, fy: number) =>
  (a[k] * (1 - fx) + a[k + 1] * fx) * (1 - fy) + (a[k + cols] * (1 - fx) + a[k + cols + 1] * fx) * fy;

/**
 * The crease gain over a raster of `width` x `height` pixels whose pixel (i, j) lies at ROI pixel
 * (i * scale + offset, j * scale + offset) (scale 1 for a full frame, 2 for a half-resolution preview), for the
 * warp's node fields `f`. Null when the warp squeezes nothing enough to crease. The raster's values are the gain g of
 * out = in * (1 + g).
 */
export function creaseGain(face: CreaseFace, f: NodeFields, roi: Rect, width: number, height: number, scale = 1, offset = 0): Float32Array | null {
  if (!(face.depth > 0)) return null;
  const { cols, c11, c12, c22 } = f;
  const cfg = face.config;
  const k0 = cfg.squeeze[0];
  // each node's strength: the squeeze, one-way (skin squeezed from every side bunches into a bulge, not folds), skin
  const amp = new Float32Array(f.squeeze.length);
  let any = false;
  for (let k = 0; k < amp.length; k++) {
    if (!(f.squeeze[k] > k0)) continue;
    const oneWay = smoothstep(0.5 * k0, cfg.squeeze[1], f.squeeze[k] + f.stretch[k]);
    amp[k] = smoothstep(k0, cfg.squeeze[1], f.squeeze[k]) * oneWay * face.skin.at(f.px[k], f.py[k]);
    any ||= amp[k] > 0;
  }
  if (!any) return null;
  const gain = new Float32Array(width * height);
  const widthIod = Math.max(cfg.width, (cfg.minWidthPx * scale) / face.iod);
  // a fold narrower than a pixel of the raster is drawn wider and fainter, not aliased
  const depth = face.depth * Math.min(1, cfg.width / widthIod);
  const inv2w2 = 1 / (2 * widthIod * widthIod);
  const inv2W2 = inv2w2 / (2.5 * 2.5);
  const lam = cfg.wavelength;
  const cos = Math.cos(-face.frame.angle);
  const sin = Math.sin(-face.frame.angle);
  let touched = 0;
  eachActivePixel(f, amp, roi, width, height, scale, offset, (i, j, k, fx, fy) => {
    const w = lerpCell(amp, cols, k, fx, fy);
    if (!(w > 0)) return;
    const a = lerpCell(c11, cols, k, fx, fy);
    const b = lerpCell(c12, cols, k, fx, fy);
    const c = lerpCell(c22, cols, k, fx, fy);
    const tr = a + c;
    const l1 = tr / 2 + Math.sqrt(Math.max(0, (tr * tr) / 4 - (a * c - b * b)));
    // the squeeze's direction (C's first eigenvector), into the canonical frame
    let ux = b;
    let uy = l1 - a;
    if (Math.abs(ux) + Math.abs(uy) < 1e-9) {
      ux = l1 - c;
      uy = b;
    }
    const un = Math.hypot(ux, uy) || 1;
    const vx = (ux * cos - uy * sin) / un;
    const vy = (ux * sin + uy * cos) / un;
    const ox = lerpCell(f.px, cols, k, fx, fy) - face.origin[0];
    const oy = lerpCell(f.py, cols, k, fx, fy) - face.origin[1];
    const s = ox * vx + oy * vy;
    const t = oy * vx - ox * vy;
    // folds wander a little along their length, as real ones do
    const r = (s + 0.012 * Math.cos((2 * Math.PI * t) / 0.31)) / lam - 0.5;
    const d = (r - Math.round(r)) * lam;
    const d2 = d * d;
    gain[j * width + i] = -depth * w * (Math.exp(-d2 * inv2w2) - 0.3 * Math.exp(-d2 * inv2W2));
    touched++;
  });
  return touched > 0 ? gain : null;
}

/** out = in * (1 + gain) on the RGB of RGBA floats (0..255), in place. */
export function applyGain(values: Float32Array, gain: Float32Array): void {
  for (let p = 0; p < gain.length; p++) {
    const g = gain[p];
    if (g === 0) continue;
    const o = p * 4;
    values[o] *= 1 + g;
    values[o + 1] *= 1 + g;
    values[o + 2] *= 1 + g;
  }
}
