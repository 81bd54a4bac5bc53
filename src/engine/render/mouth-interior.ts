/**
 * The inside of an open mouth at the photo's own resolution, taken from a photo that shows one.
 *
 * The refiner paints a mouth's inside on its 128 px crop (soft teeth with no edges on a large face). When a photo of an
 * open mouth is at hand (the reference's, a stock mouth, the photo's own), its inside is carried into the target's
 * opening instead, from that photo's full-resolution pixels (softened when scaled down: mouth-sharpness.ts).
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
 * person's, not the light's (matched to the lips, one person's teeth would take on another's lip colour). A thin
 * feather at the inner lip line blends the two.
 *
 * Which photo's mouth an edit carries (the reference's, the stock mouth's, the photo's own) is decided here: `interiorFor`.
 */
import type { PresetName } from '../expression/target';
import { interOcular } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3, RGBAImage } from '../types';
import {
  bounds,
  curveAt,
  eachPixel,
  frameU,
  frameV,
  type MouthFrame,
  mouthFrame,
  mouthOpening,
  OUTER_A,
  OUTER_B,
  openingOf,
  outerCurves,
  sampleInFrame,
} from './mouth-frame';
import { smoothstep } from './mouth-mask';
import { DOWNSCALED, matchSharpness } from './mouth-sharpness';
import { acrossCos, type CavityPaint, cavityAt, SMILE_TONGUE } from './mouth-cavity';
import { grainOf, lipColour, lipEdges, type MouthPhoto, scleraWhite, showsTeeth, teethSplit, whitePoint } from './mouth-photo';
import type { Rect } from './warp';

/** A photo showing an open mouth, and its landmarks (468 points, that photo's pixels). */
export interface InteriorSource extends MouthPhoto {
  /** The white point of the photo `image` was cut from (whitePoint), when `image` is only a crop of it. */
  readonly whitePoint?: readonly [number, number, number];
  /** The white of the eyes of the face the mouth is from (scleraWhite), when `image` is only a crop of its photo. */
  readonly sclera?: readonly [number, number, number];
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
  /** Drawn mirrored left to right (a stock mouth turned toward the face's light: stock-mouths.ts pickStock). */
  readonly mirrored?: boolean;
}

/** Openings (tallest inner-lip gap, in IOD) below `closed` count as closed (a seam, no teeth); teeth in full from `open` on. */
const INTERIOR_OPENING = { closed: 0.03, open: 0.07 } as const;
/** A closed mouth's seam, as a fraction of the lips' mean colour (where the lips meet, they are in shadow). */
const SEAM = 0.55;
/** Where the closed lips' lines lie closer than this (target pixels), the seam is a hairline this wide between them. */
const SEAM_PX = 1;
/** Per-channel white-balance gains between two photos are kept within this range. */
const GAIN_RANGE = [0.8, 1.25] as const;
/**
 * The exposure gain from the whites of the two faces' eyes is kept within this range: teeth are dimmed for a face in
 * less light than theirs, never brightened (bright teeth would clip to a flat white).
 */
const EXPOSURE_RANGE = [0.55, 1] as const;
/**
 * The inside of a mouth opened taller than the photo it comes from (mouth-cavity.ts: depth, tongue, grain), reached
 * `ramp` IOD past the teeth's edges (`smileRamp` in a smile: its lighter inside, SMILE_TONGUE, needs no wide ramp
 * drawing the darkest row along the teeth), in full at `taller` times the source's; 1-1.4 times, `corner` too.
 */
const CAVITY = { ramp: 0.025, smileRamp: 0.008, corner: 0.12, taller: 1.6 } as const;
/**
 * Teeth under an upper lip that covers them (upperHidden, at `hidden` or more): the lip's shade on them, times
 * `lip` at the lip line rising to `edge` at their edges; the lower teeth go behind the lower lip as the share hidden
 * grows from `lower[0]` to `lower[1]` (an "O" shows the tongue over them, not a rim of teeth); from `sides[0]` of the
 * length from a corner to `sides[1]`, the lip covers the upper ones all. In the shade, the light takes `warm` of the
 * lips' hue.
 */
const SHADED_TEETH = { hidden: 0.5, lip: 0.4, edge: 0.7, lower: [0.4, 0.7], sides: [0.3, 0.12], warm: 0.6 } as const;
/** Feather at the inner lip line, as a fraction of the target's IOD (at least 1 px). */
const FEATHER_IOD = 0.012;

const ring = LANDMARK_SETS.innerMouthRing;
const outerRing = LANDMARK_SETS.outerLipRing;

/** `source` shows an open mouth: transferInterior paints every target opening from it (teeth, or a closed seam). */
export function carriesInterior(source: MouthPhoto): boolean {
  return mouthOpening(source.points) >= INTERIOR_OPENING.closed;
}

/** A preset keeps the photo's own teeth when its mouth is open at least this share of the preset's opening at 1. */
const OWN_TEETH_SHARE = 0.6;
/**
 * How much of the upper teeth (the stock mouth's, or the photo's own) each preset's upper lip covers: the "O" of
 * surprise or fear shows only their edges over the mouth's dark inside (more teeth make it read as a smile).
 */
const UPPER_HIDDEN: Partial<Record<PresetName, number>> = { surprise: 0.5, fear: 0.7, sadness: 0.5 };

/** What an edit asks of the mouth, in this stage's terms (the editor maps its Reference onto it: edit/reference.ts). */
export interface MouthEdit {
  /** The edited photo and the face's landmarks in it. */
  readonly own: MouthPhoto | undefined;
  /** Whose expression: the face's own neutral, a preset, or a face in another photo (`photo`: that photo and face). */
  readonly reference: 'neutral' | { readonly preset: PresetName } | { readonly photo: MouthPhoto | undefined };
  /** The edit changes the mouth (it is not limited to regions without it). */
  readonly mouthMoves: boolean;
  /** The stock mouth picked for this face (stock-mouths.ts pickStock; scripts/make-stock-mouth.ts), when shipped. */
  readonly stock: InteriorSource | null;
  /** How far the edit opens the mouth at intensity 1 (mouthOpening of its target there); asked only for a preset. */
  readonly presetOpening: () => number;
}

/** `photo` when its mouth is open (its teeth can be carried), else undefined. */
function openMouth(photo: MouthPhoto | undefined): InteriorSource | undefined {
  return photo && carriesInterior(photo) ? { image: photo.image, points: photo.points } : undefined;
}

/**
 * Where the inside of the edited mouth comes from: the reference photo's open mouth when the reference is a face and
 * the edit changes the mouth; for a preset, when the photo's own mouth shows no teeth, the stock mouth; else the
 * photo's own open mouth (its teeth then move with the lips instead of stretching with the warp, and are covered by
 * the lips as the mouth closes); else none (the refiner paints a mouth that opens from closed lips).
 */
export function interiorFor(edit: MouthEdit): InteriorSource | undefined {
  const { reference, mouthMoves, stock } = edit;
  const fromReference = mouthMoves && typeof reference === 'object' && 'photo' in reference ? openMouth(reference.photo) : undefined;
  if (fromReference) return fromReference;
  const own = openMouth(edit.own);
  // A preset takes the stock mouth's inside unless the photo's own mouth shows teeth and is open at least
  // OWN_TEETH_SHARE as far as the preset opens it at intensity 1: lips parted over a dark gap, or a few teeth in a
  // narrow gap, drawn into a much taller opening give a dark hole or someone's teeth in shadow.
  // Another photo's interior goes only where the mouth opens past its own opening, so the photo's own pixels stay
  // wherever the mouth does not open further.
  const preset = mouthMoves && typeof reference === 'object' && 'preset' in reference && stock ? reference.preset : null;
  const hidden = preset ? (UPPER_HIDDEN[preset] ?? 0) : 0;
  if (preset && stock && !(own && showsTeeth(own) && mouthOpening(own.points) >= OWN_TEETH_SHARE * edit.presetOpening())) {
    return hidden ? { ...stock, upperHidden: hidden } : stock;
  }
  // a neutral face shows no teeth: where N'(x) leaves the lips a little apart (a broad or turned smile), the gap is
  // the lips' dark seam, not the teeth cut to fit it
  if (own && reference === 'neutral') return { ...own, noTeeth: true };
  // an "O" over the photo's own teeth: the upper lip comes down over them as the mouth opens past its own opening
  return own && hidden ? { ...own, upperHidden: hidden } : own;
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
  // (lips close over teeth only where the photo shows some: drawn from a closed mouth's lips they lose their seam)
  const covered = own && showsTeeth({ image: here, points: own }) ? coverLips(values, roi, target, ft, here, own) : 0;
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
  const gain = teethGain(here, source, own);
  const splits = teethSplit(source);
  const hideFull = Math.min(Math.max(source.upperHidden ?? 0, 0), 0.9);
  // over the photo's own teeth the upper lip comes down only as the mouth opens past its own opening (intensity 0
  // is the photo); another photo's teeth are drawn only there anyway
  const ratio = openT / Math.max(openS, 1e-6);
  const lipDown = src === here ? smoothstep(1, CAVITY.taller, ratio) : 1;
  const hide = hideFull * lipDown;
  // the lower teeth go behind the lower lip as the upper lip comes down; the upper lip's shade lies on the upper ones
  const lowerKeep = (1 - hide) * (1 - smoothstep(SHADED_TEETH.lower[0], SHADED_TEETH.lower[1], hide));
  const lipShade = Math.min(hide / SHADED_TEETH.hidden, 1);
  // shaded corners: for a mouth opened taller than its source, and for an "O" (upper lip over the teeth)
  const taller = hideFull > 0 ? lipDown : smoothstep(1, 1.4, ratio);
  let paint: CavityPaint | null = null;
  const cavity = () => {
    paint ??= cavityPaint(values, roi, target, ft, here, own ?? (src === here ? source.points : target), lips, hideFull);
    return paint;
  };
  const scale = fs.iod / ft.iod; // source pixels per target pixel across the mouth
  const feather = 1 + teeth * Math.max(0, FEATHER_IOD * ft.iod - 1); // a seam is a sharp line
  const b = bounds(target, ring);
  const rgb = new Float32Array(4);
  const col = new Float32Array(3);
  const written = eachPixel(roi, b, (x, y, k) => {
    const u = frameU(ft, x, y);
    if (!(u > 0 && u < 1)) return false;
    const v = frameV(ft, x, y);
    const up = curveAt(ft.upper, u);
    const lo = curveAt(ft.lower, u);
    const dUp = v - up;
    const dLo = lo - v;
    const hT = lo - up;
    // lips closed on a small face: a hairline
    if (seam && teeth === 0 && hT < SEAM_PX) return hairline(values, k, seam, opens, Math.min(u, 1 - u) * ft.len, v - (up + lo) / 2);
    if (!(dUp > 0 && dLo > 0)) return false;
    const uS = source.mirrored ? 1 - u : u;
    let upS = curveAt(fs.upper, uS);
    const loS = curveAt(fs.lower, uS);
    let hS = Math.max(loS - upS, 0);
    // the upper teeth down to the split (the darkest row between the teeth), the lower teeth up from the lower lip
    let split = Math.min(Math.max(curveAt(splits, uS), 0), hS);
    // the covered top of the upper teeth is skipped: the target's upper region starts that far down the source
    // (an "O" shows the edges of the middle teeth only: toward the sides, the lip covers them all)
    const hidden = (hide + (1 - hide) * lipShade * smoothstep(SHADED_TEETH.sides[0], SHADED_TEETH.sides[1], Math.min(u, 1 - u))) * split;
    upS += hidden;
    hS -= hidden;
    split -= hidden;
    let vS: number;
    let cav = 0;
    let upper: boolean;
    // how far the upper and lower teeth reach into the target's opening (pixels): the cavity lies between
    let top = 0;
    let bottom = 0;
    if (hT * scale >= hS) {
      // a taller opening: both sets of teeth keep their size, the mouth's dark inside opens between them
      const lower = (hS - split) * lowerKeep;
      top = split / scale;
      bottom = lower / scale;
      upper = dUp * scale <= split;
      if (upper) vS = upS + dUp * scale;
      else if (dLo * scale <= lower) vS = loS - dLo * scale;
      else {
        vS = upS + split;
        // a little taller shows the source's own darkest row drawn out; much taller, the mouth's dark inside (a thin
        // band of it across the teeth reads as a crack); under a lip that hides the teeth (an "O", fear's slit) the
        // row drawn out is a few teeth's tips stretched into streaks: the dark inside from the start
        const drawn = hideFull > 0 ? 1 : smoothstep(1, CAVITY.taller, (hT * scale) / Math.max(hS, 1e-6));
        cav = smoothstep(0, (hideFull > 0 ? CAVITY.ramp : CAVITY.smileRamp) * fs.iod, Math.min(dUp * scale - split, dLo * scale - lower)) * drawn;
      }
    } else {
      // a lower one: cut at the split
      upper = dUp <= (hT * split) / Math.max(hS, 1e-6);
      vS = upper ? upS + dUp * scale : loS - dLo * scale;
    }
    // the corners of an opened mouth are in shade (the source's corners, drawn into a taller opening, streak)
    cav = Math.max(cav, smoothstep(CAVITY.corner, 0, Math.min(u, 1 - u)) * taller);
    if (cav > 0) cavityAt(cavity(), x, y, u, v, top, bottom, col);
    // bicubic: teeth land at sub-pixel offsets, where bilinear sampling would soften their edges
    sampleInFrame(src, fs, uS, vS, rgb);
    // the upper lip's shade on the upper teeth, darkest by the lip, in the mouth's reddish light
    if (upper && lipShade > 0) shadeTooth(rgb, 1 - lipShade * (1 - toothShade(dUp, top)), cavity().lips);
    // the feather across the lip line (the distance across the frame, times the line's slope's cosine)
    const edge = Math.min(dUp * acrossCos(ft, ft.upper, u), dLo * acrossCos(ft, ft.lower, u), u * ft.len, (1 - u) * ft.len);
    const w = opens * Math.min(edge / feather, 1);
    blendPixel(values, k, rgb, gain, cav, col, lips, teeth, lips ? seamShade(v - (up + lo) / 2, hT) : 0, w);
    return true;
  });
  if (written > 0 && scale > DOWNSCALED && !hideFull) matchSharpness(values, roi, target); // scaled down: sharper
  return written + covered;
}

/**
 * Writes one pixel of the opening: the carried pixel `rgb` (times the white-balance `gain`), shaded toward the cavity's
 * colour `col` by `cav`; toward a closed mouth (`teeth` under 1) the lips' colour `lips` darkened by `dark` (the seam,
 * a soft shadow darkest where the lips meet, not a flat dark band) takes its place; blended in by `w`.
 */
function blendPixel(
  values: Float32Array,
  k: number,
  rgb: Float32Array,
  gain: readonly number[],
  cav: number,
  col: Float32Array,
  lips: readonly number[] | null,
  teeth: number,
  dark: number,
  w: number,
): void {
  for (let c = 0; c < 3; c++) {
    let carried = Math.min(Math.max(rgb[c] * gain[c], 0), 255);
    if (cav > 0) carried += cav * (col[c] - carried);
    const want = lips ? lips[c] * (1 - dark) + teeth * (carried - lips[c] * (1 - dark)) : carried;
    values[k + c] += w * (want - values[k + c]);
  }
}

/**
 * How much darker than the lips the seam is at `off` pixels from the middle of a gap `gap` pixels tall: 1 - SEAM where
 * the lips meet, falling off as a Gaussian of 0.8 px plus a fifth of the gap (the lips' inner faces curve away into
 * the shadow between them).
 */
function seamShade(off: number, gap: number): number {
  const sigma = 0.8 + 0.2 * Math.max(gap, 0);
  return (1 - SEAM) * Math.exp(-(off * off) / (2 * sigma * sigma));
}

/**
 * The seam of lips closed on a small face: the lines lie under a pixel apart, and filling between them would draw it
 * only where a pixel centre falls between them (a broken line); a hairline SEAM_PX wide instead, centred between them
 * (`off`: the pixel's distance across from the middle), antialiased, to a point at the corners (`ends`: pixels to the
 * nearer one), at `opens` of its strength. Returns whether the pixel at `k` in `values` was written.
 */
function hairline(values: Float32Array, k: number, seam: readonly number[], opens: number, ends: number, off: number): boolean {
  const cover = Math.min(1, Math.max(0, SEAM_PX / 2 + 0.5 - Math.abs(off)), ends);
  if (!(cover > 0)) return false;
  for (let c = 0; c < 3; c++) values[k + c] += opens * cover * (seam[c] - values[k + c]);
  return true;
}

/** The upper lip's shade on an upper tooth `d` pixels below it, the teeth showing `top` pixels: SHADED_TEETH.lip to .edge. */
function toothShade(d: number, top: number): number {
  return SHADED_TEETH.lip + (SHADED_TEETH.edge - SHADED_TEETH.lip) * smoothstep(0, Math.max(top, 1), d);
}

/**
 * `rgb` times `shade`, in light that takes on the lips' hue (`lips`: their colour) as it darkens: the shade inside a
 * mouth is lit by light off its walls (grey teeth in a warm photo look blue).
 */
function shadeTooth(rgb: Float32Array, shade: number, lips: readonly number[]): void {
  const luma = Math.max(0.299 * lips[0] + 0.587 * lips[1] + 0.114 * lips[2], 1);
  for (let c = 0; c < 3; c++) rgb[c] *= shade * (1 + (1 - shade) * SHADED_TEETH.warm * (lips[c] / luma - 1));
}

const luma = (c: readonly number[]) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/**
 * Per-channel gains that give teeth from another photo this photo's light (1 on the photo's own): its white balance
 * from the ratio of the white points, and, where both faces' eyes show (`own`: this photo's face), its exposure on the
 * face from the ratio of the whites of the eyes (a face in shade before a white shirt gets teeth as dim as its eyes).
 */
function teethGain(here: RGBAImage, source: InteriorSource, own?: readonly Point3[]): number[] {
  const gain = [1, 1, 1];
  if (source.image === here) return gain;
  const a = whitePoint(here);
  const b = source.whitePoint ?? whitePoint(source.image);
  for (let c = 0; c < 3; c++) gain[c] = Math.min(Math.max(a[c] / b[c], GAIN_RANGE[0]), GAIN_RANGE[1]);
  const sa = own && scleraWhite(here, own);
  const sb = source.sclera ?? scleraWhite(source.image, source.points);
  if (!sa || !sb) return gain;
  // the white points set the hue only; the eyes set the brightness
  const exposure = Math.min(Math.max(luma(sa) / luma(sb), EXPOSURE_RANGE[0]), EXPOSURE_RANGE[1]);
  const g = luma(gain);
  return gain.map((v) => (v / g) * exposure);
}

/**
 * What the cavity is painted from: the lips' colour in `values` (or `lips`), and the grain of the photo `here` by the
 * mouth of `points` (its landmarks there), scaled to the target's resolution (a preview is drawn at half).
 */
function cavityPaint(
  values: Float32Array,
  roi: Rect,
  target: readonly Point3[],
  ft: MouthFrame,
  here: RGBAImage,
  points: readonly Point3[],
  lips: number[] | null,
  hidden: number,
): CavityPaint {
  const grain = grainOf(here, points) * Math.min(1, ft.iod / interOcular(points));
  return { ft, lips: lips ?? lipColour(values, roi, target) ?? [110, 70, 70], grain, tongue: hidden > 0 ? undefined : SMILE_TONGUE };
}

/**
 * Lips drawn from the photo's own lips where the target closes over teeth: out to `full` of each lip's thickness,
 * fading out by `fade`; drawn from the own lip past its innermost `skip` (where shaded teeth and lip look alike),
 * `skip + cornerSkip` at the corners.
 */
const LIP_COVER = { full: 0.6, fade: 1, skip: 0.2, cornerSkip: 0.25 } as const;

/**
 * Where the target's opening is lower than the photo's own (`own`: this photo's landmarks), the lips close over
 * teeth. The warp interpolates its motion over a grid of nodes several pixels apart, and the mesh's inner lip line lies a few pixels inside the teeth, so just above a lip line that moves
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
