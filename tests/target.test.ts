/** Stage 6 targets: retargeting to the source's proportions, the target formula, region masks, presets. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/engine/errors';
import { TEMPLATE } from '../src/engine/analyse/manifold';
import { ModelStore } from '../src/engine/runtime/models';
import { loadPresets, maskWeights, PRESET_NAMES, regionWeights, retarget, targetCanonical, type Presets } from '../src/engine/expression/target';
import type { Point3 } from '../src/engine/types';
import { fileByteSource } from '../src/node/platform';
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
    const more = targetCanonical(src, neutral, d, 1.5);
    expect(more[291][0]).toBeCloseTo(src[291][0] + 1.5 * (neutral[291][0] + 0.06 - src[291][0]), 12);
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

  it('fitted to the template is the stored displacement; to a wider mouth it is wider', () => {
    expectClose(presets.fitted('happy', T), presets.displacement('happy'));
    const wide = stretched(MOUTH, [1.2, 1, 1.2]);
    expect(presets.fitted('happy', wide)[291][0]).toBeCloseTo(presets.displacement('happy')[291][0] * 1.2, 4);
    expect(() => presets.fitted('nope' as never, T)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
  });
});
