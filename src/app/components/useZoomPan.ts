/**
 * The photo view's zoom and pan: the mode (face, whole photo, or the user's own placement) and the
 * gestures that change it: wheel about the cursor, pinch (two pointers), drag, double-click (fit / 1:1)
 * and keys (+ / - zoom, arrows pan, 0 or F fit, 1 for 1:1) while the viewport has focus.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent, type RefObject } from 'react';
import type { FaceBox } from '../engine';
import type { PhotoInfo } from '../store';
import { clampZoom, faceView, fitZoom, panBy, toggleZoom, zoomAt, zoomLimits, type Size, type ViewMode, type Zoom, type ZoomLimits } from '../view-geometry';

/** A drag shorter than this (CSS px) is a click, left to the face boxes. */
const DRAG_START = 4;
/** One key press zooms by this factor, or pans by this many CSS px (four times with Shift). */
const KEY_ZOOM = 1.25;
const KEY_PAN = 40;

type Point = { x: number; y: number };

export interface ZoomControl {
  mode: ViewMode;
  zoom: Zoom;
  limits: ZoomLimits;
  dpr: number;
  setMode: (m: 'face' | 'photo') => void;
  /** Scale `k` about the view's centre. */
  zoomTo: (k: number) => void;
}

/** The view's mode and placement for `photo` in a viewport of size `view`. */
export function useZoomState(photo: PhotoInfo, view: Size, faceBox: FaceBox | null, faceCount: number) {
  // Until the user chooses, a photo with one face opens on the face and one with several on the whole photo.
  const [choice, setChoice] = useState<{ photo: PhotoInfo; mode: ViewMode; zoom: Zoom | null } | null>(null);
  const dpr = window.devicePixelRatio || 1;
  const { width, height } = photo;
  const limits = zoomLimits(width, height, view, dpr);
  const chosen = choice?.photo === photo ? choice.mode : faceBox && faceCount === 1 ? 'face' : 'photo';
  const mode: ViewMode = chosen === 'face' && !faceBox ? 'photo' : chosen;
  let zoom: Zoom;
  if (mode === 'custom' && choice?.zoom) zoom = clampZoom(width, height, view, choice.zoom, limits);
  else if (mode === 'face' && faceBox) {
    const r = faceView(width, height, view, faceBox);
    zoom = clampZoom(width, height, view, { k: r.w / width, x: r.x, y: r.y }, limits);
  } else zoom = fitZoom(width, height, view, limits);
  // The newest placement, for events that arrive before React renders again.
  const current = useRef(zoom);
  current.current = zoom;
  const setZoom = (z: Zoom) => {
    const c = clampZoom(width, height, view, z, limits);
    current.current = c;
    setChoice({ photo, mode: 'custom', zoom: c });
  };
  const setMode = (m: 'face' | 'photo') => setChoice({ photo, mode: m, zoom: null });
  const centre = { x: view.w / 2, y: view.h / 2 };
  const zoomTo = (k: number) => setZoom(zoomAt(width, height, view, current.current, k, centre, limits));
  const control: ZoomControl = { mode, zoom, limits, dpr, setMode, zoomTo };
  return { control, current, setZoom };
}

/** The wheel zooms about the cursor (a non-passive listener: the page does not scroll under the photo). */
function useWheelZoom(target: RefObject<HTMLDivElement | null>, onWheel: (e: WheelEvent) => void) {
  const handler = useRef(onWheel);
  handler.current = onWheel;
  useEffect(() => {
    const el = target.current;
    if (!el) return;
    const listen = (e: WheelEvent) => handler.current(e);
    el.addEventListener('wheel', listen, { passive: false });
    return () => el.removeEventListener('wheel', listen);
  }, [target]);
}

/**
 * Pointer, wheel, double-click and key handlers for the viewport. `enabled` is false while the
 * before/after split takes the pointer.
 */
export function useZoomGestures(
  photo: PhotoInfo,
  view: Size,
  state: ReturnType<typeof useZoomState>,
  target: RefObject<HTMLDivElement | null>,
  enabled: boolean,
) {
  const { current, setZoom, control } = state;
  const { limits } = control;
  const { width, height } = photo;
  const pointers = useRef(new Map<number, Point>());
  const drag = useRef<{ from: Point; moving: boolean } | null>(null);
  const at = (e: { clientX: number; clientY: number }): Point => {
    const r = target.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  useWheelZoom(target, (e) => {
    if (!enabled) return;
    e.preventDefault();
    const step = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.002;
    setZoom(zoomAt(width, height, view, current.current, current.current.k * Math.exp(-e.deltaY * step), at(e), limits));
  });

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!enabled || (e.pointerType === 'mouse' && e.button !== 0)) return;
    pointers.current.set(e.pointerId, at(e));
    drag.current = { from: at(e), moving: pointers.current.size > 1 };
    if (pointers.current.size > 1) for (const id of pointers.current.keys()) capture(e.currentTarget, id);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const last = pointers.current.get(e.pointerId);
    if (!enabled || !last || !drag.current) return;
    const p = at(e);
    if (!drag.current.moving) {
      if (Math.hypot(p.x - drag.current.from.x, p.y - drag.current.from.y) < DRAG_START) return;
      drag.current.moving = true; // captured only now: a click on a face box stays a click
      capture(e.currentTarget, e.pointerId);
    }
    const others = [...pointers.current].filter(([id]) => id !== e.pointerId).map(([, q]) => q);
    pointers.current.set(e.pointerId, p);
    if (others.length === 0) {
      setZoom(panBy(width, height, view, current.current, p.x - last.x, p.y - last.y, limits));
      return;
    }
    // Pinch: the scale follows the distance between two fingers, the photo follows their midpoint.
    const o = others[0];
    const d0 = Math.hypot(last.x - o.x, last.y - o.y);
    const d1 = Math.hypot(p.x - o.x, p.y - o.y);
    const m0 = { x: (last.x + o.x) / 2, y: (last.y + o.y) / 2 };
    const m1 = { x: (p.x + o.x) / 2, y: (p.y + o.y) / 2 };
    const moved = { ...current.current, x: current.current.x + m1.x - m0.x, y: current.current.y + m1.y - m0.y };
    setZoom(zoomAt(width, height, view, moved, moved.k * (d0 > 0 ? d1 / d0 : 1), m1, limits));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    pointers.current.delete(e.pointerId);
    const rest = [...pointers.current.values()];
    drag.current = rest.length ? { from: rest[0], moving: true } : null;
  };
  const onDoubleClick = (e: MouseEvent<HTMLDivElement>) => {
    if (!enabled) return;
    e.preventDefault();
    setZoom(toggleZoom(width, height, view, current.current, at(e), limits));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || e.ctrlKey || e.metaKey || e.altKey) return;
    const step = e.shiftKey ? KEY_PAN * 4 : KEY_PAN;
    const pans: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const z = current.current;
    if (e.key in pans) setZoom(panBy(width, height, view, z, pans[e.key][0], pans[e.key][1], limits));
    else if (e.key === '+' || e.key === '=') control.zoomTo(z.k * KEY_ZOOM);
    else if (e.key === '-' || e.key === '_') control.zoomTo(z.k / KEY_ZOOM);
    else if (e.key === '0' || e.key === 'f' || e.key === 'F') control.setMode('photo');
    else if (e.key === '1') control.zoomTo(limits.one);
    else return;
    e.preventDefault();
  };
  return { onPointerDown, onPointerMove, onPointerUp, onDoubleClick, onKeyDown };
}

function capture(el: HTMLElement, id: number) {
  try {
    el.setPointerCapture(id);
  } catch {
    // The pointer is already gone (released between the events).
  }
}
