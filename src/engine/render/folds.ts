/**
 * Stage 7d', folds that fade: where an expression's warp stretches the skin (a smile neutralized: the bunched cheeks
 * and the nasolabial folds pulled flat), the photo's own folds and bunching should smooth out, which a warp cannot
 * do: it moves the fold's shading along with the skin. So, where J's smaller singular value (creases.ts) falls below
 * 1, the band of spatial frequencies that folds and bunching live in (between FoldConfig.sigma's two Gaussian
 * blurs, about 1 % and 7 % of the eyes' distance) is taken out of the pixels in proportion to the stretch. What is
 * finer than the lower blur (pores, freckles, hairs, the photo's grain) stays, as does the light over the face.
 */
import { smoothstep } from './mouth-mask';
import type { CreaseFace } from './creases';
import { eachActivePixel, lerpCell, type NodeFields } from './creases';
import type { Rect } from './warp';

export interface FoldConfig {
  /** Stretch (1 - sigma2) where folds start to fade, and where they fade by `fade`. */
  stretch: [number, number];
  /** Share of the fold band taken out at full stretch. */
  fade: number;
  /** The fold band: between Gaussian blurs of these sigmas, IOD. */
  sigma: [number, number];
}

const DEFAULT_FOLDS: Readonly<FoldConfig> = { stretch: [0.01, 0.06], fade: 1, sigma: [0.012, 0.12] };

/** A Gaussian blur approximated by three box blurs (running sums), of one channel of `src` (w x h), edges clamped. */
function gaussian(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  // three boxes of width 2r + 1 have the variance of a Gaussian of sigma when (2r + 1)^2 = 4 sigma^2 + 1
  const r = Math.max(0, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  let a = new Float32Array(src);
  let b = new Float32Array(w * h);
  const pass = (from: Float32Array, to: Float32Array, n: number, lines: number, step: number, lineStep: number) => {
    for (let l = 0; l < lines; l++) {
      const base = l * lineStep;
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += from[base + Math.min(n - 1, Math.max(0, i)) * step];
      for (let i = 0; i < n; i++) {
        to[base + i * step] = acc / (2 * r + 1);
        acc += from[base + Math.min(n - 1, i + r + 1) * step] - from[base + Math.max(0, i - r) * step];
      }
    }
  };
  if (r === 0) return a;
  for (let k = 0; k < 3; k++) {
    pass(a, b, w, h, 1, w);
    [a, b] = [b, a];
    pass(a, b, h, w, w, 1);
    [a, b] = [b, a];
  }
  return a;
}

/**
 * Fades the folds by `amount` (0..1: how much of the photo's own expression the target takes away) where the warp
 * (its node fields `f`, creases.ts nodeFields) stretches the skin, in `values` (RGBA
 * floats 0..255 of a raster of the ROI: pixel (i, j) at ROI pixel (i * scale + offset, j * scale + offset)), in
 * place. The fold band is taken from luminance (folds are shading) and out of each channel alike. Returns the pixels
 * changed.
 */
export function fadeFolds(
  face: CreaseFace,
  f: NodeFields,
  roi: Rect,
  values: Float32Array,
  width: number,
  height: number,
  scale: number,
  offset: number,
  amount: number,
  cfg: FoldConfig = DEFAULT_FOLDS,
): number {
  const { cols } = f;
  if (!(face.resolved > 0)) return 0;
  const node = new Float32Array(f.stretch.length);
  let any = false;
  for (let k = 0; k < node.length; k++) {
    if (!(f.stretch[k] > cfg.stretch[0])) continue;
    // stretched one way and not squeezed the other: where the skin is squeezed, creases form instead (creases.ts)
    const calm = 1 - smoothstep(face.config.squeeze[0] / 2, face.config.squeeze[0], f.squeeze[k]);
    node[k] =
      smoothstep(cfg.stretch[0], cfg.stretch[1], f.stretch[k]) *
      calm *
      face.wholeSkin.at(f.px[k], f.py[k]) *
      cfg.fade *
      face.resolved *
      Math.min(1, Math.max(0, amount));
    any ||= node[k] > 0;
  }
  if (!any) return 0;
  // the weight at each raster pixel, and the box that holds the weighted ones
  const weight = new Float32Array(width * height);
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  eachActivePixel(f, node, roi, width, height, scale, offset, (i, j, k, fx, fy) => {
    const w = lerpCell(node, cols, k, fx, fy);
    if (!(w > 0)) return;
    weight[j * width + i] = w;
    if (i < x0) x0 = i;
    if (i > x1) x1 = i;
    if (j < y0) y0 = j;
    if (j > y1) y1 = j;
  });
  if (x1 < x0) return 0;
  // the box grown by the wider blur's reach, so that the band is measured on the skin around it too
  const perRaster = face.iod / scale;
  const reach = Math.ceil(3 * cfg.sigma[1] * perRaster);
  const bx = Math.max(0, x0 - reach);
  const by = Math.max(0, y0 - reach);
  const bw = Math.min(width - 1, x1 + reach) - bx + 1;
  const bh = Math.min(height - 1, y1 + reach) - by + 1;
  const lum = new Float32Array(bw * bh);
  for (let j = 0; j < bh; j++)
    for (let i = 0; i < bw; i++) {
      const o = ((by + j) * width + bx + i) * 4;
      lum[j * bw + i] = 0.299 * values[o] + 0.587 * values[o + 1] + 0.114 * values[o + 2];
    }
  const fine = gaussian(lum, bw, bh, cfg.sigma[0] * perRaster);
  const broad = gaussian(lum, bw, bh, cfg.sigma[1] * perRaster);
  let changed = 0;
  for (let j = 0; j < bh; j++)
    for (let i = 0; i < bw; i++) {
      const w = weight[(by + j) * width + bx + i];
      if (!(w > 0)) continue;
      const q = j * bw + i;
      const band = w * (fine[q] - broad[q]);
      const o = ((by + j) * width + bx + i) * 4;
      values[o] -= band;
      values[o + 1] -= band;
      values[o + 2] -= band;
      changed++;
    }
  return changed;
}
