import { useEffect, useRef, useState } from 'react';
import { useEditorStore } from '../store-context';

/** Model loading progress, the current busy step, and the last error (its message comes from the error code). */
export function StatusBar() {
  return (
    <>
      <Progress />
      <ErrorBanner />
    </>
  );
}

/** How far the bar creeps past the last reported step while waiting for the next one. */
const CREEP_SPAN = 0.3;
/** Time constant of that creep (ms): it slows down as it nears its cap, so it never overtakes a slow step by much. */
const CREEP_MS = 4000;
const CREEP_MAX = 0.97;

/**
 * The loading fraction shown: the engine reports a few steps (0, 0.05, 0.2, ... 1); between two
 * steps the bar keeps moving toward the next one (easing out, never backwards), so a long step
 * does not look like a hang.
 */
export function smoothProgress(step: number, shownAtStep: number, elapsedMs: number): number {
  const base = Math.max(step, shownAtStep);
  if (step >= 1) return 1;
  const cap = Math.max(base, Math.min(CREEP_MAX, step + CREEP_SPAN));
  return base + (cap - base) * (1 - Math.exp(-elapsedMs / CREEP_MS));
}

function useSmoothFraction(step: number, active: boolean): number {
  const [shown, setShown] = useState(step);
  const shownRef = useRef(step);
  useEffect(() => {
    if (!active) {
      // A later start (e.g. after the engine is restarted) begins from its own first step.
      shownRef.current = 0;
      return;
    }
    const from = shownRef.current;
    const t0 = performance.now();
    const tick = () => {
      const v = smoothProgress(step, from, performance.now() - t0);
      shownRef.current = v;
      setShown(v);
    };
    tick();
    const timer = setInterval(tick, 50);
    return () => clearInterval(timer);
  }, [step, active]);
  return shown;
}

function Progress() {
  const status = useEditorStore((s) => s.status);
  const progress = useEditorStore((s) => s.progress);
  const busyLabel = useEditorStore((s) => s.busyLabel);
  const fraction = useSmoothFraction(progress.fraction, status === 'starting');
  if (status === 'starting') {
    return (
      <div className="progress" data-testid="progress" role="status">
        <div className="progress-label" data-testid="progress-label">
          Loading the face models ({Math.floor(fraction * 100)} %): {progress.label}…
        </div>
        <progress max={1} value={fraction} aria-label="Model loading progress" data-testid="progress-bar" />
      </div>
    );
  }
  // Loading that goes on once photos can be opened (the expression models; the refiner after the first face).
  const preparing =
    status !== 'fatal' && progress.fraction < 1 ? (
      <div className="preparing" data-testid="preparing" role="status">
        {progress.label}…
      </div>
    ) : null;
  if (status === 'busy') {
    return (
      <>
        <div className="progress" data-testid="busy" role="status">
          <div className="progress-label">{busyLabel}</div>
          <progress aria-label={busyLabel} />
        </div>
        {preparing}
      </>
    );
  }
  return preparing;
}

function ErrorBanner() {
  const error = useEditorStore((s) => s.error);
  const dismiss = useEditorStore((s) => s.dismissError);
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="error" data-code={error.code} title={error.detail}>
      <span>{error.message}</span>
      <button type="button" className="link" onClick={dismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
