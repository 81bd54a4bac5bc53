import { useEditorStore, useEditorStoreApi } from '../store-context';

/** What happened to the engine (a lost GPU, a crash) in plain words, until dismissed. */
export function EngineNotice() {
  const notice = useEditorStore((s) => s.engineNotice ?? null);
  const store = useEditorStoreApi();
  if (!notice) return null;
  return (
    <div className="notice" role="status" data-testid="engine-notice">
      <span>{notice}</span>
      <button type="button" className="link" onClick={() => store.setState({ engineNotice: null })} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
