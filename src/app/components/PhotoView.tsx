import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { FaceBox } from '../engine';
import { drawMesh, meshEdges } from '../mesh-draw';
import type { PhotoInfo, ShownFrame } from '../store';
import { useEditorStore } from '../store-context';
import { fitSize, type Rect, zoomPercent, zoomRect } from '../view-geometry';
import { useZoomGestures, useZoomState, type ZoomControl } from './useZoomPan';

/** Largest side of the mesh overlay canvas (device pixels); a deep zoom on a big photo draws it coarser. */
const MAX_OVERLAY_SIDE = 4096;

/** The stage's room for the photo: its width, and a height that leaves the controls in view on a phone. */
function useStageRoom(ref: React.RefObject<HTMLDivElement | null>) {
  const [room, setRoom] = useState({ w: 0, h: 0 });
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const measure = () => {
      const narrow = window.matchMedia('(max-width: 860px)').matches;
      const h = narrow ? Math.max(200, window.innerHeight * 0.42) : Math.max(240, window.innerHeight * 0.72);
      setRoom({ w: box.clientWidth, h });
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(box);
    window.addEventListener('resize', measure);
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, [ref]);
  return room;
}

/** A face box as CSS percentages of the photo, clipped to the photo (a box the detector placed past an edge stays inside it). */
function clippedBox(f: { x: number; y: number; width: number; height: number }, w: number, h: number) {
  const x0 = Math.max(0, f.x);
  const y0 = Math.max(0, f.y);
  const x1 = Math.min(w, f.x + f.width);
  const y1 = Math.min(h, f.y + f.height);
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  return { left: pct(x0, w), top: pct(y0, h), width: pct(Math.max(0, x1 - x0), w), height: pct(Math.max(0, y1 - y0), h) };
}

/** Draws the photo, and the edited patch over it when `showEdited`, on the main canvas. */
function usePhotoCanvas(photo: PhotoInfo, rendered: ShownFrame | null, showEdited: boolean) {
  const photoCanvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = photoCanvas.current;
    if (!c) return;
    if (c.width !== photo.width || c.height !== photo.height) {
      c.width = photo.width;
      c.height = photo.height;
    }
    const ctx = c.getContext('2d')!;
    // Replace, never blend: transparent pixels stay transparent (the checkerboard shows through).
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.drawImage(photo.bitmap, 0, 0);
    if (showEdited && rendered) {
      ctx.clearRect(rendered.x, rendered.y, rendered.width, rendered.height);
      ctx.drawImage(rendered.patch, rendered.x, rendered.y, rendered.width, rendered.height); // a preview's bitmap is half size
    }
  }, [photo, rendered, showEdited]);
  return photoCanvas;
}

/** Draws the original photo on the "before" canvas of the split view while the split is on. */
function useBeforeCanvas(photo: PhotoInfo, splitOn: boolean) {
  const beforeCanvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = beforeCanvas.current;
    if (!c || !splitOn) return;
    c.width = photo.width;
    c.height = photo.height;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.drawImage(photo.bitmap, 0, 0);
  }, [photo, splitOn]);
  return beforeCanvas;
}

/** The mesh overlay canvas, sized to the frame; returns its ref and the number of points drawn (0 when hidden). */
function useMeshOverlay(photo: PhotoInfo, frame: Rect, visible: boolean) {
  const face = useEditorStore((s) => s.face);
  const targetPoints = useEditorStore((s) => s.targetPoints);
  const overlay = useRef<HTMLCanvasElement>(null);
  const edges = useMemo(() => (face ? meshEdges(face.points) : null), [face]);
  const points = targetPoints ?? face?.points ?? null;
  const drawn = visible && points && edges ? points.length : 0;

  const redraw = useCallback(() => {
    const c = overlay.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    const cap = Math.min(1, MAX_OVERLAY_SIDE / (Math.max(frame.w, frame.h) * dpr || 1));
    c.width = Math.max(1, Math.round(frame.w * dpr * cap));
    c.height = Math.max(1, Math.round(frame.h * dpr * cap));
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, c.width, c.height);
    if (!drawn || !points || !edges) return;
    const scale = c.width / photo.width;
    const px = dpr * cap;
    const iod = face ? Math.hypot(face.points[33][0] - face.points[263][0], face.points[33][1] - face.points[263][1]) * scale : 50;
    const r = Math.min(2.5 * px, Math.max(0.6 * px, iod / 90));
    drawMesh(ctx, points, edges, scale, { edge: 'rgba(80, 220, 255, 0.55)', point: 'rgba(255, 255, 255, 0.95)', radius: r, lineWidth: Math.max(0.5, r / 2) });
  }, [frame.w, frame.h, drawn, points, edges, photo.width, face]);
  useEffect(redraw, [redraw]);
  return { overlay, drawn };
}

/** Before/after split: drag anywhere on the photo (or use the arrow keys on the handle). */
function useSplit(hasFrame: boolean) {
  const [split, setSplit] = useState<{ on: boolean; at: number }>({ on: false, at: 0.5 });
  const splitOn = split.on && hasFrame;
  const dragging = useRef(false);
  const splitFrom = (e: PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    setSplit({ on: true, at: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) });
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!splitOn) return;
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    splitFrom(e);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (splitOn && dragging.current) splitFrom(e);
  };
  const onPointerUp = () => {
    dragging.current = false;
  };
  const onSplitKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 0.1 : 0.02;
    const to = e.key === 'ArrowLeft' ? split.at - step : e.key === 'ArrowRight' ? split.at + step : e.key === 'Home' ? 0 : e.key === 'End' ? 1 : null;
    if (to === null) return;
    e.preventDefault();
    setSplit({ on: true, at: Math.min(1, Math.max(0, to)) });
  };
  const toggle = () => setSplit((s) => ({ on: !s.on, at: 0.5 }));
  return { at: split.at, splitOn, toggle, onPointerDown, onPointerMove, onPointerUp, onSplitKey };
}

const pct = (v: number, of: number) => `${(v / of) * 100}%`;

/** The zoom buttons and readout, and the before/after split, above the photo. */
function ViewTools(props: { zoom: ZoomControl; canZoom: boolean; hasFrame: boolean; splitOn: boolean; toggleSplit: () => void }) {
  const { zoom, canZoom, hasFrame, splitOn, toggleSplit } = props;
  const { mode, limits, setMode, zoomTo } = zoom;
  const percent = zoomPercent(zoom.zoom, zoom.dpr);
  const k = zoom.zoom.k;
  return (
    <div className="view-tools" role="toolbar" aria-label="View">
      <fieldset className="segmented" aria-label="Zoom">
        <button
          type="button"
          aria-pressed={mode === 'face'}
          disabled={!canZoom}
          onClick={() => setMode('face')}
          data-testid="view-face"
          aria-label="Zoom to the face"
          title="The selected face fills the view"
        >
          Face
        </button>
        <button
          type="button"
          aria-pressed={mode === 'photo'}
          onClick={() => setMode('photo')}
          data-testid="view-photo"
          aria-label="Fit the whole photo"
          title="The whole photo (0 or F)"
        >
          Fit
        </button>
        <button
          type="button"
          aria-pressed={percent === 100}
          onClick={() => zoomTo(limits.one)}
          data-testid="view-1to1"
          aria-label="Actual pixels, 1:1"
          title="One photo pixel per screen pixel (1)"
        >
          1:1
        </button>
      </fieldset>
      <fieldset className="segmented" aria-label="Zoom in or out">
        <button
          type="button"
          disabled={k <= limits.min * 1.001}
          onClick={() => zoomTo(k / 1.5)}
          data-testid="zoom-out"
          aria-label="Zoom out"
          title="Zoom out (-)"
        >
          −
        </button>
        <output className="zoom-level" data-testid="zoom-level" aria-label="Zoom level" aria-live="polite">
          {percent} %
        </output>
        <button
          type="button"
          disabled={k >= limits.max * 0.999}
          onClick={() => zoomTo(k * 1.5)}
          data-testid="zoom-in"
          aria-label="Zoom in"
          title="Zoom in (+); wheel, pinch and drag work on the photo"
        >
          +
        </button>
      </fieldset>
      <button
        type="button"
        aria-pressed={splitOn}
        disabled={!hasFrame}
        onClick={toggleSplit}
        data-testid="split-toggle"
        className="split-toggle"
        title="Before on the left, after on the right: drag across the photo to move the line"
      >
        Before | After
      </button>
    </div>
  );
}

/** A button over each detected face: pick a face when there are several, or see where the mesh found them. */
function FaceBoxes({ photo }: { photo: PhotoInfo }) {
  const faces = useEditorStore((s) => s.faces);
  const selected = useEditorStore((s) => s.selected);
  const selectFace = useEditorStore((s) => s.selectFace);
  const busy = useEditorStore((s) => s.status === 'busy');
  return faces.map((f, i) => (
    <button
      key={`${f.x},${f.y}`}
      type="button"
      className={`facebox${i === selected ? ' selected' : ''}${faces.length > 1 ? ' pickable' : ''}`}
      style={clippedBox(f, photo.width, photo.height)}
      onClick={() => {
        if (!busy && i !== selected) void selectFace(i);
      }}
      disabled={busy}
      aria-label={`Face ${i + 1}`}
      data-testid={`face-box-${i}`}
    />
  ));
}

/** "Rendering…" (or the busy step) over the face, a little beyond its box, or over the whole photo before a face is known. */
function WorkingOverlay({ photo, faceBox }: { photo: PhotoInfo; faceBox: FaceBox | null }) {
  const busy = useEditorStore((s) => s.status === 'busy');
  const busyLabel = useEditorStore((s) => s.busyLabel);
  const rendering = useEditorStore((s) => s.rendering);
  const working = rendering ? 'Rendering…' : busy && busyLabel ? busyLabel : null;
  if (!working) return null;
  const workBox = faceBox
    ? {
        left: pct(faceBox.x - faceBox.width * 0.1, photo.width),
        top: pct(faceBox.y - faceBox.height * 0.1, photo.height),
        width: pct(faceBox.width * 1.2, photo.width),
        height: pct(faceBox.height * 1.2, photo.height),
      }
    : { left: '0%', top: '0%', width: '100%', height: '100%' };
  return (
    <div className="working" style={workBox} role="status" aria-live="polite" data-testid="render-overlay" data-kind={rendering ? 'render' : 'busy'}>
      <div className="working-label">
        <span className="spinner" aria-hidden />
        {working}
      </div>
    </div>
  );
}

/** The divider of the before/after split, with its keyboard handling. */
function SplitHandle({ at, onKeyDown }: { at: number; onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => void }) {
  return (
    <>
      <div
        className="split-line"
        style={{ left: `${at * 100}%` }}
        role="slider"
        tabIndex={0}
        aria-label="Before and after divider"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(at * 100)}
        onKeyDown={onKeyDown}
        data-testid="split-handle"
      >
        <span className="split-knob" aria-hidden>
          ⟷
        </span>
      </div>
      <span className="split-tag left">Before</span>
      <span className="split-tag right">After</span>
    </>
  );
}

function PhotoCaption({ photo }: { photo: PhotoInfo }) {
  const faces = useEditorStore((s) => s.faces);
  const face = useEditorStore((s) => s.face);
  return (
    <div className="caption" data-testid="photo-caption">
      {photo.name} · {photo.width}×{photo.height} ·{' '}
      <span data-testid="face-count">
        {faces.length} {faces.length === 1 ? 'face' : 'faces'}
      </span>
      {face && Math.max(Math.abs(face.pose.yaw), Math.abs(face.pose.pitch)) > 20 && <> · the face is turned; the edit works best on frontal faces</>}
    </div>
  );
}

/**
 * The photo (with the edited patch over it unless comparing), the mesh overlay and the face boxes, in
 * a viewport that shows the whole photo or zooms to the chosen face; a before/after split; and a
 * "Rendering…" overlay on the face while a frame is being made. Transparent pixels show a checkerboard.
 */
export function PhotoView({ photo }: { photo: PhotoInfo }) {
  const faces = useEditorStore((s) => s.faces);
  const selected = useEditorStore((s) => s.selected);
  const showMesh = useEditorStore((s) => s.showMesh);
  const rendered = useEditorStore((s) => s.rendered);
  const compare = useEditorStore((s) => s.compare);
  const viewerRef = useRef<HTMLDivElement>(null);
  const room = useStageRoom(viewerRef);
  const viewportRef = useRef<HTMLDivElement>(null);

  const faceBox = selected !== null ? (faces[selected] ?? null) : null;
  const viewport = fitSize(photo.width, photo.height, room.w, room.h);
  const zoomState = useZoomState(photo, viewport, faceBox, faces.length);
  const { mode, zoom, dpr, limits } = zoomState.control;
  const frame: Rect = zoomRect(photo.width, photo.height, zoom, dpr);

  const hasFrame = !!rendered;
  const split = useSplit(hasFrame);
  const { splitOn } = split;
  const showEdited = hasFrame && !compare;
  const photoCanvas = usePhotoCanvas(photo, rendered, showEdited);
  const beforeCanvas = useBeforeCanvas(photo, splitOn);
  const { overlay, drawn } = useMeshOverlay(photo, frame, showMesh && !compare && !splitOn);
  // Where the split line falls on the photo, in % of the frame (the "before" canvas is clipped there).
  const splitInFrame = frame.w > 0 ? ((split.at * viewport.w - frame.x) / frame.w) * 100 : 50;
  const gestures = useZoomGestures(photo, viewport, zoomState, viewportRef, !splitOn);
  const zoomed = zoom.k > limits.fit * 1.001;
  const pixels = zoom.k * dpr >= 1 - 1e-9; // 1:1 and beyond: every photo pixel a sharp square

  return (
    <div className="viewer" data-testid="viewer" data-view={mode} ref={viewerRef}>
      <ViewTools zoom={zoomState.control} canZoom={!!faceBox} hasFrame={hasFrame} splitOn={splitOn} toggleSplit={split.toggle} />
      <div
        className={`viewport${splitOn ? ' splitting' : zoomed ? ' zoomed' : ''}`}
        data-testid="viewport"
        style={{ width: viewport.w || undefined, height: viewport.h || undefined }}
        ref={viewportRef}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: focused, the photo view takes the zoom and pan keys
        tabIndex={0}
        role="application"
        aria-roledescription="zoomable photo"
        aria-label="Photo view: + and - zoom, arrow keys pan, 0 fits, 1 is 1:1; double-click toggles fit and 1:1"
        data-zoom={zoom.k * dpr}
        onPointerDown={(e) => {
          split.onPointerDown(e);
          gestures.onPointerDown(e);
        }}
        onPointerMove={(e) => {
          split.onPointerMove(e);
          gestures.onPointerMove(e);
        }}
        onPointerUp={(e) => {
          split.onPointerUp();
          gestures.onPointerUp(e);
        }}
        onPointerCancel={(e) => {
          split.onPointerUp();
          gestures.onPointerUp(e);
        }}
        onDoubleClick={gestures.onDoubleClick}
        onKeyDown={gestures.onKeyDown}
      >
        <div
          className={`frame${mode === 'custom' ? ' direct' : ''}${pixels ? ' pixels' : ''}`}
          data-testid="frame"
          style={{ left: frame.x, top: frame.y, width: frame.w || undefined, height: frame.h || undefined }}
        >
          <canvas
            ref={photoCanvas}
            className="photo"
            data-testid="photo-canvas"
            data-showing={showEdited ? 'edited' : 'original'}
            aria-label={`Photo ${photo.name}, ${photo.width} by ${photo.height} pixels`}
            role="img"
          />
          {splitOn && (
            <canvas
              ref={beforeCanvas}
              className="photo before"
              data-testid="before-canvas"
              style={{ clipPath: `inset(0 ${Math.max(0, 100 - splitInFrame)}% 0 0)` }}
              aria-hidden
            />
          )}
          <canvas ref={overlay} className="overlay" data-testid="mesh-overlay" data-points={drawn} aria-hidden />
          {(faces.length > 1 || showMesh) && !splitOn && <FaceBoxes photo={photo} />}
          <WorkingOverlay photo={photo} faceBox={faceBox} />
        </div>
        {splitOn && <SplitHandle at={split.at} onKeyDown={split.onSplitKey} />}
      </div>
      <PhotoCaption photo={photo} />
    </div>
  );
}
