import type { KeyboardEvent } from 'react';
import { INTENSITY_MAX } from '../store';
import { useEditorStore } from '../store-context';

/** One arrow key press. */
const INTENSITY_STEP = 0.05;
/** One Page Up / Page Down press. */
const INTENSITY_PAGE = 0.25;

/** The intensity after a Page Up (+1) or Page Down (-1): a page away, on the slider's step grid, within its range. */
export function pagedIntensity(a: number, direction: 1 | -1): number {
  const v = Math.round((a + direction * INTENSITY_PAGE) / INTENSITY_STEP) * INTENSITY_STEP;
  return Math.round(Math.min(INTENSITY_MAX, Math.max(0, v)) * 100) / 100;
}

/** 0 = the photo, 1 = the reference's expression, up to 1.5; disabled (with a hint) until a reference is chosen. */
export function IntensitySlider({ enabled }: { enabled: boolean }) {
  const intensity = useEditorStore((s) => s.intensity);
  const hasReference = useEditorStore((s) => s.reference !== null);
  const setIntensity = useEditorStore((s) => s.setIntensity);
  // a drag is one step of the history: it is recorded when the pointer lets go
  const commitStep = useEditorStore((s) => s.commitStep);
  const active = enabled && hasReference;
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'PageUp' && e.key !== 'PageDown') return;
    e.preventDefault();
    setIntensity(pagedIntensity(intensity, e.key === 'PageUp' ? 1 : -1));
  };
  return (
    <label className="field">
      <span>
        Intensity <output data-testid="intensity-value">{intensity.toFixed(2)}</output>
      </span>
      <input
        type="range"
        min={0}
        max={INTENSITY_MAX}
        step={INTENSITY_STEP}
        value={intensity}
        disabled={!active}
        onChange={(e) => setIntensity(Number(e.target.value))}
        onKeyDown={onKeyDown}
        onPointerUp={commitStep}
        data-testid="intensity-slider"
        aria-label="Expression intensity"
        aria-describedby="intensity-hint"
        title="Arrow keys: 0.05 per press; Page Up / Page Down: 0.25"
      />
      <small className="hint" id="intensity-hint" data-testid="intensity-hint">
        {active
          ? "0 = your photo, 1 = the reference's expression (up to 1.5 exaggerates it)."
          : enabled
            ? "Choose a reference first. Then: 0 = your photo, 1 = the reference's expression."
            : "0 = your photo, 1 = the reference's expression."}
      </small>
    </label>
  );
}
