import { useEditorStore } from '../store-context';

/** The list of faces when the photo has several. */
export function FacePicker() {
  const faces = useEditorStore((s) => s.faces);
  const selected = useEditorStore((s) => s.selected);
  const selectFace = useEditorStore((s) => s.selectFace);
  const busy = useEditorStore((s) => s.status === 'busy');
  if (faces.length < 2) return null;
  return (
    <div className="card" data-testid="face-list">
      <h3>{faces.length} faces found</h3>
      <p className="hint">Pick the face to edit (or click its box).</p>
      <div className="row wrap">
        {faces.map((f, i) => (
          <button
            key={`${f.x},${f.y}`}
            type="button"
            disabled={busy}
            className={i === selected ? 'chip active' : 'chip'}
            onClick={() => void selectFace(i)}
            data-testid={`face-item-${i}`}
          >
            Face {i + 1} <small>({Math.round(f.width)} px)</small>
          </button>
        ))}
      </div>
    </div>
  );
}
