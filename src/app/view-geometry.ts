/**
 * Geometry of the photo view: fitting the photo to the stage, zooming to a face, and the user's own
 * zoom and pan (wheel, pinch, drag, keys). Pure functions of numbers, in CSS pixels.
 */

/** `face`: zoomed to the selected face; `photo`: the whole photo fitted; `custom`: the user's own zoom and pan. */
export type ViewMode = 'face' | 'photo' | 'custom';

/** A rectangle in CSS pixels (x, y: offset of the photo's top-left corner inside the viewport). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** How much room around the face box the face view shows (crop side = this times the box's larger side). */
export const FACE_MARGIN = 1.3;
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

export interface Size {
  w: number;
  h: number;
}

/** A placement of the photo in the viewport: `k` CSS pixels per image pixel, `x`, `y` the photo's top-left corner. */
export interface Zoom {
  k: number;
  x: number;
  y: number;
}

/** The user may zoom in to this many device pixels per image pixel (800 %). */
export const MAX_PIXEL_ZOOM = 8;

/** The scales the view allows: `fit` shows the whole photo, `one` is 1:1 (one image pixel per device pixel). */
export interface ZoomLimits {
  fit: number;
  one: number;
  min: number;
  max: number;
}

export function zoomLimits(width: number, height: number, view: Size, dpr = 1): ZoomLimits {
  const fit = view.w > 0 && view.h > 0 ? Math.min(view.w / width, view.h / height) : 1;
  const one = 1 / dpr;
  return { fit, one, min: Math.min(fit, one), max: Math.max(fit * MAX_ZOOM, MAX_PIXEL_ZOOM / dpr) };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Centred where the photo is smaller than the view; otherwise no gap between a photo edge and the view's edge. */
function place(offset: number, size: number, span: number): number {
  return size <= span ? (span - size) / 2 : clamp(offset, span - size, 0);
}

/** `z` with its scale inside the limits and the photo kept in view (it cannot be panned away). */
export function clampZoom(width: number, height: number, view: Size, z: Zoom, limits: ZoomLimits): Zoom {
  const k = clamp(z.k, limits.min, limits.max);
  return { k, x: place(z.x, width * k, view.w), y: place(z.y, height * k, view.h) };
}

/** The whole photo, fitted and centred. */
export function fitZoom(width: number, height: number, view: Size, limits: ZoomLimits): Zoom {
  return clampZoom(width, height, view, { k: limits.fit, x: 0, y: 0 }, limits);
}

/** The image point (image pixels) under the view point `p`. */
export function imagePoint(z: Zoom, p: { x: number; y: number }): { x: number; y: number } {
  return { x: (p.x - z.x) / z.k, y: (p.y - z.y) / z.k };
}

/** Scale `k` about the view point `p`: the image point under `p` stays under it (unless the clamp must move it). */
export function zoomAt(width: number, height: number, view: Size, z: Zoom, k: number, p: { x: number; y: number }, limits: ZoomLimits): Zoom {
  const to = clamp(k, limits.min, limits.max);
  const at = imagePoint(z, p);
  return clampZoom(width, height, view, { k: to, x: p.x - at.x * to, y: p.y - at.y * to }, limits);
}

/** Moves the photo by `dx`, `dy` CSS pixels, as far as it can go. */
export function panBy(width: number, height: number, view: Size, z: Zoom, dx: number, dy: number, limits: ZoomLimits): Zoom {
  return clampZoom(width, height, view, { k: z.k, x: z.x + dx, y: z.y + dy }, limits);
}

/** Double-click: from the fitted view to 1:1 about `p` (twice 1:1 when the fitted photo already is 1:1); else back to fit. */
export function toggleZoom(width: number, height: number, view: Size, z: Zoom, p: { x: number; y: number }, limits: ZoomLimits): Zoom {
  if (Math.abs(z.k - limits.fit) > 1e-6 * limits.fit) return fitZoom(width, height, view, limits);
  const to = Math.abs(limits.fit - limits.one) < 1e-6 * limits.one ? limits.one * 2 : limits.one;
  return zoomAt(width, height, view, z, to, p, limits);
}

/** The zoom as the user reads it: 100 for 1:1 (device pixels per image pixel, in %). */
export function zoomPercent(z: Zoom, dpr = 1): number {
  return Math.round(z.k * dpr * 100);
}

/** The frame rectangle of a placement; at 1:1 and beyond its corner is snapped to device pixels (no resampling). */
export function zoomRect(width: number, height: number, z: Zoom, dpr = 1): Rect {
  const snap = (v: number) => (z.k * dpr >= 1 - 1e-9 ? Math.round(v * dpr) / dpr : v);
  return { x: snap(z.x), y: snap(z.y), w: width * z.k, h: height * z.k };
}
