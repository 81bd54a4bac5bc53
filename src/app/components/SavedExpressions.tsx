import { useRef, useState } from 'react';
import { useEditorStore } from '../store-context';

/** "Save this expression" under a name, and the saved ones: export as a file, delete; import a file. */
export function SavedExpressions({ active }: { active: boolean }) {
  const saved = useEditorStore((s) => s.saved);
  const saveExpression = useEditorStore((s) => s.saveExpression);
  const deleteExpression = useEditorStore((s) => s.deleteExpression);
  const exportExpression = useEditorStore((s) => s.exportExpression);
  const importExpression = useEditorStore((s) => s.importExpression);
  const [name, setName] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const save = () => {
    if (!name.trim()) return;
    void saveExpression(name);
    setName('');
  };
  return (
    <section className="saved" data-testid="saved-expressions">
      <h4>Saved expressions</h4>
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <input
          type="text"
          value={name}
          maxLength={60}
          placeholder="A name, e.g. my frown"
          disabled={!active}
          onChange={(e) => setName(e.target.value)}
          data-testid="expression-name"
          aria-label="Name of the expression to save"
        />
        <button type="submit" disabled={!active || !name.trim()} data-testid="expression-save">
          Save this expression
        </button>
      </form>
      {saved.length > 0 && (
        <ul className="saved-list" data-testid="saved-list">
          {saved.map((e) => (
            <li key={e.name} data-testid="saved-item" data-name={e.name}>
              <span className="saved-name">{e.name}</span>
              <button type="button" className="small" onClick={() => exportExpression(e.name)} data-testid="expression-export" title="Download as a file">
                Export
              </button>
              <button type="button" className="small" onClick={() => deleteExpression(e.name)} data-testid="expression-delete" aria-label={`Delete ${e.name}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="hint">Saved expressions are kept in this browser and listed under Reference, to give to any photo.</p>
      <button type="button" className="saved-import" onClick={() => input.current?.click()} data-testid="expression-import">
        Import a file…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="expression-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void importExpression(f);
          e.target.value = '';
        }}
      />
    </section>
  );
}
