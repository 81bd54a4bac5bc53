/**
 * MediaPipe FaceMesh (468) index sets, read from landmark-sets.json: the one copy, shared with the
 * Python training (training/landmark_sets.py reads the same file). The engine's named constants
 * (manifold.ts STABLE_POINTS, mouth-mask.ts INNER_MOUTH_RING, target.ts parts, ...) are views of it;
 * tests/landmark-sets.test.ts checks the sets and that TypeScript and Python read the same values.
 */
import json from './landmark-sets.json';

type Pair = readonly [number, number];

interface RegionPartSet {
  /** One of target.ts REGIONS. */
  region: string;
  /** Indices that belong to the part outright. */
  anchors: readonly number[];
  /** Point pairs whose distance sets the x, y and z scale of the part's displacement. */
  x: Pair;
  y: Pair;
  z: Pair;
}

export interface LandmarkSets {
  comment: string;
  /** Points expressions barely move (eye corners, nose bridge and ridge, temples, forehead): the Procrustes fit. */
  stablePoints: readonly number[];
  /** Eye corners; "right" is the subject's right eye (image left in a frontal photo). */
  eyeCorners: { rightOuter: number; rightInner: number; leftInner: number; leftOuter: number };
  /** Mouth corners [right, left]: of the inner lip contour and of the outer one. */
  mouthCorners: { inner: Pair; outer: Pair };
  /** Inner lip contour: corner 78, over the upper inner lip to corner 308, back under the lower inner lip. */
  innerMouthRing: readonly number[];
  /** Outer lip contour: corner 61, under the lower lip to corner 291, back over the upper lip. */
  outerLipRing: readonly number[];
  /** Eye contours: outer corner, upper lid to the inner corner, back along the lower lid. */
  rightEyeRing: readonly number[];
  leftEyeRing: readonly number[];
  /** Upper-lid creases (open polylines), parallel to the rings' upper halves. */
  rightEyeCrease: readonly number[];
  leftEyeCrease: readonly number[];
  /** The face's outline, a closed ring from the forehead (10) clockwise in the image. */
  faceOval: readonly number[];
  /** Parts of the face by region (target.ts): each brow, each eye, mouth, jaw. */
  regionParts: readonly RegionPartSet[];
}

// (the JSON types pairs as number[]; tests/landmark-sets.test.ts checks every field against this interface)
export const LANDMARK_SETS: LandmarkSets = json as unknown as LandmarkSets;
