import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { drawMesh, meshEdges } from '../mesh-draw';
import type { PhotoInfo } from '../store';
import { useEditorStore } from '../store-context';

/** The photo (with the edited patch over it unless comparing), the mesh overlay and the face boxes. */
export function PhotoView({ photo }: { photo: PhotoInfo }) {
  const faces = useEditorStore((s) => s.faces);
  const selected = useEditorStore((s) => s.selected);
  const face = useEditorStore((s) => s.face);
  const showMesh = useEditorStore((s) => s.showMesh);
  const targetPoints = useEditorStore((s) => s.targetPoints);
  const rendered = useEditorStore((s) => s.rendered);
  const compare = useEditorStore((s) => s.compare);
  const selectFace = useEditorStore((s) => s.selectFace);
  const busy = useEditorStore((s) => s.status === 'busy');
  const photoCanvas = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const viewerRef = useRef<HTMLDivElement>(null);
  const [cssSize, setCssSize] = useState({ w: 0, h: 0 });

  const showEdited = !!rendered && !compare;
  useEffect(() => {
    const c = photoCanvas.current;
    if (!c) return;
    if (c.width !== photo.width || c.height !== photo.height) {
      c.width = photo.width;
      c.height = photo.height;
    }
    const ctx = c.getContext('2d')!;
    ctx.drawImage(photo.bitmap, 0, 0);
    if (showEdited && rendered) ctx.drawImage(rendered.patch, rendered.x, rendered.y);
  }, [photo, rendered, showEdited]);

  // Scale the photo to fit the stage (up or down), keeping its aspect ratio.
  useEffect(() => {
    const box = viewerRef.current;
    if (!box) return;
    const fitToStage = () => {
      const maxW = box.clientWidth;
      const maxH = Math.max(240, window.innerHeight * 0.72);
      const k = Math.min(maxW / photo.width, maxH / photo.height);
      setCssSize({ w: Math.max(1, Math.floor(photo.width * k)), h: Math.max(1, Math.floor(photo.height * k)) });
    };
    fitToStage();
    const ro = new ResizeObserver(fitToStage);
    ro.observe(box);
    window.addEventListener('resize', fitToStage);
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', fitToStage);
    };
  }, [photo.width, photo.height]);

  const edges = useMemo(() => (face ? meshEdges(face.points) : null), [face]);
  const points = targetPoints ?? face?.points ?? null;
  const drawn = showMesh && !compare && points && edges ? points.length : 0;

  const redraw = useCallback(() => {
    const c = overlay.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.max(1, Math.round(cssSize.w * dpr));
    c.height = Math.max(1, Math.round(cssSize.h * dpr));
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, c.width, c.height);
    if (!drawn || !points || !edges) return;
    const scale = c.width / photo.width;
    const iod = face ? Math.hypot(face.points[33][0] - face.points[263][0], face.points[33][1] - face.points[263][1]) * scale : 50;
    const r = Math.min(2.5 * dpr, Math.max(0.6 * dpr, iod / 90));
    drawMesh(ctx, points, edges, scale, { edge: 'rgba(80, 220, 255, 0.55)', point: 'rgba(255, 255, 255, 0.95)', radius: r, lineWidth: Math.max(0.5, r / 2) });
  }, [cssSize, drawn, points, edges, photo.width, face]);
  useEffect(redraw, [redraw]);

  return (
    <div className="viewer" data-testid="viewer" ref={viewerRef}>
      <div className="frame" style={{ width: cssSize.w || undefined, height: cssSize.h || undefined }}>
        <canvas
          ref={photoCanvas}
          className="photo"
          data-testid="photo-canvas"
          data-showing={showEdited ? 'edited' : 'original'}
          aria-label={`Photo ${photo.name}, ${photo.width} by ${photo.height} pixels`}
          role="img"
        />
        <canvas ref={overlay} className="overlay" data-testid="mesh-overlay" data-points={drawn} aria-hidden />
        {(faces.length > 1 || showMesh) &&
          faces.map((f, i) => (
            <button
              key={`${f.x},${f.y}`}
              type="button"
              className={`facebox${i === selected ? ' selected' : ''}${faces.length > 1 ? ' pickable' : ''}`}
              style={{
                left: `${(f.x / photo.width) * 100}%`,
                top: `${(f.y / photo.height) * 100}%`,
                width: `${(f.width / photo.width) * 100}%`,
                height: `${(f.height / photo.height) * 100}%`,
              }}
              onClick={() => {
                if (!busy && i !== selected) void selectFace(i);
              }}
              disabled={busy}
              aria-label={`Face ${i + 1}`}
              data-testid={`face-box-${i}`}
            />
          ))}
      </div>
      <div className="caption" data-testid="photo-caption">
        {photo.name} · {photo.width}×{photo.height} ·{' '}
        <span data-testid="face-count">
          {faces.length} {faces.length === 1 ? 'face' : 'faces'}
        </span>
        {face && (
          <>
            {' '}
            · yaw {face.pose.yaw.toFixed(0)}°, pitch {face.pose.pitch.toFixed(0)}°
          </>
        )}
      </div>
    </div>
  );
}
