/**
 * Pure calculators for rotated square crops: the crop is `size` image pixels wide, centred on
 * `center`, rotated by `angle` (radians, the face's roll in the image), sampled to `out` pixels.
 */
import type { Point2, Point3 } from '../types';

export interface RotatedRect {
  center: Point2;
  size: number;
  angle: number;
}

/** The 8 projective-transform parameters (tf.image.transform) mapping crop pixels to source pixels. */
export function cropTransform(rect: RotatedRect, out: number, srcScale = 1): number[] {
  const k = rect.size / out / srcScale;
  const c = Math.cos(rect.angle) * k;
  const s = Math.sin(rect.angle) * k;
  const h = out / 2;
  const cx = rect.center[0] / srcScale;
  const cy = rect.center[1] / srcScale;
  // x_src = c*(u-h) - s*(v-h) + cx ; y_src = s*(u-h) + c*(v-h) + cy
  return [c, -s, cx - c * h + s * h, s, c, cy - s * h - c * h, 0, 0];
}

/** Maps a point in crop pixels back to image pixels; z is scaled like x and y. */
export function cropToImage(p: Point3, rect: RotatedRect, out: number): Point3 {
  const k = rect.size / out;
  const u = (p[0] - out / 2) * k;
  const v = (p[1] - out / 2) * k;
  const c = Math.cos(rect.angle);
  const s = Math.sin(rect.angle);
  return [rect.center[0] + c * u - s * v, rect.center[1] + s * u + c * v, p[2] * k];
}

/** Angle of the line from a to b (image y down), radians. */
export function lineAngle(a: Point2 | Point3, b: Point2 | Point3): number {
  return Math.atan2(b[1] - a[1], b[0] - a[0]);
}

/** Square rect, rotated by `angle`, that holds `points` with `scale` times their extent in the rotated frame. */
export function rectAroundPoints(points: (Point2 | Point3)[], angle: number, scale: number): RotatedRect {
  const c = Math.cos(-angle);
  const s = Math.sin(-angle);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (const p of points) {
    const u = c * p[0] - s * p[1];
    const v = s * p[0] + c * p[1];
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2;
  // rotate the centre back into image coordinates
  const cb = Math.cos(angle);
  const sb = Math.sin(angle);
  return { center: [cb * cu - sb * cv, sb * cu + cb * cv], size: Math.max(maxU - minU, maxV - minV) * scale, angle };
}
