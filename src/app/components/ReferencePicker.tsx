import { useEffect, useRef } from 'react';
import type { PresetName } from '../engine';
import type { ReferenceChoice, ReferencePhoto } from '../store';
import { useEditorStore } from '../store-context';

export const PRESET_LABELS: Record<PresetName, string> = {
  happy: 'Happy',
  surprise: 'Surprise',
  anger: 'Anger',
  sadness: 'Sadness',
  disgust: 'Disgust',
  fear: 'Fear',
};
const PRESETS = Object.keys(PRESET_LABELS) as PresetName[];

/**
 * Select values: "" = none chosen yet, "photo" = choose a (new) reference photo, "photo-current" = the one already
 * read, "saved:<name>" = a saved expression (the one in use stays listed even once deleted).
 */
function optionValue(r: ReferenceChoice | null): string {
  if (!r) return '';
  if (r.kind === 'preset') return `preset:${r.preset}`;
  if (r.kind === 'expression') return `saved:${r.name}`;
  return r.kind === 'photo' ? 'photo-current' : r.kind;
}

const THUMB = 56;

/** The face of the reference photo, cropped around its box (with a margin) into a small square. */
function ReferenceThumb({ photo, size = THUMB, testId = 'reference-thumb' }: { photo: ReferencePhoto; size?: number; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    c.width = Math.round(size * dpr);
    c.height = Math.round(size * dpr);
    const { bitmap, box } = photo;
    const side = Math.min(Math.max(box.width, box.height) * 1.5, bitmap.width, bitmap.height);
    const sx = Math.min(Math.max(0, box.x + box.width / 2 - side / 2), bitmap.width - side);
    const sy = Math.min(Math.max(0, box.y + box.height / 2 - side / 2), bitmap.height - side);
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.drawImage(bitmap, sx, sy, side, side, 0, 0, c.width, c.height);
  }, [photo, size]);
  return (
    <canvas
      ref={canvas}
      role="img"
      aria-label={`Reference photo ${photo.name}`}
      data-testid={testId}
      data-name={photo.name}
      style={{ width: size, height: size, borderRadius: 6, flex: 'none' }}
    />
  );
}

/** The reference photos picked before, the latest first: one click uses one again (its face is still analysed). */
function RecentReferences({ enabled }: { enabled: boolean }) {
  const recent = useEditorStore((s) => s.recentReferences);
  const referenceFace = useEditorStore((s) => s.referenceFace);
  const reference = useEditorStore((s) => s.reference);
  const pick = useEditorStore((s) => s.pickRecentReference);
  const busy = useEditorStore((s) => s.status === 'busy');
  if (recent.length === 0) return null;
  return (
    <fieldset className="recent-references" aria-label="Recent reference photos" data-testid="recent-references">
      <span className="hint" style={{ margin: 0 }}>
        Recent:
      </span>
      {recent.map((r, i) => (
        <button
          key={`${r.face.faceId}`}
          type="button"
          className="recent-reference"
          data-testid="recent-reference"
          data-name={r.name}
          title={r.name}
          aria-label={`Use reference photo ${r.name}`}
          aria-pressed={reference?.kind === 'photo' && referenceFace === r.face}
          disabled={!enabled || busy}
          onClick={() => pick(i)}
        >
          <ReferenceThumb photo={r.photo} size={36} testId="recent-reference-thumb" />
        </button>
      ))}
    </fieldset>
  );
}

/** Neutral, a preset (those this build ships), or a face from another photo (opens a file chooser). */
export function ReferencePicker({ enabled }: { enabled: boolean }) {
  const presets = useEditorStore((s) => s.capabilities.presets);
  const reference = useEditorStore((s) => s.reference);
  const referencePhoto = useEditorStore((s) => s.referencePhoto);
  const hasReferenceFace = useEditorStore((s) => s.referenceFace !== null);
  const setReference = useEditorStore((s) => s.setReference);
  const saved = useEditorStore((s) => s.saved);
  const openReference = useEditorStore((s) => s.openReference);
  const busy = useEditorStore((s) => s.status === 'busy');
  const input = useRef<HTMLInputElement>(null);

  const chooseFile = () => input.current?.click();
  const onSelect = (v: string) => {
    if (v === 'neutral') setReference({ kind: 'neutral' });
    else if (v.startsWith('preset:')) setReference({ kind: 'preset', preset: v.slice(7) as PresetName });
    else if (v === 'photo-current' && referencePhoto && hasReferenceFace) setReference({ kind: 'photo', name: referencePhoto.name });
    else if (v === 'photo') chooseFile();
    else if (v === 'camera') setReference({ kind: 'camera' });
    else if (v.startsWith('saved:')) {
      const e = saved.find((x) => x.name === v.slice(6));
      if (e) setReference({ kind: 'expression', name: e.name, json: e.json });
    }
  };
  // the saved expression in use, listed even after it was deleted
  const inUse = reference?.kind === 'expression' && !saved.some((e) => e.name === reference.name) ? [{ name: reference.name }] : [];

  return (
    <>
      <label className="field">
        <span>Reference</span>
        <select value={optionValue(reference)} disabled={!enabled} onChange={(e) => onSelect(e.target.value)} data-testid="reference-select">
          {reference === null && (
            <option value="" disabled>
              Choose a reference…
            </option>
          )}
          <option value="neutral">Neutral</option>
          {PRESETS.map((p) => (
            <option key={p} value={`preset:${p}`} disabled={!presets.includes(p)}>
              {PRESET_LABELS[p]}
            </option>
          ))}
          {[...saved, ...inUse].map((e) => (
            <option key={`saved:${e.name}`} value={`saved:${e.name}`}>
              Saved: {e.name}
            </option>
          ))}
          {referencePhoto && hasReferenceFace && <option value="photo-current">Photo: {referencePhoto.name}</option>}
          <option value="photo">{referencePhoto ? 'Another photo…' : 'A face from another photo…'}</option>
          <option value="camera">Camera: your own face</option>
        </select>
      </label>
      <p className="hint" data-testid="reference-help">
        The expression to give the face: a preset, neutral, or a face from another photo.
      </p>
      {reference?.kind === 'photo' && referencePhoto && (
        <div className="row" data-testid="reference-photo" style={{ alignItems: 'center', marginTop: '0.5rem' }}>
          <ReferenceThumb photo={referencePhoto} />
          <span data-testid="reference-name" style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
            {referencePhoto.name}
          </span>
          <button type="button" disabled={!enabled || busy} onClick={chooseFile} data-testid="reference-replace">
            Replace…
          </button>
        </div>
      )}
      <RecentReferences enabled={enabled} />
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
