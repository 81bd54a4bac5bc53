import { useEditorStore } from '../store-context';

export function Welcome() {
  const status = useEditorStore((s) => s.status);
  return (
    <div className="welcome" data-testid="welcome">
      <h2>Change the expression of a face in a photo</h2>
      <p>
        Choose a photo<span className="desktop-only">, drop one here, or paste one with Ctrl+V</span>.{' '}
        {status === 'starting' ? 'The face models are loading…' : ''}
      </p>
      <p>Then choose a reference (the expression to give the face), set the intensity, and download the edited photo.</p>
    </div>
  );
}
