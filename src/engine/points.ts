/**
 * Arithmetic on 3-D points and on shapes (one point per landmark, e.g. a face in the canonical frame or a
 * displacement between two faces). One copy, so the engine, the evaluation and the training scripts compute
 * displacements and projections the same way.
 */
import type { Point3 } from './types';

/** a - b. */
export const sub3 = (a: readonly number[], b: readonly number[]): Point3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
/** a · b. */
export const dot3 = (a: readonly number[], b: readonly number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
/** a × b. */
export const cross3 = (a: readonly number[], b: readonly number[]): Point3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
/** a scaled to unit length. */
export const unit3 = (a: readonly number[]): Point3 => {
  const n = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / n, a[1] / n, a[2] / n];
};

/** The displacement a - b, point by point. */
export const subShapes = (a: readonly Point3[], b: readonly Point3[]): Point3[] => a.map((p, i) => sub3(p, b[i]));

/** a + k·b, point by point. */
export const addScaled = (a: readonly Point3[], b: readonly Point3[], k: number): Point3[] =>
  a.map((p, i) => [p[0] + k * b[i][0], p[1] + k * b[i][1], p[2] + k * b[i][2]]);

/** Σ a_i · b_i over the points, each weighted by w_i when given. */
export const dotShapes = (a: readonly Point3[], b: readonly Point3[], w?: readonly number[]): number =>
  w ? a.reduce((s, p, i) => s + w[i] * dot3(p, b[i]), 0) : a.reduce((s, p, i) => s + p[0] * b[i][0] + p[1] * b[i][1] + p[2] * b[i][2], 0);

/** The point-by-point mean of shapes of equal length. */
export const meanShape = (list: readonly (readonly Point3[])[]): Point3[] =>
  list[0].map((_, j) => [0, 1, 2].map((c) => list.reduce((s, a) => s + a[j][c], 0) / list.length) as Point3);
