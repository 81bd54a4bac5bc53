import { useEditorStore } from '../store-context';
import { DownloadButton, downloadBlocker } from './DownloadButton';
import { HistoryButtons } from './HistoryButtons';

/** What the panel says while the photo is analysed (the status bar's step, else this). */
const FINDING_FACES = 'Finding faces…';

/** "Edited in 5.5 s" (the user's wait, from the change to the full frame on screen, in plain words). */
export function editedIn(ms: number): string {
  return `Edited in ${ms < 100 ? '0.1' : (ms / 1000).toFixed(1)} s`;
}

/** What the result panel says: loading, what is missing (in the order of the flow), or how the last edit went. */
function useResultLine(): { id: string; text: string } {
  const s = useEditorStore((s) => s);
  if (s.status === 'starting') return { id: 'result-loading', text: 'Loading the face models…' };
  if (!s.capabilities.expression) {
    return s.status === 'fatal'
      ? { id: 'render-unavailable', text: 'Editing could not start (see the message above).' }
      : { id: 'render-unavailable', text: 'Rendering the edited photo is not available in this build.' };
  }
  // the photo is being analysed: say what it waits for, not what the user should do
  if (s.status === 'busy' && (!s.photo || !s.face)) return { id: 'result-wait', text: s.busyLabel || FINDING_FACES };
  if (!s.photo) return { id: 'result-hint', text: 'Open a photo to start.' };
  if (!s.face) return { id: 'result-hint', text: s.faces.length === 0 ? 'No face to edit.' : 'Pick a face to edit.' };
  if (!s.reference) return { id: 'result-hint', text: 'Choose a reference to edit the expression.' };
  if (s.rendering && s.lastFrameKind === 'preview') return { id: 'rendering', text: 'Preview; the full-quality edit follows…' };
  if (s.rendering) return { id: 'rendering', text: 'Editing…' };
  const waited = s.lastWaitMs ?? s.lastFrameMs;
  if (s.rendered && waited !== null) return { id: 'generator-mode', text: editedIn(waited) };
  return { id: 'result-hint', text: 'Move the slider to edit the expression.' };
}

/** The edit's state in plain words, the before/after button and the downloads (with why they are disabled). */
export function ResultPanel() {
  const available = useEditorStore((s) => s.capabilities.expression);
  const refiner = useEditorStore((s) => s.capabilities.refiner);
  const hasFrame = useEditorStore((s) => s.rendered !== null);
  const blocker = useEditorStore(downloadBlocker);
  const setCompare = useEditorStore((s) => s.setCompare);
  const line = useResultLine();
  return (
    <div className={`card${available ? '' : ' disabled'}`} data-testid="export-panel">
      <h3>Result</h3>
      <p
        className={`hint${line.id === 'rendering' ? ' rendering' : ''}`}
        data-testid={line.id}
        title={available ? (refiner ? 'Warped, then retouched by a small network (mouth, eyelids)' : 'Warped only') : undefined}
      >
        {line.text}
      </p>
      {available && (
        <>
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
            <HistoryButtons />
          </div>
          <div className="row wrap">
            <DownloadButton format="png" primary />
            <DownloadButton format="jpeg" />
          </div>
        </>
      )}
      {available && blocker && (
        <p className="hint" data-testid="download-reason">
          {blocker.replace(/^Download: /, 'To download: ')}
        </p>
      )}
    </div>
  );
}
