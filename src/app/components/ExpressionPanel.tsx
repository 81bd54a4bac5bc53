import { useEditorStore } from '../store-context';
import { CameraReference } from './CameraReference';
import { IntensitySlider } from './IntensitySlider';
import { PresetStrip } from './PresetStrip';
import { ReferencePicker } from './ReferencePicker';

/** What the panel says before it can be used, in the order of the flow (models, photo, face). */
function useExpressionHint(): { id: string; text: string } | null {
  const status = useEditorStore((s) => s.status);
  const available = useEditorStore((s) => s.capabilities.expression);
  const hasPhoto = useEditorStore((s) => s.photo !== null);
  const faces = useEditorStore((s) => s.faces.length);
  const hasFace = useEditorStore((s) => s.face !== null);
  if (status === 'starting') return { id: 'expression-loading', text: 'Loading the expression models…' };
  if (!available) {
    return status === 'fatal'
      ? { id: 'expression-unavailable', text: 'Expression editing could not start (see the message above).' }
      : { id: 'expression-unavailable', text: 'Expression editing is not available in this build.' };
  }
  if (!hasPhoto) return { id: 'expression-hint', text: 'Open a photo first.' };
  if (hasFace) return null;
  if (faces === 0) return { id: 'expression-hint', text: 'No face to edit in this photo: try another one.' };
  return { id: 'expression-hint', text: status === 'busy' ? 'Finding the face…' : 'Pick a face first.' };
}

export function ExpressionPanel() {
  const enabled = useEditorStore((s) => s.capabilities.expression && s.face !== null);
  const hint = useExpressionHint();
  return (
    <div className={`card${enabled ? '' : ' disabled'}`} data-testid="expression-panel">
      <h3>Expression</h3>
      {hint && (
        <p className="hint" data-testid={hint.id}>
          {hint.text}
        </p>
      )}
      <ReferencePicker enabled={enabled} />
      <CameraReference />
      <PresetStrip enabled={enabled} />
      <IntensitySlider enabled={enabled} />
    </div>
  );
}
