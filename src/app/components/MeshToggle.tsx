import { useEditorStore } from '../store-context';

export function MeshToggle() {
  const showMesh = useEditorStore((s) => s.showMesh);
  const setShowMesh = useEditorStore((s) => s.setShowMesh);
  const points = useEditorStore((s) => s.face?.points.length ?? 0);
  return (
    <div className="card">
      <label className="toggle">
        <input type="checkbox" checked={showMesh} onChange={(e) => setShowMesh(e.target.checked)} data-testid="mesh-toggle" />
        Show the face mesh {points ? `(${points} points)` : ''}
      </label>
    </div>
  );
}
