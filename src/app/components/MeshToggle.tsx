import { useEditorStore } from '../store-context';

/** The face mesh overlay: off by default (it would hide the edit), for checking where the landmarks are. */
export function MeshToggle() {
  const showMesh = useEditorStore((s) => s.showMesh);
  const setShowMesh = useEditorStore((s) => s.setShowMesh);
  return (
    <div className="card">
      <label className="toggle" title="Draws the points found on the face over the photo">
        <input type="checkbox" checked={showMesh} onChange={(e) => setShowMesh(e.target.checked)} data-testid="mesh-toggle" />
        Show the face points
      </label>
    </div>
  );
}
