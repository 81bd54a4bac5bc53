/**
 * The performer's own neutral face N(x) for the camera as the reference (worker-live.ts; the docs figure's script):
 * learned once, from the first calm frames of a camera session (the "Hold still" step), as the mean of their
 * canonical landmarks. Each later frame's face is then a reference whose neutral is that learned face, so the photo
 * moves by the performer's displacement from their own resting face. Until it is learned a frame is a reference
 * like any face (the disentangler's neutral of that frame), which leaves a resting performer's small difference
 * from that estimate on the photo.
 */
import type { Face, Point3 } from '../engine/index';

/** Calm frames averaged into the performer's neutral. */
const CALM_FRAMES = 5;
/** Landmark movement between frames, as a share of the face box's larger side, under which a frame is calm. */
const CALM_MOTION = 0.006;

function motion(a: readonly Point3[], b: readonly Point3[], side: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.hypot(a[i][0] - b[i][0], a[i][1] - b[i][1]);
  return sum / a.length / Math.max(1, side);
}

function mean(shapes: readonly (readonly Point3[])[]): Point3[] {
  const avg = (i: number, c: number) => shapes.reduce((s, p) => s + p[i][c], 0) / shapes.length;
  return shapes[0].map((_, i): Point3 => [avg(i, 0), avg(i, 1), avg(i, 2)]);
}

/** `face` as a reference whose neutral is `neutral` (the engine reads a reference Face's neutral() and canonical). */
function withNeutral(face: Face, neutral: Point3[]): Face {
  return Object.create(face, { neutral: { value: () => Promise.resolve(neutral) } }) as Face;
}

export interface Performer {
  /** The reference for the face of the next camera frame (its neutral learned once enough calm frames came). */
  reference(face: Face): Face;
  /** No face in a frame: the next one is not compared with the last. */
  lost(): void;
  reset(): void;
  /** The neutral is still being learned. */
  readonly calibrating: boolean;
}

export function createPerformer(calmFrames = CALM_FRAMES): Performer {
  let calm: Point3[][] = [];
  let neutral: Point3[] | null = null;
  let last: readonly Point3[] | null = null;
  return {
    reference(face) {
      const points = face.landmarks.points;
      if (!neutral && last && motion(last, points, Math.max(face.box.width, face.box.height)) < CALM_MOTION) {
        calm.push(face.canonical.points.map((p): Point3 => [p[0], p[1], p[2]]));
        if (calm.length >= calmFrames) neutral = mean(calm);
      }
      last = points;
      return neutral ? withNeutral(face, neutral) : face;
    },
    lost() {
      last = null;
    },
    reset() {
      calm = [];
      neutral = null;
      last = null;
    },
    get calibrating() {
      return neutral === null;
    },
  };
}
