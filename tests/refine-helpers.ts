/**
 * Test helpers for tests/refine.test.ts and tests/render.test.ts. The synthetic edits (mouth opened or
 * closed, renders that capture what the refiner gets) live in src/node/synthetic.ts, which tools use too;
 * re-exported here under the names the tests use.
 */
import { applyAffine, type AlignedCropRect } from '../src/engine/render/aligned-crop';
import type { Point2, Point3 } from '../src/engine/types';

export {
  closedMouthFace,
  openMouth,
  renderCapturingRefiner as renderTarget,
  renderMouthOpen,
  type MouthOpenResult,
} from '../src/node/synthetic';

/** Inner lip contour (MediaPipe FaceMesh), in order around the mouth opening. */
export { INNER_MOUTH_RING as INNER_LIPS } from '../src/engine/render/mouth-mask';

/** Image points -> crop pixel coordinates (u, v) of an S x S aligned crop (pixel centres at integers). */
export function toCrop(rect: AlignedCropRect, S: number, pts: readonly Point3[]): Point2[] {
  return pts.map((p) => {
    const [s, t] = applyAffine(rect.fromImage, p);
    return [s * S - 0.5, t * S - 0.5];
  });
}

export function insidePolygon(poly: readonly Point2[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** BT.601 luminance and chroma of an RGB 0..1 pixel. */
export function ycc(r: number, g: number, b: number): [number, number, number] {
  return [0.299 * r + 0.587 * g + 0.114 * b, -0.168736 * r - 0.331264 * g + 0.5 * b, 0.5 * r - 0.418688 * g - 0.081312 * b];
}
