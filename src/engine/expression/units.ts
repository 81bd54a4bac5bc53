/**
 * Named action units: a basis of facial motions (FACS action units), each a displacement field over the 468
 * landmarks in template space (the canonical frame of analyse/template.json: IOD units, x toward the subject's left,
 * y down, z away from the camera). A value of 1 is a strong but real instance of the unit; values run over
 * [min, max] (negative where the opposite motion is also a face, e.g. corners down for a pull). A reference's
 * displacement decomposes into unit values plus a residual, so an edit can show and change them one by one.
 *
 * The fields (unit-fields.ts) are designed from FACS's description of each unit's appearance, not learned: the news
 * photos of the training set show too little of most units (brows barely move, mouths rarely open wide) for a
 * component of x - N(x) to reach a strong instance.
 *
 * A unit should be expression, not identity: N(x + unit) = N(x). The shipped disentangler does not yet see most
 * units so: its displacement lives in the span of the news photos' main shape components, and a local motion outside
 * that span passes through N into the "neutral". So a reference photo's brow or lid motion mostly does not reach its
 * displacement; the evaluation's units section measures how much of each unit N keeps.
 *
 * Gaze and a closing eye are drawn by the renderer's eye layer (render/eye-layer.ts): the mesh moves the lids, the
 * layer the iris (the mesh has no iris, so gaze is not read from a reference's landmarks). Not units yet: head turns
 * (they move hair, ears and neck, which the face-only warp does not cover).
 */
import { TEMPLATE } from '../analyse/manifold';
import { dotShapes, subShapes } from '../points';
import type { Point3 } from '../types';
import { retarget } from './target';
import { FIELDS } from './unit-fields';
import { clampUnit, UNIT_NAMES, UNITS, type UnitName, type UnitValues } from './unit-table';

export { clampUnit, UNIT_GROUPS, UNIT_NAMES, UNITS, unitByName } from './unit-table';
export type { UnitGroup, UnitInfo, UnitName, UnitValues } from './unit-table';

const N = TEMPLATE.length;

const cache = new Map<UnitName, readonly Point3[]>();

/** A unit's displacement at value 1, template space (a new array). */
export function unitField(name: UnitName): Point3[] {
  let f = cache.get(name);
  if (!f) {
    f = FIELDS[name]();
    if (f.length !== N) throw new Error(`unit ${name}: ${f.length} points`);
    cache.set(name, f);
  }
  return f.map((p) => [...p] as Point3);
}

/** The units' fields fitted to a face whose neutral is `srcNeutral` (as presets are: retarget from the template). */
export function fittedUnits(srcNeutral: readonly Point3[]): Record<UnitName, Point3[]> {
  return Object.fromEntries(UNIT_NAMES.map((u) => [u, retarget(unitField(u), TEMPLATE, srcNeutral)])) as Record<UnitName, Point3[]>;
}

/** Σ value_u · field_u over the given units (fields fitted or template), plus `base` when given. */
export function composeUnits(values: UnitValues, fields: Record<UnitName, readonly Point3[]>, base?: readonly Point3[] | null): Point3[] {
  const out: Point3[] = base ? base.map((p) => [...p] as Point3) : TEMPLATE.map(() => [0, 0, 0] as Point3);
  for (const u of UNIT_NAMES) {
    const v = values[u] ?? 0;
    if (!v) continue;
    const f = fields[u];
    for (let i = 0; i < out.length; i++) for (let k = 0; k < 3; k++) out[i][k] += v * f[i][k];
  }
  return out;
}

/**
 * The unit values that best explain displacement `d` (least squares over all points, each value kept in its unit's
 * [min, max]), by coordinate descent on the units' Gram matrix; the rest of `d` is the residual, which an edit keeps.
 */
export function decomposeUnits(
  d: readonly Point3[],
  fields: Record<UnitName, readonly Point3[]>,
  sweeps = 60,
): { values: Record<UnitName, number>; residual: Point3[] } {
  const seen = UNIT_NAMES.map((u) => !('drawn' in UNITS[u]));
  const flat = UNIT_NAMES.map((u) => fields[u]);
  const G = flat.map((a) => flat.map((b) => dotShapes(a, b)));
  const r = flat.map((a) => dotShapes(a, d));
  const c = UNIT_NAMES.map(() => 0);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    UNIT_NAMES.forEach((u, k) => {
      if (!(G[k][k] > 0) || !seen[k]) return;
      let s = r[k];
      for (let j = 0; j < c.length; j++) if (j !== k) s -= G[k][j] * c[j];
      c[k] = clampUnit(u, s / G[k][k]);
    });
  }
  const values = Object.fromEntries(UNIT_NAMES.map((u, k) => [u, c[k]])) as Record<UnitName, number>;
  const explained = composeUnits(values, fields);
  return { values, residual: subShapes(d, explained) };
}
