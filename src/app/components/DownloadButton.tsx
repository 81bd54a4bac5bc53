import type { OutputFormat } from '../engine';
import type { EditorState } from '../store';
import { useEditorStore } from '../store-context';

const LABELS: Record<OutputFormat, string> = { png: 'Download PNG', jpeg: 'Download JPEG' };

/** Why the edited photo cannot be downloaded now, in the order of the flow; null when it can. */
export function downloadBlocker(s: Pick<EditorState, 'status' | 'photo' | 'face' | 'reference' | 'rendered' | 'rendering'>): string | null {
  if (s.status === 'starting') return 'Download: wait for the face models to load.';
  if (!s.photo) return 'Download: open a photo first.';
  if (!s.face) return s.status === 'busy' ? 'Download: wait until the face is found.' : 'Download: pick a face first.';
  if (!s.reference) return 'Download: choose a reference first; there is no edit to download yet.';
  if (s.rendering || !s.rendered) return 'Download: wait for the edit to finish.';
  if (s.status !== 'ready') return 'Download: wait for the current step to finish.';
  return null;
}

/** Downloads the edited photo at full resolution; enabled once a frame is shown and nothing is in flight (the title says why not). */
export function DownloadButton({ format, primary = false }: { format: OutputFormat; primary?: boolean }) {
  const blocker = useEditorStore(downloadBlocker);
  const download = useEditorStore((s) => s.download);
  return (
    <button
      type="button"
      className={primary ? 'primary' : undefined}
      disabled={blocker !== null}
      title={blocker ?? `${LABELS[format]} at full resolution`}
      onClick={() => void download(format)}
      data-testid={`download-${format}`}
    >
      {LABELS[format]}
    </button>
  );
}
