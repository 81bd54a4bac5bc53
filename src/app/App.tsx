import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { useAppStore, useAppStoreApi, type AppState } from './store';
import { drawMesh, meshEdges } from './mesh-draw';
import { PRESETS, type ExpressionPreset, type ReferenceChoice } from './protocol';
import { LANDMARK_SETS } from '../engine/landmark-sets';

const SAMPLE_URL = `${import.meta.env.BASE_URL}samples/astronaut.png`;

const PRESET_LABELS: Record<ExpressionPreset, string> = {
  happy: 'Happy', surprise: 'Surprise', anger: 'Anger', sadness: 'Sadness', disgust: 'Disgust', fear: 'Fear',
};

/** Read-only hooks for tests and support: `window.__leed.backend()`, `window.__leed.state()`. */
function useTestHooks() {
  const api = useAppStoreApi();
  useEffect(() => {
    const snapshot = (s: AppState) => ({
      status: s.status,
      backend: s.backend?.name ?? null,
      fallbackReasons: s.backend?.fallbackReasons ?? [],
      photo: s.photo ? { name: s.photo.name, width: s.photo.width, height: s.photo.height } : null,
      faces: s.faces.map((f) => ({ x: f.x, y: f.y, width: f.width, height: f.height, score: f.score })),
      selected: s.selected,
      points: s.face?.points.length ?? 0,
      facePoints: s.face ? s.face.points.map((p) => [p[0], p[1]]) : [],
      targetPoints: s.targetPoints ? s.targetPoints.map((p) => [p[0], p[1]]) : [],
      regions: s.regions,
      error: s.error ? { code: s.error.code, message: s.error.message } : null,
      reference: s.reference,
      intensity: s.intensity,
      rendering: s.rendering,
      renderedIntensity: s.renderedIntensity,
      framesRequested: s.framesRequested,
      framesRendered: s.framesRendered,
      capabilities: s.capabilities,
    });
    const hooks = Object.freeze({
      backend: () => api.getState().backend?.name ?? '',
      state: () => snapshot(api.getState()),
      /** tf.memory() of the engine worker (numTensors, numBytes, peakBytes). */
      memory: () => api.getState().engineMemory(),
    });
    Object.defineProperty(window, '__leed', { value: hooks, configurable: true, writable: false });
    return () => { delete (window as { __leed?: unknown }).__leed; };
  }, [api]);
}

export function App() {
  useTestHooks();
  const status = useAppStore((s) => s.status);
  const photo = useAppStore((s) => s.photo);
  const openFile = useAppStore((s) => s.openFile);
  const [dragging, setDragging] = useState(false);

  // Paste an image anywhere on the page.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = Array.from(e.clipboardData?.files ?? [])[0];
      if (!file || status === 'starting' || status === 'fatal') return;
      e.preventDefault();
      void openFile(file, file.name || 'pasted-image.png');
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [openFile, status]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file && status !== 'starting' && status !== 'fatal') void openFile(file, file.name);
  };

  return (
    <div
      className={`app${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave={(e) => { if (e.currentTarget === e.target) setDragging(false); }}
      onDrop={onDrop}
      data-testid="app"
    >
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden>◐</span>
          <h1>LEED expression editor</h1>
        </div>
        <BackendBadge />
      </header>
      <LoadProgress />
      <ErrorBanner />
      <main className="layout">
        <section className="stage">
          {photo ? <Viewer /> : <Welcome />}
        </section>
        <aside className="panel">
          <UploadControls />
          <FacePicker />
          <MeshToggle />
          <ExpressionPanel />
          <ExportPanel />
        </aside>
      </main>
      <footer className="foot">Everything runs in this browser tab. Your photo is never uploaded.</footer>
    </div>
  );
}

function BackendBadge() {
  const backend = useAppStore((s) => s.backend);
  const status = useAppStore((s) => s.status);
  if (!backend) {
    return <span className="badge badge-pending" data-testid="backend-badge" data-backend="">{status === 'fatal' ? 'No backend' : 'Starting…'}</span>;
  }
  const fallback = backend.name !== 'webgpu';
  return (
    <span
      className={`badge ${fallback ? 'badge-fallback' : 'badge-ok'}`}
      data-testid="backend-badge"
      data-backend={backend.name}
      title={[backend.adapter ? `Adapter: ${backend.adapter}` : '', ...backend.fallbackReasons].filter(Boolean).join('\n')}
    >
      {backend.name.toUpperCase()}
      {fallback && backend.fallbackReasons.length > 0 && (
        <span className="badge-reasons" data-testid="backend-fallback">
          {' '}— fallback: {backend.fallbackReasons.join('; ')}
        </span>
      )}
    </span>
  );
}

function LoadProgress() {
  const status = useAppStore((s) => s.status);
  const progress = useAppStore((s) => s.progress);
  const busyLabel = useAppStore((s) => s.busyLabel);
  if (status === 'starting') {
    return (
      <div className="progress" data-testid="progress" role="status">
        <div className="progress-label">Loading face models: {progress.label}</div>
        <progress max={1} value={progress.fraction} aria-label="Model loading progress" />
      </div>
    );
  }
  if (status === 'busy') {
    return (
      <div className="progress" data-testid="busy" role="status">
        <div className="progress-label">{busyLabel}</div>
        <progress aria-label={busyLabel} />
      </div>
    );
  }
  return null;
}

function ErrorBanner() {
  const error = useAppStore((s) => s.error);
  const dismiss = useAppStore((s) => s.dismissError);
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="error" data-code={error.code} title={error.detail}>
      <span>{error.message}</span>
      <button type="button" className="link" onClick={dismiss} aria-label="Dismiss">✕</button>
    </div>
  );
}

function Welcome() {
  const status = useAppStore((s) => s.status);
  return (
    <div className="welcome" data-testid="welcome">
      <h2>Change the expression of a face in a photo</h2>
      <p>Choose a photo, drop one here, or paste one with Ctrl+V. {status === 'starting' ? 'The face models are loading…' : ''}</p>
    </div>
  );
}

function UploadControls() {
  const status = useAppStore((s) => s.status);
  const openFile = useAppStore((s) => s.openFile);
  const input = useRef<HTMLInputElement>(null);
  const disabled = status === 'starting' || status === 'fatal';
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) void openFile(file, file.name);
    e.target.value = '';
  };
  const loadSample = async () => {
    const res = await fetch(SAMPLE_URL);
    const blob = await res.blob();
    await openFile(blob, 'astronaut.png');
  };
  return (
    <div className="card">
      <h3>Photo</h3>
      <div className="row">
        <button type="button" className="primary" disabled={disabled} onClick={() => input.current?.click()} data-testid="choose-photo">
          Choose photo…
        </button>
        <button type="button" disabled={disabled} onClick={() => void loadSample()} data-testid="sample-button">
          Try the sample photo
        </button>
      </div>
      <input ref={input} type="file" accept="image/*" hidden onChange={onChange} data-testid="file-input" />
      <p className="hint">or drag and drop, or paste (Ctrl+V)</p>
    </div>
  );
}

function FacePicker() {
  const faces = useAppStore((s) => s.faces);
  const selected = useAppStore((s) => s.selected);
  const selectFace = useAppStore((s) => s.selectFace);
  const busy = useAppStore((s) => s.status === 'busy');
  if (faces.length < 2) return null;
  return (
    <div className="card" data-testid="face-list">
      <h3>{faces.length} faces found</h3>
      <p className="hint">Pick the face to edit (or click its box).</p>
      <div className="row wrap">
        {faces.map((f, i) => (
          <button key={i} type="button" disabled={busy} className={i === selected ? 'chip active' : 'chip'} onClick={() => void selectFace(i)} data-testid={`face-item-${i}`}>
            Face {i + 1} <small>({Math.round(f.width)} px)</small>
          </button>
        ))}
      </div>
    </div>
  );
}

function MeshToggle() {
  const showMesh = useAppStore((s) => s.showMesh);
  const setShowMesh = useAppStore((s) => s.setShowMesh);
  const face = useAppStore((s) => s.face);
  return (
    <div className="card">
      <label className="toggle">
        <input type="checkbox" checked={showMesh} onChange={(e) => setShowMesh(e.target.checked)} data-testid="mesh-toggle" />
        Show the face mesh {face ? `(${face.points.length} points)` : ''}
      </label>
    </div>
  );
}

function referenceValue(r: ReferenceChoice): string {
  return r.kind === 'preset' ? `preset:${r.preset}` : r.kind;
}

function ExpressionPanel() {
  const caps = useAppStore((s) => s.capabilities);
  const face = useAppStore((s) => s.face);
  const reference = useAppStore((s) => s.reference);
  const referenceFace = useAppStore((s) => s.referenceFace);
  const intensity = useAppStore((s) => s.intensity);
  const regions = useAppStore((s) => s.regions);
  const setReference = useAppStore((s) => s.setReference);
  const setIntensity = useAppStore((s) => s.setIntensity);
  const openReference = useAppStore((s) => s.openReference);
  const toggleRegion = useAppStore((s) => s.toggleRegion);
  const refInput = useRef<HTMLInputElement>(null);
  const enabled = caps.expression && !!face;

  const onSelect = (v: string) => {
    if (v === 'neutral') setReference({ kind: 'neutral' });
    else if (v.startsWith('preset:')) setReference({ kind: 'preset', preset: v.slice(7) as ExpressionPreset });
    else if (v === 'photo') {
      if (referenceFace && reference.kind === 'photo') setReference(reference);
      else refInput.current?.click();
    }
  };

  return (
    <div className={`card${enabled ? '' : ' disabled'}`} data-testid="expression-panel">
      <h3>Expression</h3>
      {!caps.expression && <p className="hint" data-testid="expression-unavailable">Expression editing is not available in this build yet.</p>}
      <label className="field">
        <span>Reference</span>
        <select value={referenceValue(reference)} disabled={!enabled} onChange={(e) => onSelect(e.target.value)} data-testid="reference-select">
          <option value="neutral">Neutral</option>
          {PRESETS.map((p) => <option key={p} value={`preset:${p}`} disabled={!caps.presets.includes(p)}>{PRESET_LABELS[p]}</option>)}
          <option value="photo">{reference.kind === 'photo' ? `Photo: ${reference.name}` : 'Another photo…'}</option>
        </select>
      </label>
      <input ref={refInput} type="file" accept="image/*" hidden data-testid="reference-input"
        onChange={(e) => { const f = e.target.files?.[0]; if (f) void openReference(f, f.name); e.target.value = ''; }} />
      <label className="field">
        <span>Intensity <output data-testid="intensity-value">{intensity.toFixed(2)}</output></span>
        <input type="range" min={0} max={1.5} step={0.01} value={intensity} disabled={!enabled}
          onChange={(e) => setIntensity(Number(e.target.value))} data-testid="intensity-slider" aria-label="Expression intensity" />
      </label>
      {caps.regions.length > 0 && (
        <div className="row wrap" data-testid="regions">
          {caps.regions.map((r) => (
            <label key={r} className="toggle small">
              <input type="checkbox" disabled={!enabled} checked={regions.includes(r)} onChange={() => toggleRegion(r)} data-testid={`region-${r}`} />
              {r}
            </label>
          ))}
        </div>
      )}
    </div>
  );
}

function ExportPanel() {
  const caps = useAppStore((s) => s.capabilities);
  const photo = useAppStore((s) => s.photo);
  const rendered = useAppStore((s) => s.rendered);
  const busy = useAppStore((s) => s.status !== 'ready');
  const rendering = useAppStore((s) => s.rendering);
  const lastFrameMs = useAppStore((s) => s.lastFrameMs);
  const download = useAppStore((s) => s.download);
  const setCompare = useAppStore((s) => s.setCompare);
  if (!caps.render) {
    return (
      <div className="card disabled" data-testid="export-panel">
        <h3>Result</h3>
        <p className="hint" data-testid="render-unavailable">Rendering the edited photo is not available in this build yet.</p>
      </div>
    );
  }
  const ready = !!photo && !!rendered && !busy && !rendering;
  return (
    <div className="card" data-testid="export-panel">
      <h3>Result</h3>
      <p className="hint" data-testid="generator-mode">
        {caps.refiner ? 'Warp + refiner network' : 'Warp only (no refiner in this build)'}
        {rendering ? <span className="rendering" data-testid="rendering"> · rendering…</span> : lastFrameMs !== null ? ` · last frame ${Math.round(lastFrameMs)} ms` : ''}
      </p>
      {!rendered && !rendering && <p className="hint">Choose a reference or move the slider to edit the expression.</p>}
      <div className="row wrap">
        <button type="button" disabled={!rendered} data-testid="compare-button"
          onPointerDown={() => setCompare(true)} onPointerUp={() => setCompare(false)} onPointerLeave={() => setCompare(false)}
          onKeyDown={(e) => { if (e.key === ' ' || e.key === 'Enter') setCompare(true); }} onKeyUp={() => setCompare(false)}>
          Hold to see the original
        </button>
      </div>
      <div className="row wrap">
        <button type="button" className="primary" disabled={!ready} onClick={() => void download('image/png')} data-testid="download-png">Download PNG</button>
        <button type="button" disabled={!ready} onClick={() => void download('image/jpeg')} data-testid="download-jpeg">Download JPEG</button>
      </div>
    </div>
  );
}

function Viewer() {
  const photo = useAppStore((s) => s.photo)!;
  const faces = useAppStore((s) => s.faces);
  const selected = useAppStore((s) => s.selected);
  const face = useAppStore((s) => s.face);
  const showMesh = useAppStore((s) => s.showMesh);
  const targetPoints = useAppStore((s) => s.targetPoints);
  const rendered = useAppStore((s) => s.rendered);
  const compare = useAppStore((s) => s.compare);
  const selectFace = useAppStore((s) => s.selectFace);
  const busy = useAppStore((s) => s.status === 'busy');
  const photoCanvas = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const viewerRef = useRef<HTMLDivElement>(null);
  const [cssSize, setCssSize] = useState({ w: 0, h: 0 });

  const showEdited = !!rendered && !compare;
  useEffect(() => {
    const c = photoCanvas.current;
    if (!c) return;
    if (c.width !== photo.width || c.height !== photo.height) { c.width = photo.width; c.height = photo.height; }
    const ctx = c.getContext('2d')!;
    ctx.drawImage(photo.bitmap, 0, 0);
    if (showEdited && rendered) ctx.drawImage(rendered.patch, rendered.x, rendered.y);
  }, [photo, rendered, showEdited]);

  // Scale the photo to fit the stage (up or down), keeping its aspect ratio.
  useEffect(() => {
    const box = viewerRef.current;
    if (!box) return;
    const fit = () => {
      const maxW = box.clientWidth;
      const maxH = Math.max(240, window.innerHeight * 0.72);
      const k = Math.min(maxW / photo.width, maxH / photo.height);
      setCssSize({ w: Math.max(1, Math.floor(photo.width * k)), h: Math.max(1, Math.floor(photo.height * k)) });
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(box);
    window.addEventListener('resize', fit);
    return () => { ro.disconnect(); window.removeEventListener('resize', fit); };
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
    const { rightOuter: ro, leftOuter: lo } = LANDMARK_SETS.eyeCorners;
    const iod = face ? Math.hypot(face.points[ro][0] - face.points[lo][0], face.points[ro][1] - face.points[lo][1]) * scale : 50;
    const r = Math.min(2.5 * dpr, Math.max(0.6 * dpr, iod / 90));
    drawMesh(ctx, points, edges, scale, { edge: 'rgba(80, 220, 255, 0.55)', point: 'rgba(255, 255, 255, 0.95)', radius: r, lineWidth: Math.max(0.5, r / 2) });
  }, [cssSize, drawn, points, edges, photo.width, face]);
  useEffect(redraw, [redraw]);

  return (
    <div className="viewer" data-testid="viewer" ref={viewerRef}>
      <div className="frame" style={{ width: cssSize.w || undefined, height: cssSize.h || undefined }}>
        <canvas ref={photoCanvas} className="photo" data-testid="photo-canvas" data-showing={showEdited ? 'edited' : 'original'}
          aria-label={`Photo ${photo.name}, ${photo.width} by ${photo.height} pixels`} role="img" />
        <canvas ref={overlay} className="overlay" data-testid="mesh-overlay" data-points={drawn} aria-hidden />
        {(faces.length > 1 || showMesh) && faces.map((f, i) => (
          <button
            key={i}
            type="button"
            className={`facebox${i === selected ? ' selected' : ''}${faces.length > 1 ? ' pickable' : ''}`}
            style={{ left: `${(f.x / photo.width) * 100}%`, top: `${(f.y / photo.height) * 100}%`, width: `${(f.width / photo.width) * 100}%`, height: `${(f.height / photo.height) * 100}%` }}
            onClick={() => { if (!busy && i !== selected) void selectFace(i); }}
            disabled={busy}
            aria-label={`Face ${i + 1}`}
            data-testid={`face-box-${i}`}
          />
        ))}
      </div>
      <div className="caption" data-testid="photo-caption">
        {photo.name} · {photo.width}×{photo.height} · <span data-testid="face-count">{faces.length} {faces.length === 1 ? 'face' : 'faces'}</span>
        {face && <> · yaw {face.pose.yaw.toFixed(0)}°, pitch {face.pose.pitch.toFixed(0)}°</>}
      </div>
    </div>
  );
}
