/**
 * Action units on an edit (expression/units.ts): the reference's displacement decomposed into unit values and a
 * residual, the values the caller asks for set on top, and which mouth the mouth-interior stage should draw when
 * the asked units open the mouth.
 */
import { EditorError, ErrorCode } from '../errors';
import { clampUnit, composeUnits, decomposeUnits, UNIT_NAMES, UNITS, type UnitName, type UnitValues } from '../expression/units';
import { PRESET_RECIPES } from '../expression/recipes';
import type { Expression } from '../expression/saved';
import type { Point3 } from '../types';
import { isFace } from './reference';
import type { Reference } from './types';

/** The asked values, checked (known names, finite numbers) and clamped to each unit's range. */
export function checkUnits(units: UnitValues | undefined): UnitValues {
  if (units === undefined) return {};
  if (typeof units !== 'object' || units === null) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'units must be an object of unit values');
  const out: UnitValues = {};
  for (const [name, v] of Object.entries(units)) {
    if (!(name in UNITS)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `unknown unit ${name}; the units are ${UNIT_NAMES.join(', ')}`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `unit ${name} must be a finite number`);
    out[name as UnitName] = clampUnit(name as UnitName, v);
  }
  return out;
}

/**
 * The edit's displacement and unit values: `d0` (the fitted reference displacement, null for 'neutral') decomposed
 * into `fields`, each asked unit moved from its decomposed value to the asked one. With nothing asked, `d0` is kept
 * as it is (the same edit as without units).
 */
export function withUnits(
  d0: Point3[] | null,
  fields: Record<UnitName, Point3[]>,
  asked: UnitValues,
): { d: Point3[] | null; values: Record<UnitName, number>; residual: Point3[] | null } {
  const zero = Object.fromEntries(UNIT_NAMES.map((u) => [u, 0])) as Record<UnitName, number>;
  const parts = d0 ? decomposeUnits(d0, fields) : { values: zero, residual: null };
  const names = Object.keys(asked) as UnitName[];
  if (!names.length) return { d: d0, values: parts.values, residual: parts.residual };
  const change: UnitValues = {};
  for (const u of names) change[u] = (asked[u] ?? 0) - parts.values[u];
  // the residual is what it was: only the asked units' values changed
  return { d: composeUnits(change, fields, d0), values: { ...parts.values, ...asked }, residual: parts.residual };
}

/** The units a reference asks for by itself: a saved expression's, or a preset's recipe (expression/recipes.ts). */
export function recipeOf(reference: Reference): UnitValues {
  if (isExpression(reference)) return reference.expression.units;
  if (typeof reference === 'object' && reference !== null && 'preset' in reference) return PRESET_RECIPES[reference.preset] ?? {};
  return {};
}

/** A saved expression as a reference (expression/saved.ts). */
export function isExpression(r: unknown): r is { expression: Expression } {
  return typeof r === 'object' && r !== null && 'expression' in r && typeof (r as { expression: unknown }).expression === 'object';
}

/** Units that open the mouth, and the share of an "O" among them (pucker and funnel round the lips over the teeth). */
const OPENING: readonly UnitName[] = ['jaw_drop', 'lips_part', 'funnel'];

/**
 * Whose mouth the mouth-interior stage draws: the reference's, unless it is a saved expression or the asked units
 * open the mouth of an edit toward 'neutral' or a preset, which then takes a preset's stock mouth: an "O" (surprise:
 * upper teeth hidden) when the jaw drops or the lips funnel, lips parted over teeth (happy) otherwise.
 */
export function mouthReference(reference: Reference, asked: UnitValues): Reference {
  if (isFace(reference) || (!isExpression(reference) && !OPENING.some((u) => (asked[u] ?? 0) > 0))) return reference;
  const round = (asked.jaw_drop ?? 0) + (asked.funnel ?? 0) + (asked.pucker ?? 0);
  return { preset: round > 0.3 ? 'surprise' : 'happy' };
}
