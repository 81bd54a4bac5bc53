/**
 * A saved expression: action-unit values plus the residual of the displacement they did not explain, in template
 * space, so it applies to any face (fitted like a preset). It travels as a small JSON file; `parseExpression` checks
 * one read from anywhere (a file picked by the user, a CLI argument) and says what is wrong with it.
 */
import { TEMPLATE } from '../analyse/manifold';
import { EditorError, ErrorCode } from '../errors';
import type { Point3 } from '../types';
import { retarget } from './target';
import { clampUnit, UNIT_NAMES, unitByName, type UnitValues } from './unit-table';

export const EXPRESSION_FORMAT = 'leed-expression';

export interface Expression {
  /** A name for people (a file name, "my frown"). */
  name?: string;
  units: UnitValues;
  /** What the units do not explain, template space (468 points); absent: the units alone. */
  residual?: Point3[];
}

/** The JSON form of an expression (numbers rounded: the file stays small and diffable). */
export function expressionToJSON(e: Expression): string {
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const units = Object.fromEntries(UNIT_NAMES.filter((u) => (e.units[u] ?? 0) !== 0).map((u) => [u, round(e.units[u]!)]));
  const body: Record<string, unknown> = { format: EXPRESSION_FORMAT, version: 1, name: e.name ?? 'expression', units };
  if (e.residual) body.residual = e.residual.map((p) => p.map(round));
  return `${JSON.stringify(body)}\n`;
}

const bad = (why: string) => new EditorError(ErrorCode.BAD_ARGUMENT, `not a saved expression: ${why}`);

/** Checks a parsed JSON value and returns the expression it holds; BAD_ARGUMENT saying what is wrong otherwise. */
export function parseExpression(json: unknown): Expression {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('expected a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== EXPRESSION_FORMAT) throw bad(`"format" must be "${EXPRESSION_FORMAT}"`);
  if (o.version !== 1) throw bad(`version ${String(o.version)} is not one this editor reads (1)`);
  if (typeof o.units !== 'object' || o.units === null || Array.isArray(o.units)) throw bad('"units" must be an object of unit values');
  const units: UnitValues = {};
  for (const [name, v] of Object.entries(o.units)) {
    const u = unitByName(name);
    if (!u) throw bad(`unknown unit "${name}" (units: ${UNIT_NAMES.join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`unit "${name}" must be a number`);
    units[u] = clampUnit(u, v);
  }
  let residual: Point3[] | undefined;
  if (o.residual !== undefined) {
    const r = o.residual;
    const ok =
      Array.isArray(r) &&
      r.length === TEMPLATE.length &&
      r.every((p) => Array.isArray(p) && p.length === 3 && p.every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!ok) throw bad(`"residual" must be ${TEMPLATE.length} points of 3 numbers`);
    residual = (r as number[][]).map((p) => [p[0], p[1], p[2]] as Point3);
  }
  return { name: typeof o.name === 'string' ? o.name : undefined, units, residual };
}

/** The residual `r` of a face whose neutral is `srcNeutral`, carried to template space (so it fits any face). */
export function residualToTemplate(r: readonly Point3[], srcNeutral: readonly Point3[]): Point3[] {
  return retarget(r, srcNeutral, TEMPLATE);
}
