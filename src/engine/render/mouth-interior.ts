/**
 * The inside of an open mouth at the photo's own resolution, taken from a photo that shows one.
 *
 * The refiner paints a mouth interior on its 128 px aligned crop; on a face 600 px wide that is upscaled about 5x:
 * soft teeth with no edges. When a photo of an open mouth is at hand (the reference photo the user picked, or the
 * source photo itself when its mouth is already open), its interior is carried into the target's opening instead,
 * sampled from that photo's full-resolution pixels.
 *
 * The mapping moves teeth the way a mouth does. In a frame along the inner mouth corners (u: 0 at one corner, 1 at
 * the other; v: across, toward the lower lip), a target pixel in the upper half of the opening keeps its distance
 * below the upper inner lip (the upper teeth stay with the upper lip), one in the lower half its distance above the
 * lower lip (the lower teeth go with the lower lip and jaw). Where the target opening is taller than the source's,
 * the rows between are the source's middle row drawn out (the dark gap between the teeth); where it is shorter, the
 * middle of the source is cut out. Nothing is stretched vertically, so teeth keep their shape.
 *
 * Colour and light: teeth from another photo are scaled per channel by the ratio of the two photos' white points
 * (whitePoint), so they take this photo's white balance; nothing is matched to the lips or skin, whose colour is the
 * person's, not the light's (matching lips turned one person's teeth green under another's darker lips). A thin
 * feather at the inner lip line blends the two.
 */
import { interOcular } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3, RGBAImage } from '../types';
import { smoothstep } from './mouth-mask';
import { sampleCubicInto } from './interpolate';
import { insidePolygon, ringBox, type Rect } from './warp';

/** A photo showing an open mouth, and its landmarks (468 points, that photo's pixels). */
export interface InteriorSource {
  readonly image: RGBAImage;
  readonly points: readonly Point3[];
  /** The white point of the photo `image` was cut from (whitePoint), when `image` is only a crop of it. */
  readonly whitePoint?: readonly [number, number, number];
  /**
   * Share (0..1) of the upper teeth the upper lip covers in the target: 0 shows them from the lip down as in the
   * source (a smile's retracted lip); 0.5 shows their lower half (the rounded upper lip of an "O"). On the photo's
   * own teeth it grows from 0 as the mouth opens past its own opening to the full share at CAVITY.taller times it.
   */
  readonly upperHidden?: number;
  /**
   * No teeth in an opening closed to half the source's or less, whatever its height: the lips' dark seam fills it
   * (a neutral face).
   */
  readonly noTeeth?: boolean;
}

/** Openings (tallest inner-lip gap, in IOD) below `closed` count as closed (a seam, no teeth); teeth in full from `open` on. */
export const INTERIOR_OPENING = { closed: 0.03, open: 0.07 } as const;
/** A closed mouth's seam, as a fraction of the lips' mean colour (where the lips meet, they are in shadow). */
export const SEAM = 0.55;
/** Where the closed lips' lines lie closer than this (target pixels), the seam is a hairline this wide between them. */
export const SEAM_PX = 1;
/** Per-channel white-balance gains between two photos are kept within this range. */
const GAIN_RANGE = [0.8, 1.25] as const;
/**
 * The inside of a mouth opened taller than the photo it comes from: `shade` of the lips' colour under the upper teeth
 * (the dark of the mouth), up to (1 + `tongue`) times that by the lower lip, reached `ramp` IOD (source) past the
 * teeth's edges; as the opening grows 1-1.4 times taller than the source's, the last `corner` of the width at each end
 * shades into it too.
 */
export const CAVITY = { shade: 0.25, ramp: 0.025, tongue: 0.8, corner: 0.12, taller: 1.6 } as const;
/** Feather at the inner lip line, as a fraction of the target's IOD (at least 1 px). */
const FEATHER_IOD = 0.012;

const ring = LANDMARK_SETS.innerMouthRing;
const [CORNER_A, CORNER_B] = LANDMARK_SETS.mouthCorners.inner;
/** The ring runs from corner A over the upper contour to corner B, then back under the lower one. */
const UPPER = ring.slice(0, ring.indexOf(CORNER_B) + 1);
const LOWER = [...ring.slice(ring.indexOf(CORNER_B)), CORNER_A];

type Curve = { u: Float64Array; v: Float64Array };

interface MouthFrame {
  ox: number;
  oy: number;
  /** unit vector from corner A to corner B */
  ax: number;
  ay: number;
  /** corner distance, pixels */
  len: number;
  upper: Curve;
  lower: Curve;
  iod: number;
}

type FrameAxis = Pick<MouthFrame, 'ox' | 'oy' | 'ax' | 'ay' | 'len'>;

/** Where image point (x, y) lies along frame `f`: 0 at corner A, 1 at corner B. */
export function frameU(f: FrameAxis, x: number, y: number): number {
  return ((x - f.ox) * f.ax + (y - f.oy) * f.ay) / f.len;
}

/** Where image point (x, y) lies across frame `f`: pixels from the corners' line, positive toward the chin. */
export function frameV(f: FrameAxis, x: number, y: number): number {
  return -(x - f.ox) * f.ay + (y - f.oy) * f.ax;
}

function curve(frame: FrameAxis, points: readonly Point3[], idx: readonly number[]): Curve {
  const uv = idx.map((i) => [frameU(frame, points[i][0], points[i][1]), frameV(frame, points[i][0], points[i][1])] as const);
  uv.sort((p, q) => p[0] - q[0]);
  return { u: Float64Array.from(uv, (p) => p[0]), v: Float64Array.from(uv, (p) => p[1]) };
}

/** Piecewise-linear v(u), constant beyond the ends. */
export function curveAt(c: Curve, u: number): number {
  const n = c.u.length;
  if (u <= c.u[0]) return c.v[0];
  if (u >= c.u[n - 1]) return c.v[n - 1];
  let k = 1;
  while (c.u[k] < u) k++;
  const t = (u - c.u[k - 1]) / Math.max(c.u[k] - c.u[k - 1], 1e-9);
  return c.v[k - 1] + t * (c.v[k] - c.v[k - 1]);
}

export function mouthFrame(points: readonly Point3[]): MouthFrame {
  const a = points[CORNER_A];
  const b = points[CORNER_B];
  const len = Math.max(Math.hypot(b[0] - a[0], b[1] - a[1]), 1e-6);
  const base = { ox: a[0], oy: a[1], ax: (b[0] - a[0]) / len, ay: (b[1] - a[1]) / len, len };
  // v grows toward the lower lip: the frame's second axis is the first turned +90° in image coordinates (y down)
  return { ...base, upper: curve(base, points, UPPER), lower: curve(base, points, LOWER), iod: interOcular(points) };
}

/** Samples `img` bicubically at (u, v) of frame `f` (u in corner distances, v in pixels) into `out` (RGBA). */
function sampleInFrame(img: RGBAImage, f: MouthFrame, u: number, v: number, out: Float32Array): Float32Array {
  const uu = u * f.len;
  sampleCubicInto(img.data, img.height, img.width, 4, f.ox + uu * f.ax - v * f.ay, f.oy + uu * f.ay + v * f.ax, out, 0);
  return out;
}

/** Median of each value and its two neighbours on each side (fewer at the ends). */
function median5(raw: Float64Array): Float64Array {
  return raw.map((_, k) => {
    const w = Array.from(raw.subarray(Math.max(0, k - 2), Math.min(raw.length, k + 3))).sort((a, b) => a - b);
    return w[w.length >> 1];
  });
}

/** `source` shows an open mouth: transferInterior paints every target opening from it (teeth, or a closed seam). */
export function carriesInterior(source: InteriorSource): boolean {
  return mouthOpening(source.points) >= INTERIOR_OPENING.closed;
}

/** The tallest gap between the inner lips, in IOD. */
export function mouthOpening(points: readonly Point3[]): number {
  return openingOf(mouthFrame(points));
}

/** The tallest gap between the inner lips of frame `f`, in IOD. */
function openingOf(f: MouthFrame): number {
  let h = 0;
  for (let k = 1; k < 20; k++) h = Math.max(h, curveAt(f.lower, k / 20) - curveAt(f.upper, k / 20));
  return h / f.iod;
}

/** The whole pixels covering the box of a ring of `points`. */
function bounds(points: readonly Point3[], idx: readonly number[]) {
  const b = ringBox(points, idx);
  return { x0: Math.floor(b.x0), y0: Math.floor(b.y0), x1: Math.ceil(b.x1), y1: Math.ceil(b.y1) };
}

/**
 * Calls `visit(x, y, k)` for every pixel of box `b` (bounds) that lies in `roi`, k being its RGBA offset in the
 * roi's values; returns how many calls returned true (the pixels written).
 */
function eachPixel(roi: Rect, b: ReturnType<typeof bounds>, visit: (x: number, y: number, k: number) => boolean): number {
  let written = 0;
  for (let y = Math.max(b.y0, roi.y); y <= Math.min(b.y1, roi.y + roi.height - 1); y++) {
    for (let x = Math.max(b.x0, roi.x); x <= Math.min(b.x1, roi.x + roi.width - 1); x++) {
      if (visit(x, y, ((y - roi.y) * roi.width + (x - roi.x)) * 4)) written++;
    }
  }
  return written;
}

/**
 * Median RGB (0..255, per channel) of the lips (inside the outer lip ring, outside the inner mouth ring) in `values`
 * over `roi`. The median, not the mean: on a smile the mesh's inner lip contour often lies a little inside the
 * teeth, so the lips' ring holds some bright tooth pixels.
 */
function lipColour(values: Float32Array, roi: Rect, points: readonly Point3[]): number[] | null {
  const b = bounds(points, LANDMARK_SETS.outerLipRing);
  const [ox, oy] = [0, 1].map((k) => LANDMARK_SETS.outerLipRing.map((i) => points[i][k]));
  const [ix, iy] = [0, 1].map((k) => ring.map((i) => points[i][k]));
  const ch: number[][] = [[], [], []];
  eachPixel(roi, b, (x, y, k) => {
    if (!insidePolygon(ox, oy, x, y) || insidePolygon(ix, iy, x, y)) return false;
    for (let c = 0; c < 3; c++) ch[c].push(values[k + c]);
    return true;
  });
  if (ch[0].length <= 8) return null;
  return ch.map((v) => v.sort((p, q) => p - q)[v.length >> 1]);
}

const whitePoints = new WeakMap<RGBAImage, [number, number, number]>();

/**
 * The photo's white point: per channel, the 98th percentile of every 4th pixel ("white patch": the brightest
 * surfaces of a photo are close to white, so their colour is the light's). Cached per image.
 */
export function whitePoint(img: RGBAImage): [number, number, number] {
  const cached = whitePoints.get(img);
  if (cached) return cached;
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  for (let k = 0; k < img.data.length; k += 16) {
    for (let c = 0; c < 3; c++) hist[c][img.data[k + c]]++;
    n++;
  }
  const wp = hist.map((h) => {
    let acc = 0;
    for (let v = 255; v >= 0; v--) {
      acc += h[v];
      if (acc >= 0.02 * n) return Math.max(v, 1);
    }
    return 1;
  }) as [number, number, number];
  whitePoints.set(img, wp);
  return wp;
}

/**
 * Writes the interior of `source`'s open mouth into the target's opening in `values` (float RGBA 0..255 of the
 * region `roi` of the edited photo, target landmarks `target` in photo pixels), in place. Returns the number of
 * pixels written (0 when either mouth is closed).
 */
export function transferInterior(
  values: Float32Array,
  roi: Rect,
  target: readonly Point3[],
  here: RGBAImage,
  source: InteriorSource,
  own?: readonly Point3[],
): number {
  const ft = mouthFrame(target);
  const fs = mouthFrame(source.points);
  const openS = openingOf(fs);
  const openT = openingOf(ft);
  if (!carriesInterior(source)) return 0;
  const covered = own ? coverLips(values, roi, target, ft, here, own) : 0;
  // another photo's interior goes only where the mouth opens past its own opening (at intensity 0 nothing changes)
  const opens = source.image !== here && own ? smoothstep(0.005, 0.02, openT - mouthOpening(own)) : 1;
  if (!(openT > 0) || !(opens > 0)) return covered;
  // Teeth in full from `open` (or from 80 % of the source's own opening, so a slightly parted source shows what it
  // shows); toward a closed target the lips meet over them: the seam (SEAM of the lips' colour) takes their place.
  const full = Math.max(Math.min(INTERIOR_OPENING.open, 0.8 * openS), INTERIOR_OPENING.closed + 0.005);
  // (noTeeth: the teeth fade out as the opening closes from 90 % to 50 % of the source's, so intensity 0 keeps them)
  const keep = source.noTeeth ? smoothstep(0.5, 0.9, openT / Math.max(openS, 1e-6)) : 1;
  const teeth = keep * smoothstep(INTERIOR_OPENING.closed, full, openT);
  const lips = teeth < 1 ? lipColour(values, roi, target) : null;
  const seam = lips ? lips.map((v) => v * SEAM) : null;

  const src = source.image;
  const gain = [1, 1, 1];
  if (src !== here) {
    const a = whitePoint(here);
    const b = source.whitePoint ?? whitePoint(src);
    for (let c = 0; c < 3; c++) gain[c] = Math.min(Math.max(a[c] / b[c], GAIN_RANGE[0]), GAIN_RANGE[1]);
  }

  const splits = teethSplit(source);
  const hideFull = Math.min(Math.max(source.upperHidden ?? 0, 0), 0.9);
  // over the photo's own teeth the upper lip comes down only as the mouth opens past its own opening (intensity 0
  // is the photo); another photo's teeth are drawn only there anyway
  const ratio = openT / Math.max(openS, 1e-6);
  const lipDown = src === here ? smoothstep(1, CAVITY.taller, ratio) : 1;
  const hide = hideFull * lipDown;
  // shaded corners: for a mouth opened taller than its source, and for an "O" (upper lip over the teeth)
  const taller = hideFull > 0 ? lipDown : smoothstep(1, 1.4, ratio);
  let dark: number[] | null = null;
  const cavity = () => {
    dark ??= (lips ?? lipColour(values, roi, target) ?? [110, 70, 70]).map((v) => v * CAVITY.shade);
    return dark;
  };
  const scale = fs.iod / ft.iod; // source pixels per target pixel across the mouth
  const feather = 1 + teeth * Math.max(0, FEATHER_IOD * ft.iod - 1); // a seam is a sharp line
  const b = bounds(target, ring);
  const rgb = new Float32Array(4);
  const written = eachPixel(roi, b, (x, y, k) => {
    const u = frameU(ft, x, y);
    if (!(u > 0 && u < 1)) return false;
    const v = frameV(ft, x, y);
    const up = curveAt(ft.upper, u);
    const lo = curveAt(ft.lower, u);
    const dUp = v - up;
    const dLo = lo - v;
    const hT = lo - up;
    if (seam && teeth === 0 && hT < SEAM_PX) {
      // lips closed on a small face: the lines lie under a pixel apart, and filling between them drew the seam only
      // where a pixel centre fell between them (a notch on the sample portrait); a hairline SEAM_PX wide instead,
      // centred between them, antialiased, to a point at the corners
      const cover = Math.min(1, Math.max(0, SEAM_PX / 2 + 0.5 - Math.abs(v - (up + lo) / 2)), u * ft.len, (1 - u) * ft.len);
      if (!(cover > 0)) return false;
      for (let c = 0; c < 3; c++) values[k + c] += opens * cover * (seam[c] - values[k + c]);
      return true;
    }
    if (!(dUp > 0 && dLo > 0)) return false;
    let upS = curveAt(fs.upper, u);
    const loS = curveAt(fs.lower, u);
    let hS = Math.max(loS - upS, 0);
    // the upper teeth down to the split (the darkest row between the teeth), the lower teeth up from the lower lip
    let split = Math.min(Math.max(curveAt(splits, u), 0), hS);
    // the covered top of the upper teeth is skipped: the target's upper region starts that far down the source
    const hidden = hide * split;
    upS += hidden;
    hS -= hidden;
    split -= hidden;
    let vS: number;
    let cav = 0;
    let depth = 0;
    if (hT * scale >= hS) {
      // a taller opening: both sets of teeth keep their size, the mouth's dark inside opens between them (an "O"
      // covers the lower teeth as much as the upper ones)
      const lower = (hS - split) * (1 - hide);
      if (dUp * scale <= split) vS = upS + dUp * scale;
      else if (dLo * scale <= lower) vS = loS - dLo * scale;
      else {
        vS = upS + split;
        // a little taller shows the source's own darkest row drawn out; much taller, the mouth's dark inside (a thin
        // band of it across the teeth reads as a crack)
        cav =
          smoothstep(0, CAVITY.ramp * fs.iod, Math.min(dUp * scale - split, dLo * scale - lower)) *
          smoothstep(1, CAVITY.taller, (hT * scale) / Math.max(hS, 1e-6));
      }
    } else vS = dUp <= (hT * split) / Math.max(hS, 1e-6) ? upS + dUp * scale : loS - dLo * scale; // a lower one: cut at the split
    // the corners of an opened mouth are in shade (the source's corners, drawn into a taller opening, streak)
    cav = Math.max(cav, smoothstep(CAVITY.corner, 0, Math.min(u, 1 - u)) * taller);
    // lighter toward the lower lip (the tongue), darkest under the upper teeth
    if (cav > 0) depth = Math.min(Math.max(dUp / Math.max(hT, 1e-6), 0), 1);
    // bicubic: teeth land at sub-pixel offsets, where bilinear sampling softened them by a fifth (London own-smile
    // edits: sharpness 0.83 of the real photo's with bilinear)
    sampleInFrame(src, fs, u, vS, rgb);
    const edge = Math.min(dUp, dLo, u * ft.len, (1 - u) * ft.len);
    const w = opens * Math.min(edge / feather, 1);
    for (let c = 0; c < 3; c++) {
      let carried = Math.min(Math.max(rgb[c] * gain[c], 0), 255);
      if (cav > 0) carried += cav * (cavity()[c] * (1 + CAVITY.tongue * depth) - carried);
      const want = seam ? seam[c] + teeth * (carried - seam[c]) : carried;
      values[k + c] += w * (want - values[k + c]);
    }
    return true;
  });
  return written + covered;
}

const [OUTER_A, OUTER_B] = LANDMARK_SETS.mouthCorners.outer;
const outerRing = LANDMARK_SETS.outerLipRing;
/** outerLipRing runs from corner A under the lower lip to corner B, then back over the upper one. */
const OUTER_LOWER = outerRing.slice(0, outerRing.indexOf(OUTER_B) + 1);
const OUTER_UPPER = [...outerRing.slice(outerRing.indexOf(OUTER_B)), OUTER_A];

/** The lips' outer contours in `f`'s frame. */
function outerCurves(f: MouthFrame, points: readonly Point3[]): { upper: Curve; lower: Curve } {
  return { upper: curve(f, points, OUTER_UPPER), lower: curve(f, points, OUTER_LOWER) };
}

/**
 * Lips drawn from the photo's own lips where the target closes over teeth: out to `full` of each lip's thickness,
 * fading out by `fade`; drawn from the own lip past its innermost `skip` (where shaded teeth and lip look alike),
 * `skip + cornerSkip` at the corners.
 */
export const LIP_COVER = { full: 0.6, fade: 1, skip: 0.2, cornerSkip: 0.25 } as const;

/**
 * Where the target's opening is lower than the photo's own (`own`: this photo's landmarks), the lips close over
 * teeth. The warp interpolates its motion over a grid of nodes several pixels apart (about 10 px on a 1350 px
 * portrait), and the mesh's inner lip line lies a few pixels inside the teeth, so just above a lip line that moves
 * down over the teeth it fetches a strip of them. Here each lip of the target is drawn from the photo's own lip
 * instead, across its thickness, in the mouth frame: a target pixel a fraction t of the way from its inner lip line
 * to its outer contour comes from the same fraction of the way from the own lip's real edge (lipEdges) to its outer
 * contour, at the same u. Full up to LIP_COVER.full of the thickness, fading into the warp by the outer contour,
 * and toward the corners. Returns the number of pixels written.
 */
function coverLips(values: Float32Array, roi: Rect, target: readonly Point3[], ft: MouthFrame, here: RGBAImage, own: readonly Point3[]): number {
  const fo = lipEdges(here, own);
  if (!fo) return 0;
  // how far the mouth closes is measured between the mesh's lines (fo's lie on the lips' real edges, further apart)
  const fm = mouthFrame(own);
  const scale = fo.iod / ft.iod;
  const outT = outerCurves(ft, target);
  const outO = outerCurves(fo, own);
  const b = bounds(target, outerRing);
  const cornerU = (f: MouthFrame, points: readonly Point3[]) => [OUTER_A, OUTER_B].map((i) => frameU(f, points[i][0], points[i][1]));
  const cornerT = cornerU(ft, target);
  const cornerO = cornerU(fo, own);
  if (!(cornerT[0] < 0 && cornerT[1] > 1 && cornerO[0] < 0 && cornerO[1] > 1)) return 0;
  const rgb = new Float32Array(4);
  return eachPixel(roi, b, (x, y, k) => {
    const u = frameU(ft, x, y);
    // past the inner corners, out to the outer ones: there the inner lines meet at the corner, and the own u is
    // the same fraction of the way from its inner corner to its outer one
    const s = u < 0 ? u / cornerT[0] : u > 1 ? (u - 1) / (cornerT[1] - 1) : 0;
    if (!(s < 1)) return false;
    const uO = u < 0 ? s * cornerO[0] : u > 1 ? 1 + s * (cornerO[1] - 1) : u;
    const v = frameV(ft, x, y);
    const up = curveAt(ft.upper, u);
    const lo = curveAt(ft.lower, u);
    // inside the opening (a seam, or teeth, drawn over this by transferInterior) the lips' edges: under the seam's
    // feathered rim lies lip, not the teeth the warp brought
    const upper = v <= (up + lo) / 2;
    const thick = upper ? up - curveAt(outT.upper, u) : curveAt(outT.lower, u) - lo;
    if (!(thick > 1)) return false;
    const t = Math.max(0, (upper ? up - v : v - lo) / thick);
    if (t >= LIP_COVER.fade) return false;
    // how much more the photo's own mouth is open than the target's, in target pixels (near the corners: as at
    // 15 % of the way in, since the inner lines meet at the corners however much teeth show there)
    const uc = Math.min(Math.max(u, 0.15), 0.85);
    const closing = (curveAt(fm.lower, uc) - curveAt(fm.upper, uc)) / scale - (curveAt(ft.lower, uc) - curveAt(ft.upper, uc));
    const w = smoothstep(0, 2, closing) * smoothstep(LIP_COVER.fade, LIP_COVER.full, t) * smoothstep(1, 0.5, s);
    if (!(w > 0)) return false;
    const upO = curveAt(fo.upper, uO);
    const loO = curveAt(fo.lower, uO);
    // toward the corners the teeth reach further past the mesh's line (the buccal corridor's shade): skip more
    const skip = LIP_COVER.skip + LIP_COVER.cornerSkip * smoothstep(0.25, 0, Math.min(uO, 1 - uO));
    const edge = upper ? upO : loO;
    const span = upper ? curveAt(outO.upper, uO) - upO : curveAt(outO.lower, uO) - loO;
    sampleInFrame(here, fo, uO, edge + (skip + t * (1 - skip)) * span, rgb);
    for (let c = 0; c < 3; c++) values[k + c] += w * (Math.min(Math.max(rgb[c], 0), 255) - values[k + c]);
    return true;
  });
}

/** How far past the mesh's inner lip line lipEdges looks for the lips' real edge, in IOD. */
const EDGE_SEARCH = 0.06;
/** A found lip edge is moved this much further out (IOD, at least 1.5 px): the pixels where lip blends into tooth. */
const EDGE_MARGIN = 0.01;
/** Teeth show between the lips when the bright half of what lies between is this much brighter than the lips (luma, 0..255). */
const TEETH_OVER_LIPS = 25;
const edgeCache = new WeakMap<readonly Point3[], MouthFrame | null>();
const teethCache = new WeakMap<readonly Point3[], boolean>();

/** Teeth show between the lips of `source` (the bright half of the inside is TEETH_OVER_LIPS brighter than the lips). */
export function showsTeeth(source: InteriorSource): boolean {
  if (!teethCache.has(source.points)) lipEdges(source.image, source.points);
  return teethCache.get(source.points) ?? false;
}

/**
 * The mouth frame of `points` on `img` with its inner lip curves moved to where the lips really end. On a toothy
 * smile the face mesh puts its inner lip line a few pixels inside the teeth (London fixtures: 2-5 px on a 1350 px
 * photo); lips drawn from there carry a strip of teeth. Along 40 columns of the frame, each curve is walked outward
 * from the mesh's line while the pixel looks like the mouth's inside (nearer in colour to the bright half of the
 * inside than to the lips' median), then median-filtered across 5 columns. Curves only ever move outward. When no
 * teeth show (the bright half of the inside is not TEETH_OVER_LIPS brighter than the lips: parted lips, a dark gap)
 * the mesh's lines stand (walking there moved them onto the lips). Null when the mouth is too closed to tell.
 */
export function lipEdges(img: RGBAImage, points: readonly Point3[]): MouthFrame | null {
  const cached = edgeCache.get(points);
  if (cached !== undefined) return cached;
  const f = mouthFrame(points);
  const px = (u: number, v: number, out: Float32Array) => sampleInFrame(img, f, u, v, out);
  // reference colours, in a space where chroma counts twice: the lips (between the lines, just outside them) and
  // the bright half of what lies between the inner lines
  const ycc = (c: ArrayLike<number>): [number, number, number] => {
    const y = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    return [y, 2 * (c[2] - y), 2 * (c[0] - y)];
  };
  const inside: [number, number, number][] = [];
  const lips: [number, number, number][] = [];
  const t = new Float32Array(4);
  const lipDepth = 0.04 * f.iod;
  for (let k = 1; k < 40; k++) {
    const u = k / 40;
    const up = curveAt(f.upper, u);
    const lo = curveAt(f.lower, u);
    for (let v = up + 1; v < lo - 1; v += 1) inside.push(ycc(px(u, v, t)));
    for (let d = 0.5 * lipDepth; d <= lipDepth; d += 1) {
      lips.push(ycc(px(u, up - d, t)));
      lips.push(ycc(px(u, lo + d, t)));
    }
  }
  if (inside.length < 20 || lips.length < 20) {
    edgeCache.set(points, null);
    return null;
  }
  const median = (xs: [number, number, number][]) => [0, 1, 2].map((c) => xs.map((x) => x[c]).sort((a, b) => a - b)[xs.length >> 1]);
  inside.sort((a, b) => b[0] - a[0]);
  const mouth = median(inside.slice(0, Math.max(1, inside.length >> 1)));
  const lip = median(lips);
  teethCache.set(points, mouth[0] > lip[0] + TEETH_OVER_LIPS);
  if (!(mouth[0] > lip[0] + TEETH_OVER_LIPS)) {
    // no teeth between the lips (parted lips, a dark gap): the mesh's lines stand
    edgeCache.set(points, f);
    return f;
  }
  const d2 = (a: readonly number[], b: readonly number[]) => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
  const inMouth = (u: number, v: number) => {
    const c = ycc(px(u, v, t));
    return d2(c, mouth) < d2(c, lip);
  };
  const reach = EDGE_SEARCH * f.iod;
  const margin = Math.max(1.5, EDGE_MARGIN * f.iod);
  const walk = (c: Curve, dir: -1 | 1): Curve => {
    const n = 40;
    const us = new Float64Array(n - 1);
    const raw = new Float64Array(n - 1);
    for (let k = 1; k < n; k++) {
      const u = k / n;
      const v0 = curveAt(c, u);
      let edge = v0;
      // start a pixel inside the line; step outward while the pixel still looks like the inside
      for (let s = -1; s <= reach; s++) {
        if (!inMouth(u, v0 + dir * s)) break;
        edge = v0 + dir * (s + 1);
      }
      us[k - 1] = u;
      // past the last pixel that looks like the inside lie a pixel or two of blend (and the cubic's reach)
      if (edge !== v0) edge += dir * margin;
      raw[k - 1] = dir < 0 ? Math.min(edge, v0) : Math.max(edge, v0);
    }
    const vs = median5(raw).map((m, k) => (dir < 0 ? Math.min(m, curveAt(c, us[k])) : Math.max(m, curveAt(c, us[k]))));
    return { u: us, v: vs };
  };
  const edges = { ...f, upper: walk(f.upper, -1), lower: walk(f.lower, 1) };
  edgeCache.set(points, edges);
  return edges;
}

const splitCache = new WeakMap<readonly Point3[], Curve>();

/**
 * Where the upper teeth end in `source`'s open mouth: per column of the mouth frame (40), the darkest row between
 * 30 % and 85 % of the opening's height (luma, smoothed over 3 rows and 3 columns; the gap between upper and lower
 * teeth, or the shade over the lower lip), to a sub-pixel by a parabola, median-filtered across 5 columns and
 * averaged across 7; v = distance below the upper inner lip, source pixels. Openings under 4 px split in the middle.
 */
export function teethSplit(source: InteriorSource): Curve {
  const cached = splitCache.get(source.points);
  if (cached) return cached;
  const f = mouthFrame(source.points);
  const img = source.image;
  const t = new Float32Array(4);
  const luma = (u: number, v: number) => {
    sampleInFrame(img, f, u, v, t);
    return 0.299 * t[0] + 0.587 * t[1] + 0.114 * t[2];
  };
  const n = 40;
  const us = new Float64Array(n - 1);
  const raw = new Float64Array(n - 1);
  for (let k = 1; k < n; k++) {
    const u = k / n;
    const up = curveAt(f.upper, u);
    const h = curveAt(f.lower, u) - up;
    us[k - 1] = u;
    raw[k - 1] = h / 2;
    if (!(h >= 4)) continue;
    const rows = Math.floor(h);
    const prof = new Float64Array(rows + 1);
    for (let j = 0; j <= rows; j++) prof[j] = (luma(u - 0.5 / n, up + j) + luma(u, up + j) + luma(u + 0.5 / n, up + j)) / 3;
    let best = Infinity;
    const sum = (j: number) => prof[Math.max(j - 1, 0)] + prof[j] + prof[Math.min(j + 1, rows)];
    for (let j = Math.max(1, Math.ceil(0.3 * h)); j <= Math.min(rows - 1, Math.floor(0.85 * h)); j++) {
      const l = sum(j);
      if (l < best) {
        best = l;
        raw[k - 1] = j;
      }
    }
    // sub-pixel: the vertex of the parabola through the darkest row and its neighbours
    const j = raw[k - 1];
    if (Number.isInteger(j) && j >= 1 && j < rows) {
      const a = sum(j - 1);
      const c = sum(j + 1);
      const den = a - 2 * best + c;
      if (den > 0) raw[k - 1] = j + Math.min(Math.max((0.5 * (a - c)) / den, -0.5), 0.5);
    }
  }
  // median (a tooth's dark edge in one column is not the split), then a 7-column triangular mean: the split is a
  // smooth line; whole-pixel steps from column to column drew the mouth's dark inside as a staircase across the teeth
  const med = median5(raw);
  const smooth = new Float64Array(med.length);
  for (let k = 0; k < med.length; k++) {
    let s = 0;
    let w = 0;
    for (let d = -3; d <= 3; d++) {
      const i = k + d;
      if (i < 0 || i >= med.length) continue;
      const wt = 4 - Math.abs(d);
      s += wt * med[i];
      w += wt;
    }
    smooth[k] = s / w;
  }
  const out = { u: us, v: smooth };
  splitCache.set(source.points, out);
  return out;
}
