/** Geometry of the photo view: fitting the photo to the stage and zooming to a face. */

export type ViewMode = 'face' | 'photo';

/** A rectangle in CSS pixels (x, y: offset of the photo's top-left corner inside the viewport). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** How much room around the face box the face view shows (crop side = this times the box's larger side). */
export const FACE_MARGIN = 2.2;
/** The face view never magnifies the photo more than this over its fitted size. */
export const MAX_ZOOM = 8;

/** The photo scaled (up or down) to fit `maxW` x `maxH`, keeping its aspect ratio. */
export function fitSize(width: number, height: number, maxW: number, maxH: number): { w: number; h: number } {
  if (maxW <= 0 || maxH <= 0) return { w: 0, h: 0 };
  const k = Math.min(maxW / width, maxH / height);
  return { w: Math.max(1, Math.floor(width * k)), h: Math.max(1, Math.floor(height * k)) };
}

/**
 * The photo's placement in a viewport of `view` size that zooms to `box` (image pixels): the face
 * fills the viewport with a margin, centred where the photo's edges allow; never smaller than fitted.
 */
export function faceView(width: number, height: number, view: { w: number; h: number }, box: { x: number; y: number; width: number; height: number }): Rect {
  const fit = Math.min(view.w / width, view.h / height);
  if (!(fit > 0)) return { x: 0, y: 0, w: view.w, h: view.h };
  const side = Math.max(box.width, box.height) * FACE_MARGIN;
  const k = Math.min(fit * MAX_ZOOM, Math.max(fit, Math.min(view.w, view.h) / side));
  const w = width * k;
  const h = height * k;
  const place = (centre: number, span: number, size: number) => (size <= span ? (span - size) / 2 : Math.min(0, Math.max(span - size, span / 2 - centre * k)));
  return { x: place(box.x + box.width / 2, view.w, w), y: place(box.y + box.height / 2, view.h, h), w, h };
}
