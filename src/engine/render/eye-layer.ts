/**
 * The eye layer: eyes that open wider, look aside or close, drawn from the photo's own eye (eye-find.ts) instead
 * of the warp's stretch, which draws an iris and lid out into vertical streaks when an eye opens wider.
 *
 * Over each eye that the target opens, closes or turns (gaze), every pixel of a small box is drawn again from the
 * photo: above the target's lid margin the lid moves as a whole (a band with the lashes shifted rigidly, blending
 * into the warp's own motion further up, so the two meet without a seam); between the lids the eyeball stays where
 * it is and the iris moves by the gaze, an iris pixel the lids uncover taken from the iris's own visible pixels at
 * the same radius (mirrored, never a catchlight), a sclera pixel from the visible sclera next to it (mirrored about
 * the old lid margin, or across the iris a gaze moved away), so both keep the photo's grain; everything then takes
 * the lid's shadow for where it now lies under the lid. Per-pixel JavaScript, limited to the eye boxes.
 */
import type { Point2, Point3, RGBAImage } from '../types';
import { eyeContours, type EyeOnPhoto, lidAt, lidShade, luma, sampleCubic, toEye, toImage } from './eye-find';
import { smoothstep } from './mouth-mask';
import { type FlowGrid, type Rect, warpSource } from './warp';

/** Iris shift at gaze 1, eye widths (sideways, up-down): about as far as eyes turn before the head follows. */
export const GAZE_SHIFT: Point2 = [0.17, 0.12];
/** Height of the lid band that moves rigidly with the margin, and the least room above it to blend into the warp. */
const BAND_OPEN = 0.2;
const BAND_CLOSING = 0.1;
const MIN_RAMP = 0.2;
const MAX_RAMP = 0.5;
/** How far above its margin a closing lid's band starts (eye widths): the eyeball shows between the lashes. */
const CLOSED_LASHES = 0.1;
/** How far under the photo's lid margin uncovered sclera is taken from (eye widths): clear of the lashes' tips. */
const CLEAR = 0.08;
/** Height of the band over a lower lid that moves down which follows it. */
const LOW_BAND = 0.12;
/** How far under a rising lower lid's margin its motion blends into the warp's. */
const LOW_RAMP = 0.12;
/** How far beside the iris the sclera lent to where it moved from is taken from (eye widths). */
const SCLERA_BAND = 0.1;
/** Eyes whose margin moves less than this (pixels) and that do not turn are left to the warp. */
const STILL_PX = 1;

/** Where a frame's raster lies in the image: raster pixel (i, j) has its centre at image (x + i step, y + j step). */
export interface Raster {
  x: number;
  y: number;
  step: number;
  width: number;
  height: number;
}

/**
 * Draws the eye layer into `values` (RGBA floats of the frame's raster) for target landmarks `target` and `gaze`
 * (-1..1, toward image right and down), where the warp's map is `grid` over `roi`. Eyes the edit leaves as they
 * are come back untouched.
 */
export function drawEyes(
  img: RGBAImage,
  eyes: readonly (EyeOnPhoto | null)[],
  target: readonly Point3[],
  gaze: readonly [number, number],
  values: Float32Array,
  raster: Raster,
  grid: FlowGrid,
  roi: Rect,
): void {
  eyes.forEach((eye, e) => {
    if (eye) drawEye(img, eye, eyeContours(target, e), gaze, values, raster, grid, roi);
  });
}

function drawEye(
  img: RGBAImage,
  eye: EyeOnPhoto,
  tgt: ReturnType<typeof eyeContours>,
  gaze: readonly [number, number],
  values: Float32Array,
  raster: Raster,
  grid: FlowGrid,
  roi: Rect,
): void {
  const src = eye.frame;
  const px = 1 / src.width;
  const openS = lidAt(eye.lower, 0.5) + eye.lowMargin - lidAt(eye.upper, 0.5);
  const openT = lidAt(tgt.lower, 0.5) - lidAt(tgt.upper, 0.5);
  // the real margin lies `margin` above the ring, less so as the lids meet (a closed eye's margins are the ring's)
  const marginT = eye.margin * Math.min(1, Math.max(0, openT / openS));
  const upS = (s: number) => lidAt(eye.upper, s) - eye.margin;
  const lowT = (s: number) => lidAt(tgt.lower, s) + eye.lowMargin;
  // a lid brought down to within a third of the photo's opening closes the rest of the way (the unit fields are the
  // template's, and an eye opened wider than it would otherwise keep a slit of eyeball)
  const shut = smoothstep(0.45, 0.25, openT / openS);
  const upT = (s: number) => {
    const u = lidAt(tgt.upper, s) - marginT;
    const closed = Math.max(lowT(s), lidAt(tgt.lower, s));
    return Math.min(closed, u + shut * Math.max(0, closed - u));
  };
  // a lid that closes brings its lashes down, not the eyeball showing between them: its band starts a little higher
  const shift = (s: number) => upS(s) - shut * CLOSED_LASHES - upT(s);
  const g: Point2 = [gaze[0] * GAZE_SHIFT[0], gaze[1] * GAZE_SHIFT[1]];
  let most = 0;
  for (let s = 0.1; s <= 0.9; s += 0.05) most = Math.max(most, Math.abs(shift(s)));
  if (most * src.width <= STILL_PX && Math.hypot(g[0], g[1]) * src.width <= 0.5) return;
  // the blend from the band's motion into the warp's must not fold the lid back on itself: it needs room to take up
  // the band's shift
  const rampAt = (s: number) => Math.min(MAX_RAMP, Math.max(MIN_RAMP, 2 * Math.abs(shift(s))));
  // a closing lid's band is its lashes alone: the skin above them, crease and all, is the warp's to stretch
  const BAND = shut > 0 ? BAND_CLOSING : BAND_OPEN;
  const fill = eyeballFill(img, eye, g);
  // the box the layer draws: between the corners, from above the moving lid band to just under the lower lid
  let top = Infinity;
  let bottom = -Infinity;
  for (let s = 0; s <= 1.0001; s += 0.05) {
    top = Math.min(top, upT(s) - BAND - rampAt(s));
    bottom = Math.max(bottom, Math.max(lowT(s), upT(s)) + LOW_RAMP);
  }
  const corners = [toImage(tgt.frame, -0.05, top), toImage(tgt.frame, 1.05, top), toImage(tgt.frame, -0.05, bottom), toImage(tgt.frame, 1.05, bottom)];
  const xs = corners.map((c) => (c[0] - raster.x) / raster.step);
  const ys = corners.map((c) => (c[1] - raster.y) / raster.step);
  const i0 = Math.max(0, Math.floor(Math.min(...xs)));
  const i1 = Math.min(raster.width - 1, Math.ceil(Math.max(...xs)));
  const j0 = Math.max(0, Math.floor(Math.min(...ys)));
  const j1 = Math.min(raster.height - 1, Math.ceil(Math.max(...ys)));
  const c = [0, 0, 0];
  const tw = tgt.frame.width;
  const feather = Math.max(px, raster.step / tw);
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const x = raster.x + i * raster.step;
      const y = raster.y + j * raster.step;
      const [s, t] = toEye(tgt.frame, x, y);
      const sc = Math.min(1, Math.max(0, s));
      const ut = upT(sc);
      const lt = lowT(sc);
      // down to the lower lid's margin, or to where a closing upper lid comes down to
      const floor = Math.max(lt, ut);
      const ramp = rampAt(sc);
      const rise = lidAt(eye.lower, sc) + eye.lowMargin - lt;
      let alpha = smoothstep(-0.05, 0.02, s) * smoothstep(1.05, 0.98, s);
      if (t > floor) {
        // a lower lid that rises moves as a whole too (the warp would squeeze the eyeball's rim into it)
        if (!(rise * src.width > STILL_PX) || t > floor + LOW_RAMP) continue;
        const w = smoothstep(floor + LOW_RAMP, floor + 2 * feather, t);
        // (under a closed lid, from a little below the lower margin: the mesh's lower ring may lie on the eyeball)
        const [mx, my] = toImage(src, s, t + rise + shut * CLOSED_LASHES * 0.6);
        const [wx, wy] = warpSource(grid, roi, x, y);
        sampleCubic(img, wx + w * (mx - wx), wy + w * (my - wy), c);
        const o = (j * raster.width + i) * 4;
        for (let k = 0; k < 3; k++) values[o + k] += alpha * w * (c[k] - values[o + k]);
        continue;
      }
      if (!(alpha > 0) || t < ut - BAND - ramp) continue;
      if (t < ut || shut > 0.5) {
        // the lid: its band moves with the margin, then its motion blends into the warp's
        const w = smoothstep(ut - BAND - ramp, ut - BAND, t);
        const [mx, my] = toImage(src, s, t + shift(sc));
        const [wx, wy] = warpSource(grid, roi, x, y);
        sampleCubic(img, wx + w * (mx - wx), wy + w * (my - wy), c);
        // the frame's own pixels (its creases and texture) take over as the motion becomes the warp's
        alpha *= w;
        // a lid over a closing eye keeps its own lower edge: no feather into the eyeball under it
        if (openT < 0.5 * openS) alpha = smoothstep(-0.05, 0.02, s) * smoothstep(1.05, 0.98, s) * w;
      } else {
        // a lower lid that moves down takes the band of eyeball above it along (a few pixels: no visible stretch)
        const low = lidAt(eye.lower, sc) + eye.lowMargin;
        const te = lt > low && t > low - LOW_BAND ? low - LOW_BAND + ((Math.min(t, lt) - low + LOW_BAND) * LOW_BAND) / (lt - low + LOW_BAND) : Math.min(t, lt);
        if (!fill(s, Math.min(t, lt), te, ut, c)) continue;
        // a pixel from the lid's edge anti-aliases into the eyeball over the first pixel under the margin
        const edge = Math.min(1, (t - ut) / feather);
        if (edge < 1) {
          const lid = [0, 0, 0];
          const [mx, my] = toImage(src, s, t + shift(sc));
          sampleCubic(img, mx, my, lid);
          for (let k = 0; k < 3; k++) c[k] = lid[k] + edge * (c[k] - lid[k]);
        }
      }
      const o = (j * raster.width + i) * 4;
      for (let k = 0; k < 3; k++) values[o + k] += alpha * (c[k] - values[o + k]);
    }
  }
}

/**
 * The eyeball's colour at target eye point (s, t), `ut` being the target's upper margin there: the iris moved by `g`
 * (eye units) and the still sclera, each from the photo's own visible eyeball, under the lid's shadow.
 */
function eyeballFill(img: RGBAImage, eye: EyeOnPhoto, g: Point2): (s: number, t: number, ts: number, ut: number, out: number[]) => boolean {
  const f = eye.frame;
  const px = 1 / f.width;
  const { iris } = eye;
  const upS = (s: number) => lidAt(eye.upper, s) - eye.margin;
  const lowS = (s: number) => lidAt(eye.lower, s) + eye.lowMargin;
  const visible = (s: number, t: number) => s > 0.02 && s < 0.98 && t >= upS(s) + px && t <= lowS(s) - px;
  // a pixel the photo shows where the target shows it too is the photo's, down to the lower lid's edge, and up to the
  // upper one's where that lid has not moved (where it has, the lashes' soft edge must not stay behind)
  let ut = 0;
  const seen = (s: number, t: number) => s > 0.02 && s < 0.98 && t >= upS(s) + (ut < upS(s) - px ? 3 : 1) * px && t <= lowS(s) + 3 * px;
  const inIris = (s: number, t: number, pad: number) => Math.hypot(s - iris.s, t - iris.t) < iris.r + pad;
  const c = [0, 0, 0];
  /** Samples eye point (s, t) into c, with the lid's shadow of where it lies on the photo taken out. */
  const take = (s: number, t: number) => {
    const [x, y] = toImage(f, s, t);
    sampleCubic(img, x, y, c);
    // the lashes' soft edge is no shadow: distances count from under it
    const k = Math.min(1.1, 1 / lidShade(eye.shade, t - upS(s) - 2 * px));
    for (let q = 0; q < 3; q++) c[q] *= k;
  };
  const irisPixel = (s: number, t: number): boolean => {
    // the iris point under (s, t), then the same radius mirrored: up-down, through the centre, left-right
    const ds = s - g[0] - iris.s;
    const dt = t - g[1] - iris.t;
    const tries: Point2[] = [
      [ds, dt],
      [ds, -dt],
      [-ds, -dt],
      [-ds, dt],
    ];
    for (let k = 0; k < tries.length; k++) {
      const qs = iris.s + tries[k][0];
      const qt = iris.t + tries[k][1];
      if (!(k === 0 ? seen(qs, qt) : visible(qs, qt))) continue;
      take(qs, qt);
      // the catchlight stays where it is: only the visible iris under the pixel may show it
      if (k === 0 || luma(c) < eye.highlight) return true;
    }
    // none of the mirrors is in view (the iris's upper shoulders, whose mirrors lie under the lower lid): the visible
    // iris at the same radius, the nearest way round. The iris is drawn radially (its darker rim, its fibres), so a
    // flat fill there squares the iris off
    return roundTheIris(iris, ds, dt, px, (qs, qt) => {
      if (!visible(qs, qt)) return false;
      take(qs, qt);
      return luma(c) < eye.highlight;
    });
  };
  // where the iris moved away from, the sclera beside it on that side, mirrored about its edge (scleraFrom)
  const away = Math.abs(g[0]) > 0.01 ? -Math.sign(g[0]) : 0;
  // the limbus's soft dark edge belongs to the iris: where the iris moved, none of it may stay behind
  const pad = (Math.hypot(g[0], g[1]) > 0 ? 4 : 2) * px;
  const scleraPixel = (s: number, t: number): boolean => {
    if (away || !inIris(s, t, pad)) return scleraFrom(s, t, away || (s >= iris.s ? 1 : -1));
    // under an iris that did not move sideways (a lower lid that drops): both sides' sclera, blended across it
    const half = Math.sqrt(Math.max(0, (iris.r + pad) ** 2 - (t - iris.t) ** 2));
    const w = Math.min(1, Math.max(0, (s - iris.s + half) / (2 * half + px)));
    if (!scleraFrom(s, t, -1)) return scleraFrom(s, t, 1);
    const left = [c[0], c[1], c[2]];
    if (scleraFrom(s, t, 1)) for (let q = 0; q < 3; q++) c[q] = left[q] + w * (c[q] - left[q]);
    else for (let q = 0; q < 3; q++) c[q] = left[q];
    return true;
  };
  const scleraFrom = (s: number, t: number, side: number): boolean => {
    const up = upS(s);
    const edge = iris.s + side * (Math.sqrt(Math.max(0, (iris.r + pad) ** 2 - (t - iris.t) ** 2)) + px);
    const room = Math.min(SCLERA_BAND, side > 0 ? 0.92 - edge : edge - 0.08);
    // mirrored about the padded edge, back and forth within the band of sclera beside it: at the sclera's own scale
    // and colour (squeezed to fit, a few columns by the edge were drawn out sideways into a bright band; reaching
    // further, the corner's pink came in)
    const across = edge + side * reflect(Math.max(0, side * (edge - s)), room);
    const own: Point2[] = [
      [s, t < up + 3 * px ? 2 * up - t + Math.max(6 * px, CLEAR) : 2 * lowS(s) - t - 2 * px],
      // the middle of this column's own opening: toward a corner the sclera darkens, and the column keeps that
      [s, (up + lowS(s)) / 2],
    ];
    const beside: Point2[] = [
      [across, t],
      [across, 2 * upS(across) - t + 3 * px],
      [across, Math.min(lowS(across) - 2 * px, Math.max(upS(across) + 2 * px, t))],
    ];
    // where the iris moved from, the sclera beside it first: the column's own sclera further down lies outside the
    // old iris on some columns only, and those came out as bright vertical lines
    const tries: Point2[] = away && inIris(s, t, pad) ? [[s, t], ...beside, ...own] : [[s, t], ...own, ...beside];
    for (let k = 0; k < tries.length; k++) {
      const [qs, qt] = tries[k];
      if (!(k === 0 ? seen(qs, qt) : visible(qs, qt)) || inIris(qs, qt, pad)) continue;
      take(qs, qt);
      return true;
    }
    // the nearest sclera along the row, either way
    for (let d = px; d < 0.4; d += px)
      for (const q of [s + side * d, s - side * d]) {
        const qt = Math.min(lowS(q) - 2 * px, Math.max(upS(q) + 3 * px, t));
        if (!visible(q, qt) || inIris(q, qt, pad)) continue;
        take(q, qt);
        return true;
      }
    return false;
  };
  // `ts`: where the sclera at (s, t) comes from in t (a lower lid that moves down takes its band along)
  return (s, t, ts, upper, out) => {
    ut = upper;
    const rho = Math.hypot(s - g[0] - iris.s, t - g[1] - iris.t);
    // iris weight, anti-aliased over a pixel at its edge
    const wi = Math.min(1, Math.max(0, (iris.r - rho) / px + 0.5));
    let sclera: number[] | null = null;
    if (wi < 1) {
      // no sclera to lend (the corners of a thin eye): the frame's own pixel stays
      if (!scleraPixel(s, ts)) return false;
      sclera = [c[0], c[1], c[2]];
    }
    if (wi > 0) {
      if (!irisPixel(s, t)) for (let q = 0; q < 3; q++) c[q] = eye.irisColour[q];
    }
    const shade = lidShade(eye.shade, t - ut - 2 * px);
    for (let q = 0; q < 3; q++) out[q] = shade * (sclera ? (wi > 0 ? sclera[q] + wi * (c[q] - sclera[q]) : sclera[q]) : c[q]);
    return true;
  };
}

/**
 * Tries the points of `iris` at the radius of offset (ds, dt) from its centre (kept a pixel and a half inside its
 * rim), the nearest angles first, until `lend` takes one.
 */
function roundTheIris(iris: { s: number; t: number; r: number }, ds: number, dt: number, px: number, lend: (s: number, t: number) => boolean): boolean {
  const rho = Math.min(Math.hypot(ds, dt), iris.r - 1.5 * px);
  const th = Math.atan2(dt, ds);
  const dth = px / Math.max(rho, px);
  for (let d = dth; d < Math.PI; d += dth) for (const a of [th + d, th - d]) if (lend(iris.s + rho * Math.cos(a), iris.t + rho * Math.sin(a))) return true;
  return false;
}

/** `d` folded back and forth into [0, w] (0 where there is no room). */
function reflect(d: number, w: number): number {
  if (!(w > 0)) return 0;
  const p = d % (2 * w);
  return p <= w ? p : 2 * w - p;
}
