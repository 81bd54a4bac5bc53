import { largestFace } from '../store';
import { useEditorStore } from '../store-context';

/** The list of faces when the photo has several (the largest is selected at first). */
export function FacePicker() {
  const faces = useEditorStore((s) => s.faces);
  const selected = useEditorStore((s) => s.selected);
  const selectFace = useEditorStore((s) => s.selectFace);
  const busy = useEditorStore((s) => s.status === 'busy');
  if (faces.length < 2) return null;
  const largest = largestFace(faces);
  return (
    <div className="card" data-testid="face-list">
      <h3>{faces.length} faces found</h3>
      <p className="hint">The largest face is selected. To edit another, pick it here or click its box on the photo.</p>
      <div className="row wrap">
        {faces.map((f, i) => (
          <button
            key={`${f.x},${f.y}`}
            type="button"
            disabled={busy}
            className={i === selected ? 'chip active' : 'chip'}
            aria-pressed={i === selected}
            onClick={() => void selectFace(i)}
            data-testid={`face-item-${i}`}
          >
            Face {i + 1}
            {i === largest ? <small> (largest)</small> : null}
          </button>
        ))}
      </div>
    </div>
  );
}
