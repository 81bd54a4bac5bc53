import { useEffect, useRef, useState } from 'react';
import { type CameraSession, type CameraStatus, startCamera } from '../camera';
import { useEditorStore, useEditorStoreApi } from '../store-context';
import { VIDEO_MAX_SECONDS } from '../video-export';

function statusText(s: CameraStatus | null): string {
  if (!s || s.kind === 'starting') return 'Starting the camera…';
  if (s.kind === 'live') {
    if (!s.face) return 'Camera on: looking for your face…';
    return s.calibrating ? 'Camera on: hold still with a relaxed face while it learns your neutral face…' : 'Camera on: the photo follows your face.';
  }
  if (s.kind === 'stopped') {
    if (s.reason === 'hidden') return 'The camera stopped while this tab was hidden.';
    if (s.reason === 'ended') return 'The camera was turned off.';
    return 'The camera is off.';
  }
  return s.message;
}

/**
 * The camera as the reference (the picker's "Camera" choice): runs camera.ts's live loop while it is the reference,
 * shows that the camera is on, mirrors by default, and captures the current expression as a saved expression. The
 * stream stops when another reference is picked, the tab is hidden or the page is left.
 */
export function CameraReference() {
  const store = useEditorStoreApi();
  const active = useEditorStore((s) => s.reference?.kind === 'camera' && s.face !== null);
  const [status, setStatus] = useState<CameraStatus | null>(null);
  const [mirror, setMirror] = useState(true);
  const [run, setRun] = useState(0);
  /** The recording's start (performance.now()) while one runs, and the seconds shown. */
  const [recordingSince, setRecordingSince] = useState<number | null>(null);
  const [, tick] = useState(0);
  const mirrorRef = useRef(mirror);
  mirrorRef.current = mirror;
  const session = useRef<CameraSession | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `run` changes to start the camera again ("Start again")
  useEffect(() => {
    if (!active) return;
    setStatus(null);
    const s = startCamera({
      api: store.getState().engine(),
      target: () => {
        const { face, capabilities, regions, unitEdits, intensity } = store.getState();
        if (!face) return null;
        const units = Object.keys(unitEdits).length ? unitEdits : undefined;
        return { faceId: face.faceId, regions: capabilities.regions.length ? regions : undefined, units, a: intensity };
      },
      mirror: () => mirrorRef.current,
      onFrame: (f) => store.getState().showLiveFrame(f.frame, f.editId, f.units),
      onStatus: setStatus,
      onRecorded: (r) => {
        setRecordingSince(null);
        if (r) store.getState().setRecording(r);
      },
    });
    session.current = s;
    if (__LEED_TEST_HOOKS__) (window as unknown as { __leedCamera?: CameraSession }).__leedCamera = s;
    const onVisibility = () => {
      if (document.hidden) s.stop('hidden');
    };
    const onLeave = () => s.stop('left');
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', onLeave);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onLeave);
      s.dispose();
      session.current = null;
    };
  }, [active, run, store]);

  useEffect(() => {
    if (recordingSince === null) return;
    const id = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(id);
  }, [recordingSince]);

  if (!active) return null;
  const live = status?.kind === 'live';
  const capture = async () => {
    const st = store.getState();
    const taken = new Set(st.saved.map((e) => e.name));
    let n = 1;
    while (taken.has(`Capture ${n}`)) n++;
    const e = await session.current?.capture(`Capture ${n}`);
    // a saved expression from now on: the list keeps it and it becomes the reference (the camera stops)
    if (e) await st.importExpression(new Blob([e.json], { type: 'application/json' }));
  };
  return (
    <div className="camera" data-testid="camera-panel">
      <p className={`hint${live ? ' camera-live' : ''}`} role="status" data-testid={live ? 'camera-live' : `camera-${status?.kind ?? 'starting'}`}>
        {live && (
          <span aria-hidden style={{ color: '#e5484d' }}>
            ●{' '}
          </span>
        )}
        {statusText(status)}
      </p>
      <div className="row wrap">
        <label className="toggle">
          <input type="checkbox" checked={mirror} onChange={(e) => setMirror(e.target.checked)} data-testid="camera-mirror" /> Mirror
        </label>
        <button
          type="button"
          disabled={!live || status?.kind !== 'live' || !status.face}
          onClick={() => void capture()}
          data-testid="camera-capture"
          title="Keep this expression as a saved expression"
        >
          Capture
        </button>
        {recordingSince === null ? (
          <button
            type="button"
            disabled={!live}
            onClick={() => {
              session.current?.record();
              if (session.current?.recording) setRecordingSince(performance.now());
            }}
            data-testid="camera-record"
            title={`Record your performance (up to ${VIDEO_MAX_SECONDS} s) to save it as a video: only the expressions are kept, no camera picture`}
          >
            Record
          </button>
        ) : (
          <button type="button" onClick={() => session.current?.stopRecording()} data-testid="camera-record-stop">
            Stop recording ({Math.min(VIDEO_MAX_SECONDS, (performance.now() - recordingSince) / 1000).toFixed(0)} s)
          </button>
        )}
        <button type="button" disabled={!live} onClick={() => session.current?.relearn()} data-testid="camera-relearn" title="Hold still with a relaxed face">
          Learn my neutral face again
        </button>
        {status?.kind === 'stopped' && (
          <button type="button" onClick={() => setRun((r) => r + 1)} data-testid="camera-restart">
            Start again
          </button>
        )}
      </div>
    </div>
  );
}
