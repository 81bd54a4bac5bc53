import { useEditorStore } from '../store-context';
import { DownloadButton } from './DownloadButton';

/** How the result is made, the before/after button and the downloads. */
export function ResultPanel() {
  const caps = useEditorStore((s) => s.capabilities);
  const hasFrame = useEditorStore((s) => s.rendered !== null);
  const rendering = useEditorStore((s) => s.rendering);
  const lastFrameMs = useEditorStore((s) => s.lastFrameMs);
  const setCompare = useEditorStore((s) => s.setCompare);
  if (!caps.expression) {
    return (
      <div className="card disabled" data-testid="export-panel">
        <h3>Result</h3>
        <p className="hint" data-testid="render-unavailable">
          Rendering the edited photo is not available in this build yet.
        </p>
      </div>
    );
  }
  return (
    <div className="card" data-testid="export-panel">
      <h3>Result</h3>
      <p className="hint" data-testid="generator-mode">
        {caps.refiner ? 'Warp + refiner network' : 'Warp only (no refiner in this build)'}
        {rendering ? (
          <span className="rendering" data-testid="rendering">
            {' '}
            · rendering…
          </span>
        ) : lastFrameMs !== null ? (
          ` · last frame ${Math.round(lastFrameMs)} ms`
        ) : (
          ''
        )}
      </p>
      {!hasFrame && !rendering && <p className="hint">Choose a reference or move the slider to edit the expression.</p>}
      <div className="row wrap">
        <button
          type="button"
          disabled={!hasFrame}
          data-testid="compare-button"
          onPointerDown={() => setCompare(true)}
          onPointerUp={() => setCompare(false)}
          onPointerLeave={() => setCompare(false)}
          onKeyDown={(e) => {
            if (e.key === ' ' || e.key === 'Enter') setCompare(true);
          }}
          onKeyUp={() => setCompare(false)}
        >
          Hold to see the original
        </button>
      </div>
      <div className="row wrap">
        <DownloadButton format="png" primary />
        <DownloadButton format="jpeg" />
      </div>
    </div>
  );
}
