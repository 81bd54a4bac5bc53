import { useRef, type ChangeEvent } from 'react';
import { useEditorStore } from '../store-context';

const SAMPLE_URL = `${import.meta.env.BASE_URL}samples/astronaut.png`;

/** Choose a photo, or load the sample. */
export function PhotoInput() {
  const status = useEditorStore((s) => s.status);
  const openFile = useEditorStore((s) => s.openFile);
  const input = useRef<HTMLInputElement>(null);
  const disabled = status === 'starting' || status === 'fatal';
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) void openFile(file, file.name);
    e.target.value = '';
  };
  const loadSample = async () => {
    const res = await fetch(SAMPLE_URL);
    await openFile(await res.blob(), 'astronaut.png');
  };
  return (
    <div className="card">
      <h3>Photo</h3>
      <div className="row">
        <button type="button" className="primary" disabled={disabled} onClick={() => input.current?.click()} data-testid="choose-photo">
          Choose photo…
        </button>
        <button type="button" disabled={disabled} onClick={() => void loadSample()} data-testid="sample-button">
          Try the sample photo
        </button>
      </div>
      <input ref={input} type="file" accept="image/*" hidden onChange={onChange} data-testid="file-input" />
      <p className="hint" data-testid="photo-hint">
        {status === 'starting' ? (
          'You can choose a photo once the face models have loaded.'
        ) : (
          <span className="desktop-only">or drag and drop, or paste (Ctrl+V)</span>
        )}
      </p>
    </div>
  );
}
