/**
 * Stage 6, target: where the source face's landmarks should go.
 *
 *   x_t(a) = x_src + a * m * (N(x_src) + d_ref' - x_src)
 *
 * a = 0 is the photo as it is, 1 the reference's expression, ~1.5 exaggerated; m is an optional
 * per-landmark region mask (brows, eyes, mouth, jaw, rest); d_ref' is the reference displacement
 * fitted to the source's proportions by `retarget`; "neutralize" is d_ref' = 0.
 * Target image points = fromCanonical(targetCanonical(...), face.canonical.transform) (manifold.ts).
 * All functions here are pure: plain arrays in, new plain arrays out.
 */
import { EditorError, ErrorCode } from '../errors';
import { TEMPLATE } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { ModelStore } from '../runtime/models';
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
 * x_t(a) = x_src + a * m * (N(x_src) + d' - x_src), canonical space.
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
  return src.map((x, i) => {
    const s = a * (m ? m[i] : 1);
    const out: Point3 = [0, 0, 0];
    for (let k = 0; k < 3; k++) out[k] = x[k] + s * (srcNeutral[i][k] + (dFitted ? dFitted[i][k] : 0) - x[k]);
    return out;
  });
}

/** Stored expression displacements, normalised to the template's proportions (see training/README.md). */
export interface Presets {
  names: PresetName[];
  /** Number of training photos behind each preset. */
  counts: Record<PresetName, number>;
  /** Template-space displacement of a preset. */
  displacement(name: PresetName): Point3[];
  /** A preset's displacement fitted to a source's neutral face (= retarget from the template). */
  fitted(name: PresetName, srcNeutral: readonly Point3[]): Point3[];
}

interface PresetsFile {
  format: 'leed-presets';
  version: number;
  expressions: Record<string, { count: number; displacement: number[][] }>;
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
  };
}
