/** Action units (src/engine/expression/units.ts): their fields, their decomposition, and units on real edits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ErrorCode,
  expressionToJSON,
  parseExpression,
  UNIT_NAMES,
  UNITS,
  unitByName,
  type Editor,
  type Face,
  type Point3,
  type UnitInfo,
  type UnitName,
} from '../src/engine/index';
import { composeUnits, decomposeUnits, fittedUnits, regionWeights, TEMPLATE, unitField } from '../src/engine/tools';
import { cpuEditor, sampleBytes } from './helpers';
import { ROOT } from '../src/node/platform';

const LONDON_022 = join(ROOT, '..', 'shared', 'fixtures', 'london', 'neutral', '022.jpg');

const REGION_OF: Record<string, 'brows' | 'eyes' | 'mouth' | 'jaw' | 'mixed'> = {
  brows: 'brows',
  eyes: 'eyes',
  mouth: 'mouth',
  jaw: 'jaw',
  cheeks: 'mixed',
};
const sq = (p: Point3) => p[0] ** 2 + p[1] ** 2 + p[2] ** 2;

describe('action unit fields', () => {
  it('each unit moves its own part of the face, by a strong but real amount', () => {
    const weights = regionWeights();
    for (const u of UNIT_NAMES) {
      const f = unitField(u);
      const total = f.reduce((s, p) => s + sq(p), 0);
      const largest = Math.max(...f.map((p) => Math.sqrt(sq(p))));
      // a unit at 1 moves some point by 2.5-35 % of the distance between the eye centres (gaze sideways moves no
      // landmark: the renderer moves the iris)
      expect(largest, u).toBeLessThan(0.35);
      if ('drawn' in UNITS[u] && largest === 0) continue;
      expect(largest, u).toBeGreaterThan(0.025);
      const region = REGION_OF[UNITS[u].group];
      if (region === 'mixed') continue;
      // a chin raise pushes the lower lip up: the jaw's units may move the mouth too
      const own = f.reduce((s, p, i) => s + sq(p) * (weights[i][region] + (region === 'jaw' ? weights[i].mouth : 0)), 0);
      expect(own / total, `${u}: share of its motion in the ${region}`).toBeGreaterThan(0.5);
    }
  });

  it('bilateral units are mirror images on the two sides of the face', () => {
    // mirror partners: the mouth corners, outer lip, brows' ends and eye corners (MediaPipe FaceMesh indices)
    const pairs = [
      [61, 291],
      [78, 308],
      [185, 409],
      [37, 267],
      [84, 314],
      [107, 336],
      [70, 300],
      [105, 334],
      [33, 263],
      [159, 386],
      [145, 374],
      [50, 280],
      [205, 425],
      [129, 358],
    ];
    const mirror = new Map(
      pairs.flatMap(([a, b]) => [
        [a, b],
        [b, a],
      ]),
    );
    for (const u of UNIT_NAMES) {
      const f = unitField(u);
      // a one-sided unit (a wink) is the mirror image of the other side's
      const info: UnitInfo = UNITS[u];
      const side = info.side;
      const g = side ? unitField(u.replace(side, side === 'left' ? 'right' : 'left') as UnitName) : f;
      let worst = 0;
      for (const [i, j] of mirror) {
        const [p, q] = [f[i], g[j]];
        worst = Math.max(worst, Math.abs(p[0] + q[0]), Math.abs(p[1] - q[1]), Math.abs(p[2] - q[2]));
      }
      expect(worst, u).toBeLessThan(0.01);
    }
  });

  it('the stable points never move (the target is aligned on them)', () => {
    for (const u of UNIT_NAMES) {
      const f = unitField(u);
      for (const i of [33, 133, 362, 263, 168, 6, 10, 151]) expect(Math.sqrt(sq(f[i])), `${u} moves ${i}`).toBeLessThan(1e-9);
    }
  });

  it('a displacement made of units decomposes back into those values', () => {
    const fields = fittedUnits(TEMPLATE);
    const asked: Partial<Record<UnitName, number>> = { brow_lower: 0.8, lip_press: 0.6, upper_lid_raise: 0.4, jaw_drop: 0.5 };
    const { values, residual } = decomposeUnits(composeUnits(asked, fields), fields);
    for (const u of UNIT_NAMES) expect(values[u], u).toBeCloseTo(asked[u] ?? 0, 1);
    expect(Math.max(...residual.map((p) => Math.sqrt(sq(p))))).toBeLessThan(0.02);
  });

  it('reads unit names as a person would write them', () => {
    expect(unitByName('AU4')).toBe('brow_lower');
    expect(unitByName('au12')).toBe('lip_corner_pull');
    expect(unitByName('brow-lower')).toBe('brow_lower');
    expect(unitByName('Lip_Press')).toBe('lip_press');
    expect(unitByName('au99')).toBeUndefined();
    expect(unitByName('frown')).toBeUndefined();
  });
});

describe('units on an edit (real models, the sample portrait)', () => {
  let editor: Editor;
  let face: Face;
  beforeAll(async () => {
    editor = await cpuEditor();
    face = await (await editor.open(sampleBytes())).face(0);
  });
  afterAll(() => editor?.dispose());

  const move = (a: readonly Point3[], b: readonly Point3[], idx: readonly number[]) =>
    idx.reduce((s, i) => s + Math.hypot(a[i][0] - b[i][0], a[i][1] - b[i][1]), 0) / idx.length;
  const BROWS = [107, 66, 105, 63, 70, 336, 296, 334, 293, 300];
  const MOUTH = [61, 291, 13, 14, 0, 17, 78, 308];

  it('a part value moves only its part, and the edit reports every unit value', async () => {
    const base = await face.edit({ preset: 'happy' });
    const frown = await face.edit({ preset: 'happy' }, { units: { brow_lower: 1 } });
    expect(frown.units.brow_lower).toBe(1);
    for (const u of UNIT_NAMES) if (u !== 'brow_lower') expect(frown.units[u], u).toBe(base.units[u]);
    const [a, b] = [base.target(1), frown.target(1)];
    const iod = Math.hypot(a[33][0] - a[263][0], a[33][1] - a[263][1]);
    expect(move(a, b, BROWS) / iod, 'brows').toBeGreaterThan(0.02);
    expect(move(a, b, MOUTH) / iod, 'mouth').toBeLessThan(0.002);
    // with the unit at the value the reference already has, the edit is the reference's own
    const same = await face.edit({ preset: 'happy' }, { units: { brow_lower: base.units.brow_lower } });
    expect(move(a, same.target(1), [...BROWS, ...MOUTH])).toBeLessThan(1e-6);
  });

  it('units on the neutral face open the jaw; values past a range are held at its end', async () => {
    const shut = await face.edit('neutral');
    const open = await face.edit('neutral', { units: { jaw_drop: 5 } });
    expect(open.units.jaw_drop).toBe(UNITS.jaw_drop.max);
    const gap = (t: readonly Point3[]) => t[14][1] - t[13][1];
    const iod = Math.hypot(shut.target(1)[33][0] - shut.target(1)[263][0], shut.target(1)[33][1] - shut.target(1)[263][1]);
    expect((gap(open.target(1)) - gap(shut.target(1))) / iod).toBeGreaterThan(0.2);
  });

  it('a saved expression goes through its JSON file and gives another face the same units', async () => {
    const made = await face.edit({ preset: 'happy' }, { units: { brow_lower: 0.9, lip_press: 0.5 } });
    const saved = parseExpression(JSON.parse(expressionToJSON(made.expression('cross'))));
    expect(saved.name).toBe('cross');
    expect(saved.residual).toHaveLength(468);
    const other = await (await editor.open(new Uint8Array(readFileSync(LONDON_022)))).face(0);
    const applied = await other.edit({ expression: saved });
    for (const u of UNIT_NAMES) expect(applied.units[u], u).toBeCloseTo(made.units[u], 3);
    // the other face takes the expression: its brows come down as the saved expression's did
    const neutral = await other.edit('neutral');
    const [a, b] = [neutral.target(1), applied.target(1)];
    const iod = Math.hypot(a[33][0] - a[263][0], a[33][1] - a[263][1]);
    expect(BROWS.reduce((s, i) => s + b[i][1] - a[i][1], 0) / BROWS.length / iod).toBeGreaterThan(0.01);
  });

  it('says what is wrong with a file that is not a saved expression', () => {
    const error = (v: unknown) => {
      try {
        parseExpression(v);
      } catch (e) {
        return e as { code: string; message: string };
      }
      throw new Error('accepted');
    };
    expect(error([1, 2]).message).toContain('JSON object');
    expect(error({ format: 'leed-presets' }).message).toContain('"format"');
    expect(error({ format: 'leed-expression', version: 2, units: {} }).message).toContain('version 2');
    expect(error({ format: 'leed-expression', version: 1, units: { frown: 1 } }).message).toContain('brow_lower');
    expect(error({ format: 'leed-expression', version: 1, units: {}, residual: [[0, 0, 0]] }).message).toContain('468 points');
    expect(error({ format: 'leed-expression', version: 1, units: { au4: 'a lot' } }).code).toBe(ErrorCode.BAD_ARGUMENT);
    expect(parseExpression({ format: 'leed-expression', version: 1, units: { au4: 3 } }).units).toEqual({ brow_lower: 1.5 });
  });

  it('refuses a unit it does not know, naming the ones it has', async () => {
    const err = await face.edit('neutral', { units: { frown: 1 } as never }).catch((e) => e);
    expect(err.code).toBe(ErrorCode.BAD_ARGUMENT);
    expect(err.message).toContain('brow_lower');
    const nan = await face.edit('neutral', { units: { brow_lower: Number.NaN } }).catch((e) => e);
    expect(nan.code).toBe(ErrorCode.BAD_ARGUMENT);
  });
});
