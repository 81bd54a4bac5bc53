import { useEditorStore } from '../store-context';

/** 0 = the photo, 1 = the reference's expression, up to 1.5. */
export function IntensitySlider({ enabled }: { enabled: boolean }) {
  const intensity = useEditorStore((s) => s.intensity);
  const setIntensity = useEditorStore((s) => s.setIntensity);
  return (
    <label className="field">
      <span>
        Intensity <output data-testid="intensity-value">{intensity.toFixed(2)}</output>
      </span>
      <input
        type="range"
        min={0}
        max={1.5}
        step={0.01}
        value={intensity}
        disabled={!enabled}
        onChange={(e) => setIntensity(Number(e.target.value))}
        data-testid="intensity-slider"
        aria-label="Expression intensity"
      />
    </label>
  );
}
