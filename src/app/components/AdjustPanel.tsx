import { type Region, UNIT_GROUPS, UNIT_NAMES, UNITS, type UnitGroup } from '../engine';
import { useEditorStore } from '../store-context';
import { SavedExpressions } from './SavedExpressions';
import { UnitSlider } from './UnitSlider';

const GROUP_LABELS: Record<UnitGroup, string> = { brows: 'Brows', eyes: 'Eyes and gaze', cheeks: 'Cheeks and nose', mouth: 'Mouth', jaw: 'Jaw' };
/** The region (RegionToggles of old) each group's switch turns on and off; cheeks have none. */
const GROUP_REGION: Partial<Record<UnitGroup, Region>> = { brows: 'brows', eyes: 'eyes', mouth: 'mouth', jaw: 'jaw' };

/** A group's header: its name, the switch of its region (untick: that part stays as in the photo), and its reset. */
function GroupHeader({ group, active }: { group: UnitGroup; active: boolean }) {
  const available = useEditorStore((s) => s.capabilities.regions);
  const regions = useEditorStore((s) => s.regions);
  const changed = useEditorStore((s) => Object.keys(s.unitEdits).some((u) => UNITS[u as keyof typeof UNITS].group === group));
  const toggleRegion = useEditorStore((s) => s.toggleRegion);
  const resetUnits = useEditorStore((s) => s.resetUnits);
  const region = GROUP_REGION[group];
  const hasSwitch = region !== undefined && available.includes(region);
  return (
    <legend className="unit-head">
      <span className="unit-name">{GROUP_LABELS[group]}</span>
      {hasSwitch && (
        <label className="toggle small" title={`Untick to keep the ${GROUP_LABELS[group].toLowerCase()} as they are in your photo`}>
          <input
            type="checkbox"
            disabled={!active}
            checked={regions.includes(region)}
            onChange={() => toggleRegion(region)}
            data-testid={`region-${region}`}
            aria-label={`Change the ${GROUP_LABELS[group].toLowerCase()}`}
          />
          Change
        </label>
      )}
      <button
        type="button"
        className="small"
        disabled={!active || !changed}
        onClick={() => resetUnits(group)}
        data-testid={`unit-reset-${group}`}
        title="Back to the reference's values"
      >
        Reset
      </button>
    </legend>
  );
}

/** The action units by part of the face: each a slider over its range, each part with its region switch and a reset. */
export function AdjustPanel() {
  const enabled = useEditorStore((s) => s.capabilities.expression && s.face !== null);
  const hasReference = useEditorStore((s) => s.reference !== null);
  const available = useEditorStore((s) => s.capabilities.expression);
  if (!available) return null;
  const active = enabled && hasReference;
  return (
    <div className={`card${active ? '' : ' disabled'}`} data-testid="adjust-panel">
      <h3>Adjust parts</h3>
      <p className="hint" data-testid="adjust-hint">
        {active
          ? "Each part of the reference's expression, as FACS action units: move one to change only that part."
          : 'Choose a reference first. Then each part of its expression can be changed on its own.'}
      </p>
      <div className="unit-groups" data-testid="regions">
        {UNIT_GROUPS.map((g) => (
          <fieldset key={g} className="unit-group" data-testid={`unit-group-${g}`}>
            <GroupHeader group={g} active={active} />
            {UNIT_NAMES.filter((u) => UNITS[u].group === g).map((u) => (
              <UnitSlider key={u} unit={u} active={active} />
            ))}
          </fieldset>
        ))}
      </div>
      <SavedExpressions active={active} />
    </div>
  );
}
