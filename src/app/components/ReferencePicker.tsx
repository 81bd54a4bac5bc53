import { useRef } from 'react';
import type { PresetName } from '../engine';
import type { ReferenceChoice } from '../store';
import { useEditorStore } from '../store-context';

const PRESET_LABELS: Record<PresetName, string> = {
  happy: 'Happy',
  surprise: 'Surprise',
  anger: 'Anger',
  sadness: 'Sadness',
  disgust: 'Disgust',
  fear: 'Fear',
};
const PRESETS = Object.keys(PRESET_LABELS) as PresetName[];

function optionValue(r: ReferenceChoice): string {
  return r.kind === 'preset' ? `preset:${r.preset}` : r.kind;
}

/** Neutral, a preset (those this build ships), or another photo (opens a file chooser). */
export function ReferencePicker({ enabled }: { enabled: boolean }) {
  const presets = useEditorStore((s) => s.capabilities.presets);
  const reference = useEditorStore((s) => s.reference);
  const hasReferenceFace = useEditorStore((s) => s.referenceFace !== null);
  const setReference = useEditorStore((s) => s.setReference);
  const openReference = useEditorStore((s) => s.openReference);
  const input = useRef<HTMLInputElement>(null);

  const onSelect = (v: string) => {
    if (v === 'neutral') setReference({ kind: 'neutral' });
    else if (v.startsWith('preset:')) setReference({ kind: 'preset', preset: v.slice(7) as PresetName });
    else if (v === 'photo') {
      if (hasReferenceFace && reference.kind === 'photo') setReference(reference);
      else input.current?.click();
    }
  };

  return (
    <>
      <label className="field">
        <span>Reference</span>
        <select value={optionValue(reference)} disabled={!enabled} onChange={(e) => onSelect(e.target.value)} data-testid="reference-select">
          <option value="neutral">Neutral</option>
          {PRESETS.map((p) => (
            <option key={p} value={`preset:${p}`} disabled={!presets.includes(p)}>
              {PRESET_LABELS[p]}
            </option>
          ))}
          <option value="photo">{reference.kind === 'photo' ? `Photo: ${reference.name}` : 'Another photo…'}</option>
        </select>
      </label>
      <input
        ref={input}
        type="file"
        accept="image/*"
        hidden
        data-testid="reference-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void openReference(f, f.name);
          e.target.value = '';
        }}
      />
    </>
  );
}
