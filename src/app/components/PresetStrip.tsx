import { useEffect, useRef } from 'react';
import { type ThumbName, thumbNames } from '../preset-thumbs';
import type { RawPixels } from '../protocol';
import type { ReferenceChoice } from '../store';
import { useEditorStore } from '../store-context';
import { PRESET_LABELS } from './ReferencePicker';

const labelOf = (name: ThumbName) => (name === 'neutral' ? 'Neutral' : PRESET_LABELS[name]);
const chosen = (r: ReferenceChoice | null, name: ThumbName) => (name === 'neutral' ? r?.kind === 'neutral' : r?.kind === 'preset' && r.preset === name);

function ThumbCanvas({ pixels }: { pixels: RawPixels }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (ctx) ctx.putImageData(new ImageData(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height), 0, 0);
  }, [pixels]);
  return <canvas ref={canvas} width={pixels.width} height={pixels.height} />;
}

/**
 * "Try quickly": the selected face under every preset (and neutral), small, in one row that scrolls sideways; a click
 * picks that reference. The pictures come when the user rests (preset-thumbs.ts); until then each shows its name.
 */
export function PresetStrip({ enabled }: { enabled: boolean }) {
  const presets = useEditorStore((s) => s.capabilities.presets);
  const thumbs = useEditorStore((s) => s.presetThumbs);
  const reference = useEditorStore((s) => s.reference);
  const setReference = useEditorStore((s) => s.setReference);
  if (!enabled || presets.length === 0) return null;
  const pick = (name: ThumbName) => setReference(name === 'neutral' ? { kind: 'neutral' } : { kind: 'preset', preset: name });
  return (
    <fieldset className="preset-strip" aria-label="Presets on this face" data-testid="preset-strip">
      {thumbNames(presets).map((name) => {
        const pixels = thumbs[name];
        return (
          <button
            key={name}
            type="button"
            className="preset-thumb"
            data-testid={`preset-thumb-${name}`}
            data-ready={pixels ? 'true' : 'false'}
            aria-pressed={chosen(reference, name)}
            onClick={() => pick(name)}
          >
            {pixels ? <ThumbCanvas pixels={pixels} /> : <span className="preset-thumb-placeholder" aria-hidden="true" />}
            <span className="preset-thumb-label">{labelOf(name)}</span>
          </button>
        );
      })}
    </fieldset>
  );
}
