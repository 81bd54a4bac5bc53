/** Stage 6 targets: retargeting to the source's proportions, the target formula, region masks, presets. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/engine/errors';
import { TEMPLATE } from '../src/engine/analyse/manifold';
import { ModelStore } from '../src/engine/runtime/models';
import {
  closeLips,
  correctNeutral,
  faceMeasures,
  INNER_LIP_PAIRS,
  loadPresets,
  maskWeights,
  OUTER_LIP_PAIRS,
  PRESET_NAMES,
  regionWeights,
  retarget,
  targetCanonical,
  type NeutralStats,
  type PresetName,
  type Presets,
} from '../src/engine/expression/target';
import type { Point3 } from '../src/engine/types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileByteSource, MODEL_DIR } from '../src/node/platform';
import { LANDMARK_SETS } from '../src/engine/landmark-sets';

const T = TEMPLATE as Point3[];
/** Outer and inner lip contours: target.ts's mouth part (landmark-sets.json; tests/landmark-sets.test.ts checks they are the same points). */
const MOUTH = [...LANDMARK_SETS.outerLipRing, ...LANDMARK_SETS.innerMouthRing];
const expectClose = (a: readonly Point3[], b: readonly Point3[], digits = 12) =>
  a.forEach((p, i) => p.forEach((v, k) => expect(v).toBeCloseTo(b[i][k], digits)));
const RIGHT_EYE = [...LANDMARK_SETS.rightEyeRing];

/** The template with some points scaled about their centroid along some axes. */
function stretched(indices: number[], scale: Point3): Point3[] {
  const c = [0, 1, 2].map((k) => indices.reduce((s, i) => s + T[i][k], 0) / indices.length);
  return T.map((p, i) => (indices.includes(i) ? (p.map((v, k) => c[k] + (v - c[k]) * scale[k]) as Point3) : ([...p] as Point3)));
}

/** A displacement that moves the mouth corners outward and up (a smile), nothing else. */
function smile(): Point3[] {
  const d = T.map(() => [0, 0, 0] as Point3);
  d[61] = [-0.06, -0.05, 0];
  d[291] = [0.06, -0.05, 0];
  return d;
}

describe('retarget', () => {
  it('is the identity when reference and source have the same proportions', () => {
    const d = smile();
    expectClose(retarget(d, T, T), d);
  });

  it('a reference with a wider mouth transfers a proportionally smaller mouth-corner displacement', () => {
    const wide = stretched(MOUTH, [1.25, 1, 1.25]);
    const out = retarget(smile(), wide, T);
    // x: scaled by source / reference mouth width = 1 / 1.25
    expect(out[291][0]).toBeCloseTo(0.06 / 1.25, 3);
    expect(out[61][0]).toBeCloseTo(-0.06 / 1.25, 3);
    // y is set by the lower-face height, which is the same: the lift is kept
    expect(out[291][1]).toBeCloseTo(-0.05, 3);
    // and the other way round: a narrower reference mouth transfers a larger one
    const narrow = stretched(MOUTH, [0.8, 1, 0.8]);
    expect(retarget(smile(), narrow, T)[291][0]).toBeCloseTo(0.06 / 0.8, 3);
  });

  it('a reference with larger eyes transfers a smaller eyelid movement; other regions are untouched', () => {
    const d = T.map(() => [0, 0, 0] as Point3);
    d[159] = [0, 0.04, 0]; // upper lid of the right eye closes
    d[291] = [0.05, 0, 0];
    const bigEyes = stretched(RIGHT_EYE, [1, 1.5, 1]);
    const out = retarget(d, bigEyes, T);
    // scaled by the ratio of the eye openings (upper to lower lid, 159-145): source / reference ~ 1 / 1.46
    const opening = (f: Point3[]) => Math.hypot(f[159][0] - f[145][0], f[159][1] - f[145][1], f[159][2] - f[145][2]);
    const r = opening(T) / opening(bigEyes);
    expect(r).toBeLessThan(1 / 1.4);
    expect(out[159][1]).toBeCloseTo(0.04 * r, 6);
    expect(out[291][0]).toBeCloseTo(0.05, 4);
  });

  it('clamps absurd ratios and checks its arguments', () => {
    const tiny = stretched(MOUTH, [0.01, 1, 0.01]);
    expect(retarget(smile(), tiny, T)[291][0]).toBeCloseTo(0.06 * 2, 3);
    expect(() => retarget(smile().slice(1), T, T)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
  });
});

describe('targetCanonical', () => {
  const src = stretched(MOUTH, [1.1, 1.2, 1]); // an "expressive" source
  const neutral = T;
  const d = smile();

  it('a = 0 is the photo, a = 1 with no displacement is the neutral face, with one it is neutral + d', () => {
    expect(targetCanonical(src, neutral, null, 0)).toEqual(src);
    const n = targetCanonical(src, neutral, null, 1);
    expectClose(n, neutral);
    const t = targetCanonical(src, neutral, d, 1);
    expect(t[291][0]).toBeCloseTo(neutral[291][0] + 0.06, 12);
    const half = targetCanonical(src, neutral, d, 0.5);
    expect(half[291][1]).toBeCloseTo((src[291][1] + neutral[291][1] - 0.05) / 2, 12);
    // beyond 1 the displacement grows (N + a d), instead of extrapolating the change from the photo
    const more = targetCanonical(src, neutral, d, 1.5);
    expect(more[291][0]).toBeCloseTo(neutral[291][0] + 1.5 * 0.06, 12);
    expect(targetCanonical(src, neutral, null, 1.5)).toEqual(targetCanonical(src, neutral, null, 1));
  });

  it('inner lips never cross, however far the displacement closes them', () => {
    const open = T.map((p) => [...p] as Point3);
    for (const [, l] of INNER_LIP_PAIRS) open[l][1] += 0.1; // a photo with parted lips
    const press = T.map(() => [0, 0, 0] as Point3);
    for (const [u, l] of INNER_LIP_PAIRS) {
      press[u][1] = 0.05;
      press[l][1] = -0.05;
    } // lips pressed hard
    for (const a of [1, 1.5, 2]) {
      const t = targetCanonical(open, T, press, a);
      for (const [u, l] of INNER_LIP_PAIRS) expect(t[l][1]).toBeGreaterThanOrEqual(t[u][1] - 1e-12);
    }
  });

  it('a region mask limits the change to the chosen regions', () => {
    const mouthOff = targetCanonical(src, neutral, d, 1, { mouth: 0 });
    for (const i of [13, 14, 61, 291]) expect(mouthOff[i]).toEqual(src[i]);
    const mouthOnly = targetCanonical(src, neutral, d, 1, { brows: 0, eyes: 0, jaw: 0, rest: 0 });
    expect(mouthOnly[291][0]).toBeCloseTo(neutral[291][0] + 0.06, 6);
    const far = 10; // forehead: no region of the mask reaches it
    expect(maskWeights({ brows: 0, eyes: 0, jaw: 0, rest: 0 })[far]).toBeLessThan(0.01);
    expect(maskWeights()).toEqual(T.map(() => 1));
    expect(() => targetCanonical(src, neutral, d, Number.NaN)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
  });

  it('region weights of every landmark add up to one', () => {
    for (const w of regionWeights()) expect(w.brows + w.eyes + w.mouth + w.jaw + w.rest).toBeCloseTo(1, 12);
  });
});

describe("the corrected neutral N'(x)", () => {
  const zero = () => T.map(() => [0, 0, 0] as Point3);
  const smileDir = () => {
    const d = zero();
    d[61] = [-0.05, -0.04, 0];
    d[291] = [0.05, -0.04, 0];
    return d;
  };
  const stats = (over: Partial<NeutralStats> = {}): NeutralStats => ({
    bias: zero(),
    smile: smileDir(),
    mean: T,
    smileLimit: 0,
    closedGap: INNER_LIP_PAIRS.map(() => 0.02),
    ...over,
  });

  it('closeLips brings each inner-lip pair to its midline, leaving the closed gap; outer lips follow by half; corners stay', () => {
    const open = T.map((p) => [...p] as Point3);
    for (const [u, l] of INNER_LIP_PAIRS) {
      open[u][1] -= 0.03;
      open[l][1] += 0.07;
    }
    const gap0 = INNER_LIP_PAIRS.map(([u, l]) => open[l][1] - open[u][1]);
    const shut = closeLips(
      open,
      INNER_LIP_PAIRS.map(() => 0.02),
    );
    INNER_LIP_PAIRS.forEach(([u, l], k) => {
      if (gap0[k] <= 0.02) return;
      expect(shut[l][1] - shut[u][1]).toBeCloseTo(0.02, 12);
      expect((shut[u][1] + shut[l][1]) / 2).toBeCloseTo((open[u][1] + open[l][1]) / 2, 12);
      const [ou, ol] = OUTER_LIP_PAIRS[k];
      expect(shut[ou][1] - open[ou][1]).toBeCloseTo((shut[u][1] - open[u][1]) / 2, 12);
      expect(shut[ol][1] - open[ol][1]).toBeCloseTo((shut[l][1] - open[l][1]) / 2, 12);
    });
    for (const i of [61, 291, 78, 308, 1, 152]) expect(shut[i]).toEqual(open[i]);
    // a closed mouth is left alone
    expect(
      closeLips(
        shut,
        INNER_LIP_PAIRS.map(() => 0.02),
      ),
    ).toEqual(shut);
  });

  it("adds N's bias, removes the smile beyond the neutral population's median, and closes the lips", () => {
    const bias = zero();
    bias[1] = [0, 0.01, 0];
    const n = closeLips(
      T,
      INNER_LIP_PAIRS.map(() => 0.02),
    );
    const plain = correctNeutral(n, stats({ bias }));
    expect(plain[1][1]).toBeCloseTo(n[1][1] + 0.01, 3);
    // N(x) still smiling: 0.8 smile directions beyond the limit come off
    const smiling = n.map((p, i) => [p[0] + 0.8 * smileDir()[i][0], p[1] + 0.8 * smileDir()[i][1], p[2]] as Point3);
    const fixed = correctNeutral(smiling, stats());
    // (the direction is fitted to the smiling face's proportions, whose mouth is 8 % wider: a few thousandths too far)
    expect(Math.abs(fixed[291][0] - n[291][0])).toBeLessThan(0.005);
    expect(Math.abs(fixed[291][1] - n[291][1])).toBeLessThan(0.005);
    expect(Math.abs(smiling[291][0] - n[291][0])).toBeGreaterThan(0.035);
    // a face at or below the median along the smile direction keeps its own mouth
    const narrow = n.map((p, i) => [p[0] - 0.5 * smileDir()[i][0], p[1] - 0.5 * smileDir()[i][1], p[2]] as Point3);
    expect(correctNeutral(narrow, stats())[291]).toEqual(narrow[291]);
  });
});

describe('presets', () => {
  let presets: Presets;
  beforeAll(async () => {
    presets = await loadPresets(new ModelStore(fileByteSource()));
  });

  it('ships every named expression, built from real photos', () => {
    expect(presets.names).toEqual([...PRESET_NAMES]);
    for (const n of PRESET_NAMES) expect(presets.counts[n]).toBeGreaterThan(0);
  });

  it('happy raises and widens the mouth corners; surprise lifts the brows and opens the mouth', () => {
    const h = presets.displacement('happy');
    // canonical y points down, x to the subject's left (landmark 291 side)
    expect(h[291][1]).toBeLessThan(0);
    expect(h[61][1]).toBeLessThan(0);
    expect(h[291][0] - h[61][0]).toBeGreaterThan(0);
    const s = presets.displacement('surprise');
    expect(s[105][1]).toBeLessThan(0);
    expect(s[334][1]).toBeLessThan(0);
    expect(s[14][1] - s[13][1]).toBeGreaterThan(0); // inner lips part
  });

  it('reach the strong end of real expressions over the whole face, each part within what real photos of the label do', () => {
    type Stored = { strength: Record<string, number>; measuresPercentIod: Record<string, number>; realRangePercentIod: Record<string, [number, number]> };
    const file = JSON.parse(readFileSync(join(MODEL_DIR, 'leed', 'presets.json'), 'utf8')) as { expressions: Record<PresetName, Stored> };
    const mean = presets.neutral!.mean;
    const change = (name: PresetName, a = 1) => {
      const d = retarget(presets.displacement(name), T, mean);
      const m0 = faceMeasures(mean);
      const m = faceMeasures(mean.map((p, i) => [p[0] + a * d[i][0], p[1] + a * d[i][1], p[2] + a * d[i][2]] as Point3));
      return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, 100 * (v - m0[k as keyof typeof m0])])) as Record<keyof typeof m0, number>;
    };
    for (const name of PRESET_NAMES) {
      const e = file.expressions[name];
      const m = change(name);
      // what the test measures is what make_presets.ts stored
      for (const [k, v] of Object.entries(e.measuresPercentIod)) expect(m[k as keyof typeof m]).toBeCloseTo(v, 1);
      // within the label's real range (1st to 99th percentile of its photos' change of that measure)
      for (const [k, [lo, hi]] of Object.entries(e.realRangePercentIod)) {
        expect(m[k as keyof typeof m]).toBeGreaterThanOrEqual(lo - 0.05);
        expect(m[k as keyof typeof m]).toBeLessThanOrEqual(hi + 0.05);
      }
    }
    // the strong end: the parts that carry each expression sit at the 80th percentile of their label's photos or beyond
    const strong: [PresetName, string[]][] = [
      ['happy', ['eyes', 'mouth', 'rest']],
      ['surprise', ['brows', 'eyes']],
      ['anger', ['brows', 'eyes', 'mouth']],
      ['sadness', ['brows', 'mouth']],
    ];
    for (const [name, parts] of strong) for (const p of parts) expect(file.expressions[name].strength[p]).toBeGreaterThanOrEqual(0.8);
    // what each one does (% IOD on the mean neutral face)
    const h = change('happy');
    const s = change('surprise');
    const a = change('anger');
    const sa = change('sadness');
    expect(h.mouthWidth).toBeGreaterThan(12);
    expect(h.corners).toBeGreaterThan(6);
    expect(h.eyeOpen).toBeLessThan(-1);
    expect(h.lipGap).toBeGreaterThan(8); // a smile that shows teeth (13.5: the stock mouth's, on a closed mouth)
    expect(h.lipGap).toBeLessThan(20);
    expect(s.brow).toBeGreaterThan(4);
    expect(s.eyeOpen).toBeGreaterThan(1);
    expect(s.lipGap).toBeGreaterThan(10);
    expect(s.mouthWidth).toBeLessThan(1); // an "O"
    expect(a.browInner).toBeLessThan(-2.5);
    expect(a.browGap).toBeLessThan(-1.5);
    expect(a.eyeOpen).toBeLessThan(-2);
    expect(a.lipGap).toBeLessThan(1);
    expect(sa.corners).toBeLessThan(-2);
    expect(sa.browInner).toBeGreaterThan(sa.browOuter);
    expect(sa.browGap).toBeLessThan(0);
    expect(sa.lipGap).toBeLessThan(0.5);
  });

  it('fitted to the template is the stored displacement; to a wider mouth it is wider', () => {
    expectClose(presets.fitted('happy', T), presets.displacement('happy'));
    const wide = stretched(MOUTH, [1.2, 1, 1.2]);
    expect(presets.fitted('happy', wide)[291][0]).toBeCloseTo(presets.displacement('happy')[291][0] * 1.2, 4);
    expect(() => presets.fitted('nope' as never, T)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
  });
});
