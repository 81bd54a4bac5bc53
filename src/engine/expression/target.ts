/**
 * Stage 6, target: where the source face's landmarks should go.
 *
 *   x_t(a) = x_src + a * m * (N(x_src) + d_ref' - x_src)                       for a <= 1
 *   x_t(a) = x_src + m * (N(x_src) + d_ref' - x_src) + (a - 1) * m * d_ref'     for a > 1
 *
 * a = 0 is the photo as it is, 1 the reference's expression, ~1.5 exaggerated (beyond 1 the expression
 * itself grows: extrapolating the change from an expressive photo would carry its mouth past the
 * neutral one, e.g. an open smile's lips through each other); m is an optional
 * per-landmark region mask (brows, eyes, mouth, jaw, rest); d_ref' is the reference displacement
 * fitted to the source's proportions by `retarget`; "neutralize" is d_ref' = 0. N(x_src) here is the
 * disentangler's output corrected by `correctNeutral` (N's average bias, a residual smile, parted lips)
 * when the presets file carries the population's neutral statistics.
 * Target image points = fromCanonical(targetCanonical(...), face.canonical.transform) (manifold.ts).
 * All functions here are pure: plain arrays in, new plain arrays out.
 */
import { EditorError, ErrorCode } from '../errors';
import { TEMPLATE } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { ModelStore } from '../runtime/models';
import { addScaled, dotShapes, subShapes } from '../points';
import type { Point3 } from '../types';

export const PRESETS_PATH = 'leed/presets.json';
export const REGIONS = ['brows', 'eyes', 'mouth', 'jaw'] as const;
export type Region = (typeof REGIONS)[number];
/** Weight per region, 0..1; a region left out counts 1. `rest` is everything outside the four regions (nose, cheeks, forehead). */
export type RegionMask = Partial<Record<Region | 'rest', number>>;

export const PRESET_NAMES = ['happy', 'surprise', 'anger', 'sadness', 'disgust', 'fear'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** How a part of the face is measured: ratios of these neutral sizes (source / reference) scale d per axis. */
interface PartDef {
  region: Region;
  /** MediaPipe FaceMesh indices that belong to the part outright. */
  anchors: readonly number[];
  /** Point pairs whose distance sets the x, y and z scale of the part's displacement. */
  x: readonly [number, number];
  y: readonly [number, number];
  z: readonly [number, number];
}

/** The parts, from landmark-sets.json (shared with the Python training); regions checked by tests/landmark-sets.test.ts. */
const PARTS: readonly PartDef[] = LANDMARK_SETS.regionParts as readonly PartDef[];

/** The 20 brow points (both brows' anchors), left brow first. */
export const BROW_POINTS: readonly number[] = PARTS.filter((p) => p.region === 'brows').flatMap((p) => p.anchors);

const R_BROW_INNER = [107, 66, 55, 65];
const L_BROW_INNER = [336, 296, 285, 295];
const R_BROW_OUTER = [70, 63, 46, 53];
const L_BROW_OUTER = [300, 293, 276, 283];
const meanY = (p: readonly Point3[], idx: readonly number[], k = 1) => idx.reduce((s, i) => s + p[i][k], 0) / idx.length;

/**
 * Shape measures of a face (canonical landmarks, IOD units, y down), signed so that "more" is positive: the
 * presets' recipes (training/make_presets.ts), their range checks and the evaluation's brow and eye figures use them.
 */
export function faceMeasures(p: readonly Point3[]) {
  return {
    /** Height of the 20 brow points. */
    brow: -meanY(p, BROW_POINTS),
    browInner: -(meanY(p, R_BROW_INNER) + meanY(p, L_BROW_INNER)) / 2,
    browOuter: -(meanY(p, R_BROW_OUTER) + meanY(p, L_BROW_OUTER)) / 2,
    /** Distance between the inner ends of the brows. */
    browGap: meanY(p, L_BROW_INNER, 0) - meanY(p, R_BROW_INNER, 0),
    /** Eye opening, upper to lower lid, both eyes. */
    eyeOpen: (p[145][1] - p[159][1] + (p[374][1] - p[386][1])) / 2,
    mouthWidth: p[291][0] - p[61][0],
    /** Height of the mouth corners. */
    corners: -(p[61][1] + p[291][1]) / 2,
    /** Inner lips apart (lower minus upper, mid-lip). */
    lipGap: p[14][1] - p[13][1],
    /** Red lip height, upper plus lower (pressed lips thin it). */
    lipHeight: p[13][1] - p[0][1] + (p[17][1] - p[14][1]),
    /** Chin height, downwards. */
    chin: p[152][1],
  };
}
export type FaceMeasures = ReturnType<typeof faceMeasures>;
export const MEASURE_NAMES = Object.keys(faceMeasures(TEMPLATE)) as (keyof FaceMeasures)[];

/** Width (IOD units) of the soft fall-off of a part's influence around its anchors. */
const FALLOFF = 0.12;
/** Scale ratios are kept in this range: a ratio far outside it is a measurement failure, not a face. */
const RATIO_RANGE: readonly [number, number] = [0.5, 2];

/**
 * Soft membership of every landmark in every part (468 x PARTS), from the template's geometry:
 * an anchor belongs to its part outright; any other point gets a Gaussian fall-off of its 2-D
 * distance to the nearest anchor of each part, normalised so its memberships add up to at most 1
 * (the remainder is `rest`).
 */
function partWeights(template: readonly Point3[]): number[][] {
  return template.map((p, i) => {
    const own = PARTS.map((part): number => (part.anchors.includes(i) ? 1 : 0));
    const n = own.reduce((x, y) => x + y, 0);
    if (n > 0) return own.map((v) => v / n);
    const w = PARTS.map((part) => {
      let best = Infinity;
      for (const a of part.anchors) best = Math.min(best, (template[a][0] - p[0]) ** 2 + (template[a][1] - p[1]) ** 2);
      return Math.exp(-best / (2 * FALLOFF * FALLOFF));
    });
    const s = w.reduce((x, y) => x + y, 0);
    return s > 1 ? w.map((v) => v / s) : w;
  });
}

const PART_WEIGHTS: readonly (readonly number[])[] = partWeights(TEMPLATE);

/** Membership of each landmark in each region (468 entries of { brows, eyes, mouth, jaw, rest }), summing to 1. */
export function regionWeights(): Record<Region | 'rest', number>[] {
  return PART_WEIGHTS.map((w) => {
    const r: Record<Region | 'rest', number> = { brows: 0, eyes: 0, mouth: 0, jaw: 0, rest: 1 };
    PARTS.forEach((part, k) => {
      r[part.region] += w[k];
      r.rest -= w[k];
    });
    return r;
  });
}

function check(points: readonly Point3[], what: string): void {
  if (!Array.isArray(points) || points.length !== TEMPLATE.length) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, `${what}: expected ${TEMPLATE.length} points`);
  }
}

const dist = (p: readonly Point3[], [a, b]: readonly [number, number]) => Math.hypot(p[a][0] - p[b][0], p[a][1] - p[b][1], p[a][2] - p[b][2]);

function ratio(src: readonly Point3[], ref: readonly Point3[], pair: readonly [number, number]): number {
  const r = dist(src, pair) / dist(ref, pair);
  if (!Number.isFinite(r)) return 1;
  return Math.min(RATIO_RANGE[1], Math.max(RATIO_RANGE[0], r));
}

/**
 * Fits a reference displacement to the source's proportions: in each part of the face (each brow,
 * each eye, mouth, jaw) d is scaled per axis by the ratio of the source's to the reference's neutral
 * size of that part (mouth width, eye width and opening, brow-eye distance, lower-face height...),
 * blended smoothly between parts; the rest of the face keeps d as it is. A reference with a wider
 * mouth thus transfers a proportionally smaller mouth-corner displacement.
 */
export function retarget(dRef: readonly Point3[], refNeutral: readonly Point3[], srcNeutral: readonly Point3[]): Point3[] {
  check(dRef, 'retarget dRef');
  check(refNeutral, 'retarget refNeutral');
  check(srcNeutral, 'retarget srcNeutral');
  const scales = PARTS.map((part) => [ratio(srcNeutral, refNeutral, part.x), ratio(srcNeutral, refNeutral, part.y), ratio(srcNeutral, refNeutral, part.z)]);
  return dRef.map((d, i) => {
    const w = PART_WEIGHTS[i];
    const rest = 1 - w.reduce((a, b) => a + b, 0);
    const out: Point3 = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      let s = rest;
      for (let j = 0; j < PARTS.length; j++) s += w[j] * scales[j][k];
      out[k] = d[k] * s;
    }
    return out;
  });
}

/** Per-landmark weight of a region mask (1 everywhere when no mask is given). */
export function maskWeights(mask?: RegionMask): number[] {
  if (!mask) return TEMPLATE.map(() => 1);
  const m = (r: Region | 'rest') => {
    const v = mask?.[r] ?? 1;
    if (!Number.isFinite(v)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `mask.${r} must be a number`);
    return Math.min(1, Math.max(0, v));
  };
  return regionWeights().map((w) => w.brows * m('brows') + w.eyes * m('eyes') + w.mouth * m('mouth') + w.jaw * m('jaw') + w.rest * m('rest'));
}

/**
 * x_t(a) = x_src + a * m * (N(x_src) + d' - x_src), canonical space, for a <= 1; beyond 1 the displacement
 * grows: x_t(1) + (a - 1) * m * d'. Inner lips never cross: where the lower inner lip would rise above the
 * upper one, both go to their midline.
 * dFitted: the reference displacement already fitted by `retarget`, or null to neutralize (d' = 0).
 */
export function targetCanonical(
  src: readonly Point3[],
  srcNeutral: readonly Point3[],
  dFitted: readonly Point3[] | null,
  a: number,
  mask?: RegionMask,
): Point3[] {
  check(src, 'targetCanonical src');
  check(srcNeutral, 'targetCanonical srcNeutral');
  if (dFitted) check(dFitted, 'targetCanonical dFitted');
  if (!Number.isFinite(a)) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'intensity must be a finite number');
  const m = mask ? maskWeights(mask) : null;
  const out = src.map((x, i) => {
    const w = m ? m[i] : 1;
    const s = Math.min(a, 1) * w;
    const more = Math.max(a - 1, 0) * w;
    const p: Point3 = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const d = dFitted ? dFitted[i][k] : 0;
      p[k] = x[k] + s * (srcNeutral[i][k] + d - x[k]) + more * d;
    }
    return p;
  });
  if (mask) chinFollowsLip(out, src, mask);
  for (const [u, l] of INNER_LIP_PAIRS) {
    if (out[l][1] >= out[u][1] || src[l][1] < src[u][1]) continue; // apart, or already crossed in the photo (a mesh slip)
    const mid = (out[u][1] + out[l][1]) / 2;
    out[u][1] = mid;
    out[l][1] = mid;
  }
  return stillEyes(stabilize(out, src), src);
}

/** The lower lip's outer contour: the chin cannot drop much further than it. */
const LOWER_LIP = [17, 84, 314, 181, 405, 91, 321, 146, 375] as const;
/** How much further than the lower lip the chin may drop (IOD): the skin between them stretches a little, no more. */
const CHIN_STRETCH = 0.02;

/**
 * The mouth left out (a region mask) while the rest moves: a jaw drops only by opening the lips, so every point below
 * the lower lip (the jaw's and the chin's skin, which is `rest`) drops at most CHIN_STRETCH further than the lower lip
 * does, less its mouth membership. Without this, surprise with the mouth left out pulled the chin down under closed
 * lips: the chin's skin stretched to twice its height and the texture lit it up as a bright blob.
 */
function chinFollowsLip(out: Point3[], src: readonly Point3[], mask: RegionMask): void {
  if (Math.min(1, Math.max(0, mask.mouth ?? 1)) >= 1) return;
  const lipY = LOWER_LIP.reduce((acc, k) => acc + src[k][1], 0) / LOWER_LIP.length;
  const lipDrop = Math.max(0, LOWER_LIP.reduce((acc, k) => acc + out[k][1] - src[k][1], 0) / LOWER_LIP.length);
  const allowed = lipDrop + CHIN_STRETCH;
  const regions = regionWeights();
  out.forEach((p, i) => {
    const w = 1 - regions[i].mouth;
    const drop = p[1] - src[i][1];
    if (src[i][1] > lipY && drop > allowed) p[1] = src[i][1] + allowed + (drop - allowed) * (1 - w);
  });
}

/** Eyes whose rim moves less than `from` (mean, IOD units) stay exactly where they are; from `to` on they move in full. */
const EYE_STILL = { from: 0.009, to: 0.012 } as const;

/**
 * An eye whose rim would move by under about 1 % IOD (a pixel or two on a large face: no visible change of
 * expression) keeps its source position, so the warp leaves its pixels untouched: resampling it for a sub-pixel
 * motion only costs sharpness, catchlights and iris colour (on the London fixtures an eye rim moving 0.75 px came
 * out 4 grey levels off the photo). The ramp from EYE_STILL.from to .to keeps the motion continuous in intensity.
 */
function stillEyes(points: Point3[], src: readonly Point3[]): Point3[] {
  for (const rim of [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing]) {
    let m = 0;
    for (const i of rim) m += Math.hypot(points[i][0] - src[i][0], points[i][1] - src[i][1]);
    m /= rim.length;
    const t = Math.min(Math.max((m - EYE_STILL.from) / (EYE_STILL.to - EYE_STILL.from), 0), 1);
    if (t >= 1) continue;
    for (const i of rim) for (let k = 0; k < 3; k++) points[i][k] = src[i][k] + t * (points[i][k] - src[i][k]);
  }
  return points;
}

/**
 * `points` moved by the 2-D similarity (x, y; z by the mean shift) that best puts their stable points
 * (landmark-sets.json stablePoints: eye corners, nose bridge, face sides, forehead) back on `src`'s, least squares.
 *
 * Canonical space is fitted on all 468 points, so an expression that drops the jaw or widens the mouth shifts and
 * scales the rest of the face in it, and N(x) - x carries that drift: without this, every edit moved the whole upper
 * face by a pixel or two (on a 600 px face, eyes that should stay still came out 12 grey levels off the photo,
 * resampled and softer). The expression's own motion of non-stable points is kept.
 */
function stabilize(points: readonly Point3[], src: readonly Point3[]): Point3[] {
  const idx = LANDMARK_SETS.stablePoints;
  const n = idx.length;
  let ax = 0;
  let ay = 0;
  let az = 0;
  let bx = 0;
  let by = 0;
  let bz = 0;
  for (const i of idx) {
    ax += points[i][0];
    ay += points[i][1];
    az += points[i][2];
    bx += src[i][0];
    by += src[i][1];
    bz += src[i][2];
  }
  ax /= n;
  ay /= n;
  az /= n;
  bx /= n;
  by /= n;
  bz /= n;
  // complex-number least squares: (b - mb) ~ c (a - ma), c = scale * e^(i angle)
  let re = 0;
  let im = 0;
  let aa = 0;
  for (const i of idx) {
    const px = points[i][0] - ax;
    const py = points[i][1] - ay;
    const qx = src[i][0] - bx;
    const qy = src[i][1] - by;
    re += px * qx + py * qy;
    im += px * qy - py * qx;
    aa += px * px + py * py;
  }
  if (!(aa > 0)) return points.map((p) => [...p] as Point3);
  const cr = re / aa;
  const ci = im / aa;
  return points.map((p) => {
    const px = p[0] - ax;
    const py = p[1] - ay;
    return [bx + cr * px - ci * py, by + ci * px + cr * py, p[2] - az + bz] as Point3;
  });
}

/**
 * What real neutral faces look like, measured on the colour set's neutral-labelled photos by
 * training/make_presets.ts; `correctNeutral` uses it to correct N(x), without retraining N.
 */
export interface NeutralStats {
  /** Mean over neutral photos of x - N(x), template space: N's average bias (N widens and parts a neutral mouth). */
  bias: Point3[];
  /** The smile direction, template space: mean x - N(x) - bias over happy-labelled photos. */
  smile: Point3[];
  /** The mean neutral face, canonical space. */
  mean: Point3[];
  /** Median over neutral photos of the smile coefficient <x - mean, smile> / <smile, smile>. */
  smileLimit: number;
  /** Per inner-lip pair (INNER_LIP_PAIRS), the lower-minus-upper y gap a closed neutral mouth shows in the mesh, IOD units. */
  closedGap: number[];
}

/**
 * Inner-lip point pairs [upper, lower] facing each other, from the right mouth corner to the left, and the outer-lip
 * pairs in the same order (landmark-sets.json rings: the inner ring runs 78, upper lip, 308, lower lip; the outer ring
 * 61, lower lip, 291, upper lip).
 */
const innerRing = LANDMARK_SETS.innerMouthRing;
const outerRing = LANDMARK_SETS.outerLipRing;
export const INNER_LIP_PAIRS: readonly (readonly [number, number])[] = innerRing.slice(1, 10).map((u, k) => [u, innerRing[19 - k]] as const);
export const OUTER_LIP_PAIRS: readonly (readonly [number, number])[] = outerRing.slice(1, 10).map((l, k) => [outerRing[19 - k], l] as const);
/** Share of an inner-lip point's closing motion that its outer-lip point takes (closed lips are a little fuller). */
const OUTER_FOLLOW = 0.5;

/**
 * Brings parted lips together: each upper/lower inner-lip pair whose gap exceeds `closedGap[k]` moves to its
 * common midline (leaving that gap), the outer lip points following by half as much; the mouth's corners, width
 * and the rest of the face stay where they are. Canonical space (y down).
 */
export function closeLips(points: readonly Point3[], closedGap: readonly number[]): Point3[] {
  check(points, 'closeLips');
  const out = points.map((p) => [...p] as Point3);
  INNER_LIP_PAIRS.forEach(([u, l], k) => {
    const g = closedGap[k] ?? 0;
    if (points[l][1] - points[u][1] <= g) return;
    const mid = (points[u][1] + points[l][1]) / 2;
    const du = mid - g / 2 - points[u][1];
    const dl = mid + g / 2 - points[l][1];
    const [ou, ol] = OUTER_LIP_PAIRS[k];
    out[u][1] += du;
    out[l][1] += dl;
    out[ou][1] += OUTER_FOLLOW * du;
    out[ol][1] += OUTER_FOLLOW * dl;
  });
  return out;
}

/**
 * N'(x): the disentangler's neutral corrected toward real neutral faces. N pulls every face toward the training
 * population, which smiles (40 % of its photos are labelled happy), so N(x) of a neutral face comes out with a wider,
 * parted mouth, and N(x) of a smiling face keeps about half of its smile. The correction, in three steps:
 * 1. add N's average bias on neutral photos (`stats.bias`, fitted to the face's proportions);
 * 2. remove what remains along the smile direction beyond the neutral population's median (faces whose N'
 *    is at or below the median along it are left alone, so a person's own mouth shape is kept);
 * 3. close parted lips (`closeLips`), as real neutral mouths are closed.
 */
export function correctNeutral(n: readonly Point3[], stats: NeutralStats): Point3[] {
  check(n, 'correctNeutral');
  const bias = retarget(stats.bias, TEMPLATE, n);
  const nb = addScaled(n, bias, 1);
  const centred = subShapes(nb, stats.mean);
  const excess = Math.max(0, dotShapes(centred, stats.smile) / dotShapes(stats.smile, stats.smile) - stats.smileLimit);
  const smile = retarget(stats.smile, TEMPLATE, n);
  return closeLips(addScaled(nb, smile, -excess), stats.closedGap);
}

/** Stored expression displacements, normalised to the template's proportions (docs/design.md, "Presets"). */
export interface Presets {
  names: PresetName[];
  /** Number of training photos behind each preset. */
  counts: Record<PresetName, number>;
  /** Template-space displacement of a preset. */
  displacement(name: PresetName): Point3[];
  /** A preset's displacement fitted to a source's neutral face (= retarget from the template). */
  fitted(name: PresetName, srcNeutral: readonly Point3[]): Point3[];
  /** The population's neutral statistics for `correctNeutral` (null in a file without them). */
  neutral: NeutralStats | null;
}

interface PresetsFile {
  format: 'leed-presets';
  version: number;
  expressions: Record<string, { count: number; displacement: number[][] }>;
  neutral?: { bias: number[][]; smile: number[][]; mean: number[][]; smileLimit: number; closedGap: number[] };
}

const points = (a: number[][], what: string, path: string): Point3[] => {
  if (!Array.isArray(a) || a.length !== TEMPLATE.length)
    throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: ${what} has ${Array.isArray(a) ? a.length : 0} points`);
  return a.map((p) => [p[0], p[1], p[2]] as Point3);
};

function readNeutral(file: PresetsFile, path: string): NeutralStats | null {
  const n = file.neutral;
  if (!n) return null;
  if (!Number.isFinite(n.smileLimit) || !Array.isArray(n.closedGap) || n.closedGap.length !== INNER_LIP_PAIRS.length) {
    throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: malformed neutral statistics`);
  }
  return {
    bias: points(n.bias, 'neutral.bias', path),
    smile: points(n.smile, 'neutral.smile', path),
    mean: points(n.mean, 'neutral.mean', path),
    smileLimit: n.smileLimit,
    closedGap: [...n.closedGap],
  };
}

export async function loadPresets(store: ModelStore, path = PRESETS_PATH): Promise<Presets> {
  const file = await store.readJSON<PresetsFile>(path);
  if (file.format !== 'leed-presets') throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: not a presets file`);
  const table = new Map<PresetName, { count: number; d: Point3[] }>();
  for (const name of PRESET_NAMES) {
    const e = file.expressions[name];
    if (!e) continue;
    if (e.displacement.length !== TEMPLATE.length) throw new EditorError(ErrorCode.MODEL_LOAD, `${path}: ${name} has ${e.displacement.length} points`);
    table.set(name, { count: e.count, d: e.displacement.map((p) => [p[0], p[1], p[2]] as Point3) });
  }
  const get = (name: PresetName) => {
    const e = table.get(name);
    if (!e) throw new EditorError(ErrorCode.BAD_ARGUMENT, `no preset named ${name}`);
    return e;
  };
  return {
    names: [...table.keys()],
    counts: Object.fromEntries([...table].map(([k, v]) => [k, v.count])) as Record<PresetName, number>,
    displacement: (name) => get(name).d.map((p) => [...p] as Point3),
    fitted: (name, srcNeutral) => retarget(get(name).d, TEMPLATE, srcNeutral),
    neutral: readNeutral(file, path),
  };
}
