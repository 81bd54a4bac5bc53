import type { OutputFormat } from '../engine';
import { useEditorStore } from '../store-context';

const LABELS: Record<OutputFormat, string> = { png: 'Download PNG', jpeg: 'Download JPEG' };

/** Downloads the edited photo at full resolution; enabled once a frame is shown and nothing is in flight. */
export function DownloadButton({ format, primary = false }: { format: OutputFormat; primary?: boolean }) {
  const ready = useEditorStore((s) => !!s.photo && !!s.rendered && s.status === 'ready' && !s.rendering);
  const download = useEditorStore((s) => s.download);
  return (
    <button
      type="button"
      className={primary ? 'primary' : undefined}
      disabled={!ready}
      onClick={() => void download(format)}
      data-testid={`download-${format}`}
    >
      {LABELS[format]}
    </button>
  );
}
