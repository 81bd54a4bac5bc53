import { useEditorStore } from '../store-context';

export function Welcome() {
  const status = useEditorStore((s) => s.status);
  return (
    <div className="welcome" data-testid="welcome">
      <h2>Change the expression of a face in a photo</h2>
      <p>Choose a photo, drop one here, or paste one with Ctrl+V. {status === 'starting' ? 'The face models are loading…' : ''}</p>
    </div>
  );
}
