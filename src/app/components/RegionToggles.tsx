import { useEditorStore } from '../store-context';

/** Limits the edit to some regions of the face (those the engine offers). */
export function RegionToggles({ enabled }: { enabled: boolean }) {
  const available = useEditorStore((s) => s.capabilities.regions);
  const regions = useEditorStore((s) => s.regions);
  const toggleRegion = useEditorStore((s) => s.toggleRegion);
  if (available.length === 0) return null;
  return (
    <div className="row wrap" data-testid="regions">
      {available.map((r) => (
        <label key={r} className="toggle small">
          <input type="checkbox" disabled={!enabled} checked={regions.includes(r)} onChange={() => toggleRegion(r)} data-testid={`region-${r}`} />
          {r}
        </label>
      ))}
    </div>
  );
}
