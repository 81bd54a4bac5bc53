/**
 * Stages 1-4, analyse: a photo's pixels -> face boxes -> per face, landmarks and canonical landmarks.
 * `createEditor` (edit/editor.ts) builds one over its detector and mesh. Boxes and landmarks are always in
 * the original image's pixels.
 *
 * Finding faces (`findFaces`): BlazeFace sees any image at 256 x 256, so a small face in a large photo
 * is a few detector pixels, where its boxes are inaccurate or doubled and false ones appear. So:
 *  0. the glance: the whole photo at GLANCE_INPUT; when it sees only large, sure faces, they are the answer;
 *  1. the whole photo (a box-downscaled copy when a side exceeds `maxSide`) is searched once;
 *  2. every box the detector saw narrower than REFINE_BELOW_INPUT_PX is searched again on a cut of the
 *     full-resolution photo ZOOM times its size around it: the faces found there replace it (with
 *     their accurate boxes), a box with no face there is dropped as a false detection;
 *  3. when that leaves nothing, the whole pass's weak boxes (WEAK_SCORE up to the detector's
 *     threshold) are verified the same way; when that leaves nothing either, a photo the whole pass saw
 *     coarsely is searched in overlapping tiles (at most MAX_TILES), whose small boxes go through step 2;
 *  4. duplicates (overlapping boxes) are merged.
 * Each search is one detector run: a photo whose faces the whole pass sees at 24 detector pixels or
 * more costs one run, as before; zoomed searches are capped (MAX_ZOOMS); step 3 runs only when no face
 * was found.
 * Landmarks (`face`) come from the mesh run on a crop of the full-resolution photo (mesh.ts), checked
 * against the box they were asked for, then the size and pose rules.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import type { CanonicalLandmarks, DecodedImage, FaceBox, FaceLandmarks, Point3, RGBAImage, TrackedFrame } from '../types';
import { decodeImage, type ImageInput } from './decode';
import { DETECTOR_INPUT, type FaceDetector } from './detect';
import { cutRegion, downscaleBox, pixelsToTensor } from './image-ops';
import { eyeCentres, headPose, interOcular, toCanonical } from './manifold';
import type { FaceMesh } from './mesh';

export const DEFAULT_ANALYSIS_MAX_SIDE = 2048;
/**
 * Faces whose eyes are closer than this (original pixels) are refused as too small to edit: the landmarks
 * would still be found, but the features an expression moves (brows, lids, lips) would move a pixel or
 * two, too little for the edit to read; the limit keeps a margin above that.
 */
export const MIN_IOD_PX = 16;
/** The same limit as a face width, as the FACE_TOO_SMALL message says it: a frontal face's box is about 2.4 IOD wide. */
export const MIN_FACE_WIDTH_PX = 40;
/** Faces turned further than this (degrees of yaw or pitch) are refused. */
export const MAX_TURN_DEG = 45;

export interface FaceAnalysis {
  box: FaceBox;
  landmarks: FaceLandmarks;
  canonical: CanonicalLandmarks;
}

/** Boxes the whole-photo pass saw narrower than this (detector input pixels) are searched again, zoomed. */
const REFINE_BELOW_INPUT_PX = 24;
/** The zoomed search's cut is this many times the box's size (at least DETECTOR_INPUT / 2 pixels). */
const ZOOM = 4;
/** At most this many zoomed searches per photo (the largest boxes first); each is one detector run. */
const MAX_ZOOMS = 8;
/** At most this many tiles (3 x 3) when the whole-photo pass found nothing; each is one detector run. */
const MAX_TILES = 9;
const TILE_OVERLAP = 0.25;
/** When the whole pass finds no face at the detector's threshold, its boxes down to this score are verified by zooming. */
const WEAK_SCORE = 0.3;
/** Faces the detector sees narrower than this (input pixels) are often missed. */
const MIN_FOUND_INPUT_PX = 12;
/**
 * Step 0, the glance: the detector first sees the whole photo at this side, a quarter of its own input's work (the
 * network is fully convolutional). A portrait's face is large there, and its box is what the mesh needs.
 */
const GLANCE_INPUT = 128;
/**
 * The glance's faces are taken when every box it sees, weak ones included, is a face at the detector's threshold and
 * at least this wide (glance pixels: a sixth of the photo's long side; the mesh's two passes make landmarks from
 * such a box that differ from those of the whole pass's box by about 1 % of the eye distance). Anything smaller or weaker (a face in the
 * background, a group) goes through steps 1-4, which see faces down to MIN_FOUND_INPUT_PX at DETECTOR_INPUT.
 */
const GLANCE_TAKE_PX = 20;

export interface AnalysedPhoto {
  readonly image: DecodedImage;
  readonly faces: FaceBox[];
  /** Analysis copy's size relative to the original (1 = analysed at full size): the copy faces were searched on. */
  readonly analysisScale: number;
  /** Landmarks of face `index` (cached); rejects with FACE_TOO_SMALL / FACE_TURNED_AWAY / NO_FACE when it cannot be edited. */
  face(index: number): Promise<FaceAnalysis>;
  dispose(): void;
}

export interface Analyser {
  open(input: ImageInput | RGBAImage): Promise<AnalysedPhoto>;
}

function isPixels(x: unknown): x is RGBAImage {
  return typeof x === 'object' && x !== null && 'data' in x && 'width' in x && 'height' in x;
}

const area = (b: FaceBox) => b.width * b.height;
function overlap(a: FaceBox, b: FaceBox): { iou: number; ofSmaller: number } {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const i = w > 0 && h > 0 ? w * h : 0;
  return { iou: i / (area(a) + area(b) - i), ofSmaller: i / Math.min(area(a), area(b)) };
}

/** Greedy non-maximum suppression by score: a box overlapping a better one (IoU > 0.3, or mostly inside it) is a duplicate. */
export function mergeBoxes(boxes: readonly FaceBox[]): FaceBox[] {
  const kept: FaceBox[] = [];
  for (const b of [...boxes].sort((p, q) => q.score - p.score)) {
    if (
      kept.every((k) => {
        const o = overlap(k, b);
        return o.iou <= 0.3 && o.ofSmaller <= 0.6;
      })
    )
      kept.push(b);
  }
  return kept.sort((p, q) => area(q) - area(p));
}

function shiftBox(b: FaceBox, dx: number, dy: number): FaceBox {
  return { ...b, x: b.x + dx, y: b.y + dy, keypoints: b.keypoints.map(([x, y]) => [x + dx, y + dy]) };
}

/**
 * Tiles (analysis pixels) covering a w x h image with TILE_OVERLAP, at most MAX_TILES, each at least
 * twice the detector's input (smaller tiles would see little the whole pass did not); none for images
 * that one such tile covers.
 */
export function tileGrid(w: number, h: number): { x: number; y: number; side: number }[] {
  const long = Math.max(w, h);
  const perSide = Math.floor(Math.sqrt(MAX_TILES));
  const side = Math.max(2 * DETECTOR_INPUT, Math.ceil(long / (perSide - (perSide - 1) * TILE_OVERLAP)));
  if (side >= long) return [];
  const starts = (n: number) => {
    if (n <= side) return [0];
    const k = Math.ceil((n - side) / (side * (1 - TILE_OVERLAP))) + 1;
    return Array.from({ length: k }, (_, i) => Math.round(((n - side) * i) / (k - 1)));
  };
  const tiles: { x: number; y: number; side: number }[] = [];
  for (const y of starts(h)) for (const x of starts(w)) tiles.push({ x, y, side });
  return tiles.slice(0, MAX_TILES);
}

/**
 * Whether the mesh landed on the face the detector boxed: its eye midpoint inside the box grown by
 * half its size, and its eyes neither far smaller nor far larger than the box (frontal faces: IOD is
 * about 0.4 of the box; 0.15..1 allows for turned heads and loose boxes).
 */
function meshMatchesBox(points: readonly Point3[], box: FaceBox): boolean {
  const [r, l] = eyeCentres(points);
  const mx = (r[0] + l[0]) / 2;
  const my = (r[1] + l[1]) / 2;
  const side = Math.max(box.width, box.height);
  const inside = mx > box.x - side / 2 && mx < box.x + box.width + side / 2 && my > box.y - side / 2 && my < box.y + box.height + side / 2;
  const ratio = interOcular(points) / side;
  return inside && ratio > 0.15 && ratio < 1;
}

/** Width (image pixels) below which a face may go unfound in a w x h photo: the detector's limit at the finest search (tiles, else the whole photo). */
export function smallestFindableFace(width: number, height: number, maxSide = DEFAULT_ANALYSIS_MAX_SIDE): number {
  const f = Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
  const w = Math.floor(width / f);
  const h = Math.floor(height / f);
  const tiles = tileGrid(w, h);
  const searched = tiles.length > 0 ? tiles[0].side : Math.max(w, h);
  return Math.ceil((MIN_FOUND_INPUT_PX * searched * f) / DETECTOR_INPUT);
}

/** Landmarks of the face in `box`, checked against the box, then the size and pose rules. */
async function analyzeFace(mesh: FaceMesh, image: RGBAImage, box: FaceBox, passes?: number): Promise<FaceAnalysis> {
  const m = await mesh.estimate(image, box, passes);
  if (m.score < 0.5) throw new EditorError(ErrorCode.NO_FACE, `mesh confidence ${m.score.toFixed(2)}`);
  if (!meshMatchesBox(m.points, box)) throw new EditorError(ErrorCode.NO_FACE, 'the landmarks do not match the detected face');
  const canonical = toCanonical(m.points);
  const pose = headPose(canonical.transform);
  const iod = interOcular(m.points);
  if (iod < MIN_IOD_PX) throw new EditorError(ErrorCode.FACE_TOO_SMALL, `${iod.toFixed(0)} px between the eyes, ${MIN_IOD_PX} needed`);
  if (Math.abs(pose.yaw) > MAX_TURN_DEG || Math.abs(pose.pitch) > MAX_TURN_DEG)
    throw new EditorError(ErrorCode.FACE_TURNED_AWAY, `yaw ${pose.yaw.toFixed(0)}°, pitch ${pose.pitch.toFixed(0)}°`);
  return { box, landmarks: { points: m.points, score: m.score, pose }, canonical };
}

/** Detector run on a square cut of the full-resolution image (side px at (x0, y0)), boxes in image pixels. */
async function detectCut(detector: FaceDetector, image: RGBAImage, x0: number, y0: number, side: number): Promise<FaceBox[]> {
  const f = Math.max(1, Math.floor(side / DETECTOR_INPUT));
  const n = Math.ceil(side / f);
  const t = pixelsToTensor(cutRegion(image, x0, y0, n, n, f));
  try {
    return (await detector.detect(t, f)).map((b) => shiftBox(b, x0, y0));
  } finally {
    t.dispose();
  }
}

/** Step 0: the faces the glance sees in `small` (the analysis copy, 1/f of the photo), or null when they are not enough. */
async function glanceFaces(detector: FaceDetector, small: RGBAImage, f: number): Promise<FaceBox[] | null> {
  const long = Math.max(small.width, small.height);
  const k = Math.max(1, Math.floor(long / GLANCE_INPUT));
  const t = pixelsToTensor(downscaleBox(small, k));
  const seen = await detector.detect(t, f * k, Math.min(WEAK_SCORE, detector.minScore), GLANCE_INPUT).finally(() => t.dispose());
  const pxPerGlance = (long * f) / GLANCE_INPUT;
  const sure = seen.every((b) => b.score >= detector.minScore && Math.max(b.width, b.height) / pxPerGlance >= GLANCE_TAKE_PX);
  return seen.length > 0 && sure ? mergeBoxes(seen) : null;
}

export function createAnalyser(detector: FaceDetector, mesh: FaceMesh, maxSide = DEFAULT_ANALYSIS_MAX_SIDE, glance = true): Analyser {
  /**
   * Step 2: boxes seen at `pxPerInput` image pixels per detector pixel; small ones (all with `verifyAll`)
   * are replaced by what a zoomed search around them finds.
   */
  async function refine(image: RGBAImage, boxes: FaceBox[], pxPerInput: number, budget: { zooms: number }, verifyAll: boolean): Promise<FaceBox[]> {
    const out: FaceBox[] = [];
    const searched: { x0: number; y0: number; side: number }[] = [];
    const inner = (r: { x0: number; y0: number; side: number }, cx: number, cy: number) => {
      const m = r.side / 8; // a face cut by the border is found better by the zoom around its own box
      return cx > r.x0 + m && cx < r.x0 + r.side - m && cy > r.y0 + m && cy < r.y0 + r.side - m;
    };
    for (const b of [...boxes].sort((p, q) => area(q) - area(p))) {
      const seen = Math.max(b.width, b.height) / pxPerInput;
      if (seen >= REFINE_BELOW_INPUT_PX && !verifyAll) {
        out.push(b);
        continue;
      }
      const cx = b.x + b.width / 2;
      const cy = b.y + b.height / 2;
      if (searched.some((r) => inner(r, cx, cy))) continue; // an earlier zoom already searched here
      if (budget.zooms <= 0) continue; // an unverified small box is dropped rather than trusted
      budget.zooms--;
      const side = Math.round(Math.max(ZOOM * Math.max(b.width, b.height), DETECTOR_INPUT / 2));
      const r = { x0: Math.round(cx - side / 2), y0: Math.round(cy - side / 2), side };
      searched.push(r);
      for (const z of await detectCut(detector, image, r.x0, r.y0, side)) if (inner(r, z.x + z.width / 2, z.y + z.height / 2)) out.push(z);
    }
    return out;
  }

  /** Steps 1-4 (see the file's comment). */
  async function findFaces(image: RGBAImage): Promise<{ faces: FaceBox[]; scale: number }> {
    const f = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
    const small = downscaleBox(image, f);
    // The whole pass sees the photo at DETECTOR_INPUT: box-average it down on the CPU first (a 256 px tensor, not a
    // multi-megapixel one to upload and resize, and no aliasing from bilinear sampling of a much larger image).
    const long = Math.max(small.width, small.height);
    if (glance) {
      const seen = await glanceFaces(detector, small, f);
      if (seen) return { faces: seen, scale: f };
    }
    const g = Math.max(1, Math.floor(long / DETECTOR_INPUT));
    const tensor = pixelsToTensor(downscaleBox(small, g));
    const budget = { zooms: MAX_ZOOMS };
    try {
      const pxPerInput = (long * f) / DETECTOR_INPUT;
      const whole = await detector.detect(tensor, f * g, Math.min(WEAK_SCORE, detector.minScore));
      let faces = await refine(
        image,
        whole.filter((b) => b.score >= detector.minScore),
        pxPerInput,
        budget,
        false,
      );
      if (faces.length === 0)
        faces = await refine(
          image,
          whole.filter((b) => b.score < detector.minScore),
          pxPerInput,
          budget,
          true,
        );
      if (faces.length === 0) {
        for (const t of tileGrid(small.width, small.height)) {
          const tile = pixelsToTensor(cutRegion(small, t.x, t.y, Math.min(t.side, small.width - t.x), Math.min(t.side, small.height - t.y)));
          let found: FaceBox[];
          try {
            found = (await detector.detect(tile, f)).map((b) => shiftBox(b, t.x * f, t.y * f));
          } finally {
            tile.dispose();
          }
          faces.push(...(await refine(image, found, (t.side * f) / DETECTOR_INPUT, budget, false)));
        }
      }
      return { faces: mergeBoxes(faces), scale: f };
    } finally {
      tensor.dispose();
    }
  }

  return {
    async open(input) {
      const image: DecodedImage = isPixels(input) ? { ...input, orientation: 1, mimeType: 'image/raw' } : await decodeImage(input);
      const known = isPixels(input) && 'faces' in input ? (input as TrackedFrame).faces : null;
      const { faces, scale } = known ? { faces: known.map((b) => ({ ...b, keypoints: [...b.keypoints] })), scale: 1 } : await findFaces(image);
      const cache = new Map<number, Promise<FaceAnalysis>>();
      let disposed = false;
      return {
        image,
        faces,
        analysisScale: scale,
        face(index: number) {
          if (disposed) return Promise.reject(new EditorError(ErrorCode.DISPOSED));
          if (faces.length === 0)
            return Promise.reject(
              new EditorError(
                ErrorCode.NO_FACE,
                `none found; faces narrower than about ${smallestFindableFace(image.width, image.height, maxSide)} px can be missed in a ${image.width} x ${image.height} photo`,
              ),
            );
          if (!(Number.isInteger(index) && index >= 0 && index < faces.length))
            return Promise.reject(new EditorError(ErrorCode.BAD_ARGUMENT, `face ${index} of ${faces.length}`));
          let p = cache.get(index);
          if (!p) {
            // a tracked box is already the last frame's landmarks: one pass, as MediaPipe does on video
            p = analyzeFace(mesh, image, faces[index], known ? 1 : undefined);
            cache.set(index, p);
          }
          return p;
        },
        dispose: () => {
          disposed = true;
          cache.clear();
        },
      };
    },
  };
}

/** One inference of each model so shader compilation happens at load time, not on the first photo. */
export async function warmUpAnalysis(detector: FaceDetector, mesh: FaceMesh): Promise<void> {
  const img = tf.fill([64, 64, 3], 128) as tf.Tensor3D;
  try {
    await detector.detect(img, 1, undefined, GLANCE_INPUT); // shaders are built per input size: the glance's and the whole pass's
    await detector.detect(img);
  } finally {
    img.dispose();
  }
  const grey: RGBAImage = { width: 64, height: 64, data: new Uint8ClampedArray(64 * 64 * 4).fill(128) };
  await mesh.estimate(
    grey,
    {
      x: 0,
      y: 0,
      width: 64,
      height: 64,
      score: 1,
      keypoints: [
        [20, 30],
        [44, 30],
        [32, 40],
        [32, 50],
        [5, 30],
        [59, 30],
      ],
    },
    1,
  );
}
