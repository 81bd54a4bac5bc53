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

function Progress() {
  const status = useEditorStore((s) => s.status);
  const progress = useEditorStore((s) => s.progress);
  const busyLabel = useEditorStore((s) => s.busyLabel);
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
