/**
 * The training contract's landmark index sets (src/engine/landmark-sets.json): valid FaceMesh indices, rings that
 * are closed contours of the mesh, the conventions the code relies on, the TypeScript exports equal to the file,
 * and (where python3 runs) the Python training reading the same values.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import json from '../src/engine/landmark-sets.json';
import { LANDMARK_SETS, type LandmarkSets } from '../src/engine/landmark-sets';
import { LEFT_EYE, RIGHT_EYE, STABLE_POINTS, TEMPLATE, eyeCentres, interOcular } from '../src/engine/analyse/manifold';
import { LEFT_EYE_OUTER, RIGHT_EYE_OUTER } from '../src/engine/analyse/mesh';
import { INNER_MOUTH_RING } from '../src/engine/render/mouth-mask';
import { BROW_POINTS, REGIONS, regionWeights } from '../src/engine/expression/target';

const ROOT = join(__dirname, '..');
const S: LandmarkSets = LANDMARK_SETS;
const E = S.eyeCorners;

const RINGS = ['innerMouthRing', 'outerLipRing', 'rightEyeRing', 'leftEyeRing', 'faceOval'] as const;
const POLYLINES = ['rightEyeCrease', 'leftEyeCrease'] as const;
const LISTS = ['stablePoints', ...RINGS, ...POLYLINES] as const;

const isIndex = (i: unknown) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < 468;
const key = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
const sorted = (a: readonly number[]) => [...a].sort((x, y) => x - y);
const names = (a: readonly string[] | object) => (Array.isArray(a) ? [...a] : Object.keys(a)).sort();

/** Edges of the FaceMesh triangulation (TRI468 of @vladmandic/human, the package the mesh model comes from). */
function meshEdges(): Set<string> {
  const src = readFileSync(join(ROOT, 'node_modules/@vladmandic/human/src/face/facemeshcoords.ts'), 'utf8');
  const m = src.match(/export const TRI468: number\[\] = \[([^\]]*)\]/);
  if (!m) throw new Error('TRI468 not found in @vladmandic/human');
  const tri = m[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  expect(tri.length).toBe(880 * 3);
  const edges = new Set<string>();
  for (let t = 0; t < tri.length; t += 3) for (let k = 0; k < 3; k++) edges.add(key(tri[t + k], tri[t + ((k + 1) % 3)]));
  return edges;
}

/** Signed area of the ring's polygon in the template's x, y (y down). */
function area(ring: readonly number[]): number {
  let a = 0;
  ring.forEach((i, k) => {
    const p = TEMPLATE[i];
    const q = TEMPLATE[ring[(k + 1) % ring.length]];
    a += p[0] * q[1] - q[0] * p[1];
  });
  return a / 2;
}

/** Whether segments pq and rs cross properly (template x, y). */
function cross(p: number, q: number, r: number, s: number): boolean {
  const o = (a: number, b: number, c: number) => {
    const [A, B, C] = [TEMPLATE[a], TEMPLATE[b], TEMPLATE[c]];
    return Math.sign((B[0] - A[0]) * (C[1] - A[1]) - (B[1] - A[1]) * (C[0] - A[0]));
  };
  return o(p, q, r) * o(p, q, s) < 0 && o(r, s, p) * o(r, s, q) < 0;
}

const meanY = (idx: readonly number[]) => idx.reduce((s, i) => s + TEMPLATE[i][1], 0) / idx.length;

/** Splits a ring [c0] + first + [c1] + second reversed at c1. */
function halves(ring: readonly number[], c0: number, c1: number): [number[], number[]] {
  expect(ring[0]).toBe(c0);
  const k = ring.indexOf(c1);
  expect(k).toBeGreaterThan(1);
  const first = ring.slice(1, k);
  const second = ring.slice(k + 1).reverse();
  expect(first.length).toBe(second.length);
  return [first, second];
}

describe('landmark-sets.json', () => {
  it('has every set of the interface, with a comment', () => {
    expect(typeof json.comment).toBe('string');
    expect(json.comment.length).toBeGreaterThan(20);
    expect(names(json)).toEqual(names(['comment', 'stablePoints', 'eyeCorners', 'mouthCorners', ...RINGS, ...POLYLINES, 'regionParts']));
    expect(names(json.eyeCorners)).toEqual(names(['rightOuter', 'rightInner', 'leftInner', 'leftOuter']));
    for (const pair of [S.mouthCorners.inner, S.mouthCorners.outer]) expect(pair).toHaveLength(2);
    for (const part of S.regionParts) {
      expect(names(part)).toEqual(names(['region', 'anchors', 'x', 'y', 'z']));
      for (const pair of [part.x, part.y, part.z]) {
        expect(pair).toHaveLength(2);
        expect(pair[0]).not.toBe(pair[1]);
      }
    }
  });

  it('holds FaceMesh indices 0..467, none twice in a set', () => {
    const sets: [string, readonly number[]][] = [
      ...LISTS.map((k): [string, readonly number[]] => [k, S[k]]),
      ['eyeCorners', Object.values(E)],
      ['mouthCorners', [...S.mouthCorners.inner, ...S.mouthCorners.outer]],
      ...S.regionParts.map((p, k): [string, readonly number[]] => [`regionParts[${k}]`, [...p.anchors]]),
      ...S.regionParts.map((p, k): [string, readonly number[]] => [`regionParts[${k}] pairs`, [...p.x, ...p.y, ...p.z]]),
    ];
    for (const [name, set] of sets) {
      expect(set.length, name).toBeGreaterThan(0);
      expect(set.every(isIndex), `${name}: indices in 0..467`).toBe(true);
      if (!name.endsWith('pairs')) expect(new Set(set).size, `${name}: no duplicates`).toBe(set.length);
    }
  });

  it('rings are closed contours of the mesh (last joins first), simple polygons on the template; creases are mesh paths', () => {
    const edges = meshEdges();
    for (const name of RINGS) {
      const ring = S[name];
      expect(ring.length, name).toBeGreaterThanOrEqual(3);
      expect(ring[0], `${name}: not repeated at the end`).not.toBe(ring[ring.length - 1]);
      const sides = ring.map((i, k) => [i, ring[(k + 1) % ring.length]]);
      const missing = sides.filter(([a, b]) => !edges.has(key(a, b))).map(([a, b]) => `${a}-${b}`);
      expect(missing, `${name}: ring edges that are not mesh edges`).toEqual([]);
      expect(Math.abs(area(ring)), `${name}: encloses an area on the template`).toBeGreaterThan(0.01);
      const n = ring.length;
      for (let a = 0; a < n; a++) {
        for (let b = a + 2; b < n; b++) {
          if (a === 0 && b === n - 1) continue; // adjacent through the closing edge
          expect(cross(ring[a], ring[a + 1], ring[b], ring[(b + 1) % n]), `${name}: edges ${a} and ${b} cross`).toBe(false);
        }
      }
    }
    for (const name of POLYLINES) {
      const line = S[name];
      for (let k = 0; k + 1 < line.length; k++) expect(edges.has(key(line[k], line[k + 1])), `${name}: ${line[k]}-${line[k + 1]}`).toBe(true);
    }
  });

  it('rings start at a corner and split at the other into an upper and a lower half (template y down)', () => {
    const [mu, ml] = halves(S.innerMouthRing, S.mouthCorners.inner[0], S.mouthCorners.inner[1]);
    expect(meanY(mu)).toBeLessThan(meanY(ml));
    const [ru, rl] = halves(S.rightEyeRing, E.rightOuter, E.rightInner);
    expect(meanY(ru)).toBeLessThan(meanY(rl));
    const [lu, ll] = halves(S.leftEyeRing, E.leftOuter, E.leftInner);
    expect(meanY(lu)).toBeLessThan(meanY(ll));
    // the outer lip ring runs under the lower lip first
    const [ol, ou] = halves(S.outerLipRing, S.mouthCorners.outer[0], S.mouthCorners.outer[1]);
    expect(meanY(ou)).toBeLessThan(meanY(ol));
    // one crease point per upper-lid point (eye closing moves them together), above the lid
    expect(S.rightEyeCrease).toHaveLength(ru.length);
    expect(S.leftEyeCrease).toHaveLength(lu.length);
    expect(meanY(S.rightEyeCrease)).toBeLessThan(meanY(ru));
    expect(meanY(S.leftEyeCrease)).toBeLessThan(meanY(lu));
    // the subject's right eye is on the image left
    expect(TEMPLATE[E.rightOuter][0]).toBeLessThan(TEMPLATE[E.rightInner][0]);
    expect(TEMPLATE[E.rightInner][0]).toBeLessThan(TEMPLATE[E.leftInner][0]);
    expect(TEMPLATE[E.leftInner][0]).toBeLessThan(TEMPLATE[E.leftOuter][0]);
  });

  it('the template was built on these stable points and eye corners (origin at their centroid, IOD 1)', () => {
    for (const c of Object.values(E)) expect(S.stablePoints).toContain(c);
    for (let k = 0; k < 3; k++) expect(Math.abs(S.stablePoints.reduce((s, i) => s + TEMPLATE[i][k], 0) / S.stablePoints.length)).toBeLessThan(1e-5);
    expect(interOcular(TEMPLATE)).toBeCloseTo(1, 4);
  });

  it('region parts: the four regions, disjoint anchors, mouth = both lip rings, eyes = the eye rings', () => {
    expect(names([...new Set(S.regionParts.map((p) => p.region))])).toEqual(names(REGIONS));
    const all = S.regionParts.flatMap((p) => p.anchors);
    expect(new Set(all).size).toBe(all.length);
    const anchors = (region: string) => sorted(S.regionParts.filter((p) => p.region === region).flatMap((p) => p.anchors));
    expect(anchors('mouth')).toEqual(sorted([...S.outerLipRing, ...S.innerMouthRing]));
    expect(anchors('eyes')).toEqual(sorted([...S.rightEyeRing, ...S.leftEyeRing]));
    for (const c of [...S.mouthCorners.outer]) expect(anchors('mouth')).toContain(c);
  });
});

describe('the TypeScript exports are the JSON', () => {
  it('manifold, mesh, mouth-mask', () => {
    expect(STABLE_POINTS).toEqual(json.stablePoints);
    expect(RIGHT_EYE).toEqual([json.eyeCorners.rightOuter, json.eyeCorners.rightInner]);
    expect(LEFT_EYE).toEqual([json.eyeCorners.leftInner, json.eyeCorners.leftOuter]);
    expect(RIGHT_EYE_OUTER).toBe(json.eyeCorners.rightOuter);
    expect(LEFT_EYE_OUTER).toBe(json.eyeCorners.leftOuter);
    expect(INNER_MOUTH_RING).toEqual(json.innerMouthRing);
    const [r, l] = eyeCentres(TEMPLATE);
    expect(r[0]).toBeLessThan(l[0]);
  });

  it('target.ts parts', () => {
    expect(BROW_POINTS).toEqual(json.regionParts.filter((p) => p.region === 'brows').flatMap((p) => p.anchors));
    const w = regionWeights();
    for (const part of json.regionParts) for (const i of part.anchors) expect(w[i][part.region as (typeof REGIONS)[number]], `${i} in ${part.region}`).toBe(1);
  });
});

/** python3 on PATH (the test is skipped without it; training/landmark_sets.py needs no torch). */
const python = spawnSync('python3', ['--version']).status === 0 && existsSync(join(ROOT, 'training/landmark_sets.py'));

describe.skipIf(!python)('Python reads the same sets (training/landmark_sets.py)', () => {
  it('checks the file and returns what TypeScript has', () => {
    const run = spawnSync('python3', [join(ROOT, 'training/landmark_sets.py')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const py = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(py.STABLE_POINTS).toEqual(STABLE_POINTS);
    expect(py.R_EYE_CORNERS).toEqual(RIGHT_EYE);
    expect(py.L_EYE_CORNERS).toEqual(LEFT_EYE);
    expect(py.INNER_MOUTH_RING).toEqual(INNER_MOUTH_RING);
    expect(py.MOUTH_CORNERS_INNER).toEqual(S.mouthCorners.inner);
    expect(py.LIPS_OUTER).toEqual(S.outerLipRing);
    expect(py.R_EYE_RING).toEqual(S.rightEyeRing);
    expect(py.L_EYE_RING).toEqual(S.leftEyeRing);
    expect(py.R_EYE_CREASE).toEqual(S.rightEyeCrease);
    expect(py.L_EYE_CREASE).toEqual(S.leftEyeCrease);
    expect(py.FACE_OVAL).toEqual(S.faceOval);
    expect(py.REGION_PARTS).toEqual(S.regionParts);
    expect(py.INNER_UPPER).toEqual(halves(S.innerMouthRing, 78, 308)[0]);
    expect(py.INNER_LOWER).toEqual(halves(S.innerMouthRing, 78, 308)[1]);
    expect(py.R_EYE_UPPER).toEqual(halves(S.rightEyeRing, E.rightOuter, E.rightInner)[0]);
    expect(py.L_EYE_LOWER).toEqual(halves(S.leftEyeRing, E.leftOuter, E.leftInner)[1]);
  });
});
