/**
 * The download side effect: an encoded photo becomes a file the browser saves, named after the
 * original and what was done to it (`063.jpg` edited with "happy" at 1 -> `063-happy-100.png`:
 * `downloadName`). The DOM calls are injected so it runs in tests.
 */
import { editedFilename, type OutputFormat } from './engine';

/** The reference as download names see it (store.ts's ReferenceChoice). */
type NamedReference =
  | { kind: 'neutral' }
  | { kind: 'camera' }
  | { kind: 'preset'; preset: string }
  | { kind: 'photo'; name: string }
  | { kind: 'expression'; name: string };

/**
 * A name made safe in a file name: only letters, digits, `_` and `-` (at most 40); a file name (`file`) loses its
 * folder and extension first.
 */
export function safeStem(name: string | undefined, fallback: string, file = true): string {
  const base = file ? (name ?? '').split(/[\\/]/).pop()!.split(/[?#]/)[0] : (name ?? '');
  const dot = file ? base.lastIndexOf('.') : -1;
  const stem = (dot > 0 ? base.slice(0, dot) : base)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 40)
    .replace(/[-_]+$/, '');
  return stem || fallback;
}

/**
 * The edited photo's file name: the photo's stem, the reference (a preset's name, `neutral`, `ref-` and the reference
 * photo's stem, or the saved expression's name), the intensity in percent (3 digits), `-adjusted` when part sliders
 * were moved, and the format's extension (as `editedFilename`): `063-happy-100.png`, `063-ref-099-080.jpg`.
 */
export function downloadName(photoName: string, reference: NamedReference | null, intensity: number, adjusted: boolean, format: OutputFormat): string {
  if (!reference) return editedFilename(photoName, format);
  const what =
    reference.kind === 'neutral' || reference.kind === 'camera'
      ? reference.kind
      : reference.kind === 'preset'
        ? safeStem(reference.preset, 'preset', false)
        : reference.kind === 'photo'
          ? `ref-${safeStem(reference.name, 'photo')}`
          : safeStem(reference.name, 'expression', false);
  const percent = String(Math.max(0, Math.round(intensity * 100))).padStart(3, '0');
  const ext = editedFilename('x', format).slice('x-edited'.length);
  return `${safeStem(photoName, 'photo')}-${what}-${percent}${adjusted ? '-adjusted' : ''}${ext}`;
}

interface DownloadAnchor {
  href: string;
  download: string;
  click(): void;
  remove(): void;
}

export interface DownloadEnv {
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
  /** A new anchor, already in the document. */
  createAnchor(): DownloadAnchor;
  /** Runs `fn` later (the browser reads the URL after the click returns). */
  later(fn: () => void, ms: number): void;
}

/** How long the object URL stays valid after the click. */
export const REVOKE_AFTER_MS = 10_000;

function browserDownloadEnv(): DownloadEnv {
  return {
    createObjectURL: (blob) => URL.createObjectURL(blob),
    revokeObjectURL: (url) => URL.revokeObjectURL(url),
    createAnchor: () => document.body.appendChild(document.createElement('a')),
    later: (fn, ms) => {
      setTimeout(fn, ms);
    },
  };
}

/** Saves `blob` as `filename`; returns the file name. */
export function saveBlob(blob: Blob, filename: string, env: DownloadEnv = browserDownloadEnv()): string {
  const url = env.createObjectURL(blob);
  const a = env.createAnchor();
  try {
    a.href = url;
    a.download = filename;
    a.click();
  } finally {
    a.remove();
    env.later(() => env.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
  return filename;
}

/** Saves the edited photo as `filename`; by default the original's name with `-edited` and the format's extension. */
export function downloadEdited(
  blob: Blob,
  originalName: string,
  format: OutputFormat,
  env?: DownloadEnv,
  filename = editedFilename(originalName, format),
): string {
  return saveBlob(blob, filename, env);
}
