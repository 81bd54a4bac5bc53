import { useEditorStore } from '../store-context';
import { IntensitySlider } from './IntensitySlider';
import { ReferencePicker } from './ReferencePicker';
import { RegionToggles } from './RegionToggles';

export function ExpressionPanel() {
  const available = useEditorStore((s) => s.capabilities.expression);
  const enabled = useEditorStore((s) => s.capabilities.expression && s.face !== null);
  return (
    <div className={`card${enabled ? '' : ' disabled'}`} data-testid="expression-panel">
      <h3>Expression</h3>
      {!available && (
        <p className="hint" data-testid="expression-unavailable">
          Expression editing is not available in this build yet.
        </p>
      )}
      <ReferencePicker enabled={enabled} />
      <IntensitySlider enabled={enabled} />
      <RegionToggles enabled={enabled} />
    </div>
  );
}
