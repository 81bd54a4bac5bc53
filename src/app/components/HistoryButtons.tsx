import { useEffect } from 'react';
import { useEditorStore, useEditorStoreApi } from '../store-context';

/** Whether a key press goes to a field the user types in (where Ctrl+Z is the field's own undo). */
export function typingTarget(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; type?: string; isContentEditable?: boolean } | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA') return true;
  return el.tagName === 'INPUT' && !['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'color'].includes(el.type ?? 'text');
}

/** The history command of a key press: Ctrl+Z (Cmd+Z) undoes; Ctrl+Shift+Z and Ctrl+Y redo. */
export function historyKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): 'undo' | 'redo' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !e.shiftKey) return 'redo';
  return null;
}

/** Undo and redo buttons; their shortcuts work anywhere on the page but in a text field. */
export function HistoryButtons() {
  const store = useEditorStoreApi();
  const canUndo = useEditorStore((s) => s.history.undo > 0);
  const canRedo = useEditorStore((s) => s.history.redo > 0);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = historyKey(e);
      if (!command || typingTarget(e.target)) return;
      e.preventDefault();
      store.getState()[command]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
  return (
    <>
      <button type="button" disabled={!canUndo} onClick={() => store.getState().undo()} data-testid="undo-button" aria-label="Undo" title="Undo (Ctrl+Z)">
        Undo
      </button>
      <button
        type="button"
        disabled={!canRedo}
        onClick={() => store.getState().redo()}
        data-testid="redo-button"
        aria-label="Redo"
        title="Redo (Ctrl+Shift+Z, Ctrl+Y)"
      >
        Redo
      </button>
    </>
  );
}
