import type { KeyboardEvent } from 'react';
import { UNITS, type UnitName } from '../engine';
import { useEditorStore } from '../store-context';

/** One arrow key press (the intensity slider's step). */
const UNIT_STEP = 0.05;
/** One Page Up / Page Down press. */
const UNIT_PAGE = 0.25;

/** A unit's value after a Page Up (+1) or Page Down (-1): a page away, on the step grid, within [min, max]. */
export function pagedUnit(v: number, direction: 1 | -1, min: number, max: number): number {
  const next = Math.round((v + direction * UNIT_PAGE) / UNIT_STEP) * UNIT_STEP;
  return Math.round(Math.min(max, Math.max(min, next)) * 100) / 100;
}

/** The value a unit's slider shows: the user's, else the edit's (the reference's decomposition; unknown before its first frame). */
function useUnitValue(unit: UnitName): { value: number; set: boolean; known: boolean } {
  const asked = useEditorStore((s) => s.unitEdits[unit]);
  const current = useEditorStore((s) => s.units?.[unit]);
  return { value: asked ?? current ?? 0, set: asked !== undefined, known: asked !== undefined || current !== undefined };
}

/** One action unit over its range, in 0.05 steps; keyboard as the intensity slider. */
export function UnitSlider({ unit, active }: { unit: UnitName; active: boolean }) {
  const info = UNITS[unit];
  const { value, set, known } = useUnitValue(unit);
  const setUnit = useEditorStore((s) => s.setUnit);
  // a drag is one step of the history: it is recorded when the pointer lets go
  const commitStep = useEditorStore((s) => s.commitStep);
  const shown = Math.min(info.max, Math.max(info.min, value));
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'PageUp' && e.key !== 'PageDown') return;
    e.preventDefault();
    setUnit(unit, pagedUnit(shown, e.key === 'PageUp' ? 1 : -1, info.min, info.max));
  };
  return (
    <label className={`field unit${set ? ' unit-set' : ''}`}>
      <span>
        {info.label} <small className="facs">AU{info.facs}</small>
        <output data-testid={`unit-value-${unit}`}>{known ? shown.toFixed(2) : '–'}</output>
      </span>
      <input
        type="range"
        min={info.min}
        max={info.max}
        step={UNIT_STEP}
        value={shown}
        disabled={!active}
        onChange={(e) => setUnit(unit, Number(e.target.value))}
        onKeyDown={onKeyDown}
        onPointerUp={commitStep}
        data-testid={`unit-${unit}`}
        aria-label={`${info.label} (AU${info.facs})`}
        title="Arrow keys: 0.05 per press; Page Up / Page Down: 0.25"
      />
    </label>
  );
}
