/**
 * Synthetic edits of a real photo, for tools and tests (scripts/bench-render.ts, scripts/check-render-webgpu.ts,
 * scripts/bench-refiner-windows.ts, training/refiner_demo.ts, tests/refine.test.ts, tests/render.test.ts,
 * tests/refine-windows.test.ts): target landmarks with the mouth opened or closed or the eyes closing, a
 * closed-mouth photo made of real pixels by the warp, and renders through the real render session that
 * capture what the refiner is given.
 */
import type { Point3, RGBAImage } from '../engine/index';
import { createRenderSession, fromCanonical, LANDMARK_SETS, type AlignedCropRect, type FaceAnalysis, type Refiner } from '../engine/tools';

/** Target landmarks with the jaw dropped: points below the lips' meeting line move down by up to `amount` IOD (canonical space). */
export function openMouth(f: FaceAnalysis, amount: number): Point3[] {
  const c = f.canonical.points;
  const lipLine = (c[13][1] + c[14][1]) / 2;
  const moved = c.map((p) => {
    const below = Math.min(1, Math.max(0, (p[1] - lipLine) / 0.1));
    const jaw = Math.max(0, 1 - (Math.abs(p[0]) / 1.1) ** 2);
    return [p[0], p[1] + amount * below * jaw, p[2]] as Point3;
  });
  return fromCanonical(moved, f.canonical.transform);
}

/**
 * `points` with both eyes closed to `open` of their opening: each upper-lid point and the lower-lid point under it
 * move toward their midpoint (closing eyes are painted too: windows for the eyes). Shut (0), an eye ring has no
 * area left and paints nothing (mouth-mask.ts eyeMask is the target's eye polygon).
 */
export function closeEyes(points: Point3[], open = 0.3): Point3[] {
  const out = points.map((p) => [...p] as Point3);
  for (const ring of [LANDMARK_SETS.rightEyeRing, LANDMARK_SETS.leftEyeRing]) {
    const half = ring.length / 2; // outer corner, 7 upper-lid points, inner corner, 7 lower-lid points back
    for (let k = 1; k < half; k++) {
      const up = points[ring[k]];
      const low = points[ring[ring.length - k]];
      const mid = [0, 1, 2].map((j) => (up[j] + low[j]) / 2);
      out[ring[k]] = mid.map((m, j) => m + (open * (up[j] - low[j])) / 2) as Point3;
      out[ring[ring.length - k]] = mid.map((m, j) => m - (open * (up[j] - low[j])) / 2) as Point3;
    }
  }
  return out;
}

/** Canonical points with the mouth closed (inner lips meet at their midpoints, the jaw follows): training/refiner_data.py close_mouth, t = 1. */
function closeMouth(c: readonly Point3[]): Point3[] {
  const up = [191, 80, 81, 82, 13, 312, 311, 310, 415];
  const lo = [95, 88, 178, 87, 14, 317, 402, 318, 324];
  const gap = up.reduce((s, u, k) => s + Math.max(0, c[lo[k]][1] - c[u][1]), 0) / up.length;
  const mx = [...up, ...lo].reduce((s, i) => s + c[i][0], 0) / (up.length + lo.length);
  const my = (up.reduce((s, i) => s + c[i][1], 0) + lo.reduce((s, i) => s + c[i][1], 0)) / (2 * up.length);
  const out = c.map((p) => {
    const wx = Math.exp(-((p[0] - mx) ** 2) / (2 * 0.55 ** 2));
    const dy = p[1] > my ? (-gap / 2) * wx * Math.exp(-((p[1] - my) ** 2) / (2 * 0.9 ** 2)) : (gap / 2) * wx * Math.exp(-((p[1] - my) ** 2) / (2 * 0.25 ** 2));
    return [p[0], p[1] + dy, p[2]] as Point3;
  });
  up.forEach((u, k) => {
    const mid = [0, 1, 2].map((j) => (c[u][j] + c[lo[k]][j]) / 2) as Point3;
    out[u] = mid;
    out[lo[k]] = [...mid] as Point3;
  });
  return out;
}

/** The photo with its mouth closed by the warp alone (no refiner): a closed-mouth face made from real pixels. */
async function closedMouthPhoto(image: RGBAImage, face: FaceAnalysis): Promise<RGBAImage> {
  const session = await createRenderSession(image, face);
  try {
    return await session.renderFull(fromCanonical(closeMouth(face.canonical.points), face.canonical.transform));
  } finally {
    session.dispose();
  }
}

/**
 * The photo with its mouth closed by the warp, and its analysis with the landmarks it was warped to (inner lips
 * touching). Re-analysing the pixels instead finds her lips a little apart (inner-mouth area 144 crop px where
 * the closed landmarks have ~0): the warp squeezes her teeth into a bright line that the mesh takes for a gap.
 */
export async function closedMouthFace(image: RGBAImage, face: FaceAnalysis): Promise<{ image: RGBAImage; face: FaceAnalysis }> {
  const closedCanon = closeMouth(face.canonical.points);
  const closed: FaceAnalysis = {
    ...face,
    landmarks: { ...face.landmarks, points: fromCanonical(closedCanon, face.canonical.transform) },
    canonical: { ...face.canonical, points: closedCanon },
  };
  return { image: await closedMouthPhoto(image, face), face: closed };
}

export interface MouthOpenResult {
  /** The aligned crop of the warp-only render (what the refiner received), [S*S*3] RGB 0..1. */
  crop: Float32Array;
  /** The refiner's output on it and its attention mask [S*S]. */
  refined: Float32Array;
  mask: Float32Array;
  /** The target's inner-mouth mask the session gave the refiner [S*S]. */
  mouth: Float32Array;
  size: number;
  rect: AlignedCropRect;
  target: Point3[];
  /** Full photos: warp only, and warp + refiner pasted back by the render session. */
  warpOnly: RGBAImage;
  withRefiner: RGBAImage;
}

/** What is captured of the refiner: the real refiner's interface, attention included (the session pastes by it). */
type CapturedRefiner = Pick<Refiner, 'size' | 'crop' | 'refineWithMask'>;

/** Renders `target` (image points) through the real render session with `refiner`, capturing what the refiner gets and gives. */
export async function renderCapturingRefiner(image: RGBAImage, face: FaceAnalysis, refiner: CapturedRefiner, target: Point3[]): Promise<MouthOpenResult> {
  const captured: { crop?: Float32Array; refined?: Float32Array; mask?: Float32Array; mouth?: Float32Array } = {};
  const spy: Refiner = {
    size: refiner.size,
    crop: refiner.crop,
    refineWithMask(crop, mouth) {
      const r = refiner.refineWithMask(crop, mouth);
      captured.crop = crop.dataSync() as Float32Array;
      captured.mouth = mouth?.dataSync() as Float32Array | undefined;
      captured.refined = r.image.dataSync() as Float32Array;
      captured.mask = r.mask.dataSync() as Float32Array;
      return r;
    },
    dispose() {},
  };
  // the whole crop: what the refiner is given and gives is captured at S x S (not its windows around the paint region)
  const session = await createRenderSession(image, face, { refiner: spy, fullCropRefiner: true });
  try {
    const withRefiner = await session.renderFull(target);
    const warpOnly = await session.renderFull(target, { useRefiner: false });
    if (!captured.crop || !captured.refined || !captured.mask || !captured.mouth)
      throw new Error('the render session did not call the refiner with a mouth mask');
    return {
      crop: captured.crop,
      refined: captured.refined,
      mask: captured.mask,
      mouth: captured.mouth,
      size: refiner.size,
      rect: session.crop,
      target,
      warpOnly,
      withRefiner,
    };
  } finally {
    session.dispose();
  }
}

/** The photo with the mouth opened by `amount` (openMouth) through the real render session and `refiner`, capturing the crop it is handed. */
export function renderMouthOpen(image: RGBAImage, face: FaceAnalysis, refiner: CapturedRefiner, amount: number): Promise<MouthOpenResult> {
  return renderCapturingRefiner(image, face, refiner, openMouth(face, amount));
}
