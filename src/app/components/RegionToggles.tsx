import type { Region } from '../engine';
import { useEditorStore } from '../store-context';

const REGION_LABELS: Record<Region, string> = { brows: 'Brows', eyes: 'Eyes', mouth: 'Mouth', jaw: 'Jaw' };

/** Limits the edit to some regions of the face (those the engine offers). */
export function RegionToggles({ enabled }: { enabled: boolean }) {
  const available = useEditorStore((s) => s.capabilities.regions);
  const regions = useEditorStore((s) => s.regions);
  const hasReference = useEditorStore((s) => s.reference !== null);
  const toggleRegion = useEditorStore((s) => s.toggleRegion);
  if (available.length === 0) return null;
  return (
    <fieldset
      className="row wrap"
      aria-labelledby="regions-label"
      data-testid="regions"
      title="Untick a part of the face to keep it as it is in your photo"
      style={{ border: 'none', padding: 0, margin: '0.6rem 0 0', minWidth: 0, alignItems: 'center' }}
    >
      <span id="regions-label" className="hint" style={{ margin: 0 }}>
        Change only:
      </span>
      {available.map((r) => (
        <label key={r} className="toggle small">
          <input
            type="checkbox"
            disabled={!enabled || !hasReference}
            checked={regions.includes(r)}
            onChange={() => toggleRegion(r)}
            data-testid={`region-${r}`}
          />
          {REGION_LABELS[r] ?? r}
        </label>
      ))}
    </fieldset>
  );
}
