/**
 * Stage 4, manifold: canonical landmarks. A 3-D similarity (Umeyama / Procrustes) fitted on points
 * that expressions barely move removes translation, scale and head rotation; units are the
 * inter-ocular distance (IOD) of the template. The transform is kept so targets go back to pixels.
 */
import { Matrix, SingularValueDecomposition, determinant } from 'ml-matrix';
import template from './template.json';
import { LANDMARK_SETS } from '../landmark-sets';
import type { CanonicalLandmarks, Point3, Similarity } from '../types';

/** Eye corners, nose bridge and ridge, temples, forehead: stable under expression (landmark-sets.json). */
export const STABLE_POINTS: readonly number[] = LANDMARK_SETS.stablePoints;
const EYE = LANDMARK_SETS.eyeCorners;
/** The subject's right eye, [outer, inner] corner; its centre is their midpoint. */
export const RIGHT_EYE: readonly [number, number] = [EYE.rightOuter, EYE.rightInner];
/** The subject's left eye, [inner, outer] corner. */
export const LEFT_EYE: readonly [number, number] = [EYE.leftInner, EYE.leftOuter];

/** The canonical template: 468 points of a frontal face, IOD 1, origin at the stable points' centroid. */
export const TEMPLATE: readonly Point3[] = template.points as Point3[];

export function eyeCentres(points: readonly Point3[]): [Point3, Point3] {
  const mid = (a: number, b: number): Point3 => [(points[a][0] + points[b][0]) / 2, (points[a][1] + points[b][1]) / 2, (points[a][2] + points[b][2]) / 2];
  return [mid(RIGHT_EYE[0], RIGHT_EYE[1]), mid(LEFT_EYE[0], LEFT_EYE[1])];
}

/** 3-D distance between the two eye centres. */
export function interOcular(points: readonly Point3[]): number {
  const [r, l] = eyeCentres(points);
  return Math.hypot(l[0] - r[0], l[1] - r[1], l[2] - r[2]);
}

/** Similarity that maps `from` onto `to` in the least-squares sense over `indices` (Umeyama 1991). */
export function fitSimilarity(from: readonly Point3[], to: readonly Point3[], indices: readonly number[]): Similarity {
  const n = indices.length;
  const mf = [0, 0, 0];
  const mt = [0, 0, 0];
  for (const i of indices)
    for (let k = 0; k < 3; k++) {
      mf[k] += from[i][k] / n;
      mt[k] += to[i][k] / n;
    }
  const cov = Matrix.zeros(3, 3);
  let varFrom = 0;
  for (const i of indices) {
    for (let r = 0; r < 3; r++) {
      const dt = to[i][r] - mt[r];
      for (let c = 0; c < 3; c++) cov.set(r, c, cov.get(r, c) + (dt * (from[i][c] - mf[c])) / n);
      varFrom += (from[i][r] - mf[r]) ** 2 / n;
    }
  }
  const svd = new SingularValueDecomposition(cov);
  const U = svd.leftSingularVectors;
  const V = svd.rightSingularVectors;
  const D = svd.diagonal;
  const sign = determinant(U) * determinant(V) < 0 ? -1 : 1;
  const S = Matrix.diag([1, 1, sign]);
  const R = U.mmul(S).mmul(V.transpose());
  const scale = (D[0] + D[1] + D[2] * sign) / varFrom;
  const rotation = R.to1DArray();
  const translation: Point3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) translation[r] = mt[r] - scale * (rotation[3 * r] * mf[0] + rotation[3 * r + 1] * mf[1] + rotation[3 * r + 2] * mf[2]);
  return { scale, rotation, translation };
}

export function applySimilarity(t: Similarity, p: readonly number[]): Point3 {
  const R = t.rotation;
  return [0, 1, 2].map((r) => t.scale * (R[3 * r] * p[0] + R[3 * r + 1] * p[1] + R[3 * r + 2] * p[2]) + t.translation[r]) as Point3;
}

export function invertSimilarity(t: Similarity, p: readonly number[]): Point3 {
  const R = t.rotation;
  const d = [p[0] - t.translation[0], p[1] - t.translation[1], p[2] - t.translation[2]];
  return [0, 1, 2].map((c) => (R[c] * d[0] + R[3 + c] * d[1] + R[6 + c] * d[2]) / t.scale) as Point3;
}

/** Canonical landmarks of image-space `points` (468 x 3). */
export function toCanonical(points: readonly Point3[]): CanonicalLandmarks {
  const transform = fitSimilarity(TEMPLATE, points, STABLE_POINTS);
  const canon = points.map((p) => invertSimilarity(transform, p));
  let sq = 0;
  for (const i of STABLE_POINTS) for (let k = 0; k < 3; k++) sq += (canon[i][k] - TEMPLATE[i][k]) ** 2;
  return { points: canon, transform, residual: Math.sqrt(sq / STABLE_POINTS.length) };
}

/** Canonical points back to image pixels through the face's transform. */
export function fromCanonical(points: readonly Point3[], transform: Similarity): Point3[] {
  return points.map((p) => applySimilarity(transform, p));
}

/** Head pose (degrees) from the canonical -> image rotation. */
export function headPose(t: Similarity): { yaw: number; pitch: number; roll: number } {
  const R = t.rotation;
  const deg = 180 / Math.PI;
  return {
    yaw: Math.atan2(-R[6], Math.hypot(R[7], R[8])) * deg,
    pitch: Math.atan2(R[7], R[8]) * deg,
    roll: Math.atan2(R[3], R[0]) * deg,
  };
}

/** Normalised mean error between two landmark sets, in % of b's inter-ocular distance (2-D or 3-D). */
export function nme(a: readonly Point3[], b: readonly Point3[], dims: 2 | 3 = 2): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    let d = 0;
    for (let k = 0; k < dims; k++) d += (a[i][k] - b[i][k]) ** 2;
    s += Math.sqrt(d);
  }
  return (100 * s) / a.length / interOcular(b);
}
