/** Shapes that cross module, worker and store boundaries: plain arrays and numbers only. */
export type Point2 = [number, number];
export type Point3 = [number, number, number];

/** RGBA pixels, row-major, ImageData-compatible. */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * RGBA pixels whose faces are already known: a video frame whose face is tracked from the last frame's landmarks
 * (each box their bounding box, its first two keypoints the outer eye corners). `Editor.open` takes these boxes
 * instead of searching for faces, and a face's landmarks take one mesh pass instead of two (the box is already
 * where the second pass would crop).
 */
export interface TrackedFrame extends RGBAImage {
  readonly faces: readonly FaceBox[];
}

export interface DecodedImage extends RGBAImage {
  /** EXIF orientation found in the file (1 = none); already applied to `data`. */
  orientation: number;
  mimeType: string;
}

export interface FaceBox {
  /** Box in image pixels (of the full-resolution image). */
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
  /** Six detector keypoints: right eye, left eye, nose, mouth, right ear, left ear (subject's sides). */
  keypoints: Point2[];
}

/** 3-D similarity: image = scale * R * canonical + translation. R is row-major 3x3. */
export interface Similarity {
  scale: number;
  rotation: number[];
  translation: Point3;
}

export interface FaceLandmarks {
  /** 468 points in image pixels (x, y) and depth z in the same pixel units. */
  points: Point3[];
  /** Face-presence confidence of the mesh model, 0..1. */
  score: number;
  /** Head pose in degrees derived from the canonical fit. */
  pose: { yaw: number; pitch: number; roll: number };
}

export interface CanonicalLandmarks {
  /** 468 points in units of the inter-ocular distance, head pose removed. */
  points: Point3[];
  /** canonical -> image transform. */
  transform: Similarity;
  /** RMS residual of the fit on the stable points, in IOD units. */
  residual: number;
}
