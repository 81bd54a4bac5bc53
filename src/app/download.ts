/**
 * The download side effect: an encoded photo becomes a file the browser saves, named after the
 * original (`photo.jpg` -> `photo-edited.png`). The DOM calls are injected so it runs in tests.
 */
import { editedFilename, type OutputFormat } from './engine';

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

/** Saves the edited photo under the original's name with `-edited` and the format's extension. */
export function downloadEdited(blob: Blob, originalName: string, format: OutputFormat, env?: DownloadEnv): string {
  return saveBlob(blob, editedFilename(originalName, format), env);
}
