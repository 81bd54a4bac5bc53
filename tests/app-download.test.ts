/** The download side effect (src/app/download.ts) with injected DOM-like functions. */
import { describe, expect, it } from 'vitest';
import { downloadEdited, REVOKE_AFTER_MS, saveBlob, type DownloadEnv } from '../src/app/download';

function fakeEnv() {
  const log: string[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const anchors: { href: string; download: string }[] = [];
  const env: DownloadEnv = {
    createObjectURL: (blob) => {
      log.push(`create ${blob.size}`);
      return 'blob:fake/1';
    },
    revokeObjectURL: (url) => log.push(`revoke ${url}`),
    createAnchor() {
      const a = { href: '', download: '', click: () => log.push(`click ${a.href} ${a.download}`), remove: () => log.push('remove') };
      anchors.push(a);
      log.push('append');
      return a;
    },
    later: (fn, ms) => {
      timers.push({ fn, ms });
    },
  };
  return { env, log, timers, anchors };
}

describe('download', () => {
  it('clicks an anchor on an object URL named after the photo, removes it, and revokes the URL later', () => {
    const f = fakeEnv();
    const name = downloadEdited(new Blob([new Uint8Array(42)]), 'holiday/IMG_0001.JPG', 'png', f.env);
    expect(name).toBe('IMG_0001-edited.png');
    expect(f.log).toEqual(['create 42', 'append', 'click blob:fake/1 IMG_0001-edited.png', 'remove']);
    expect(f.timers).toHaveLength(1);
    expect(f.timers[0].ms).toBe(REVOKE_AFTER_MS);
    f.timers[0].fn();
    expect(f.log.at(-1)).toBe('revoke blob:fake/1');
  });

  it('names JPEGs .jpg and falls back to "photo" without a name', () => {
    expect(downloadEdited(new Blob([]), 'portrait.png', 'jpeg', fakeEnv().env)).toBe('portrait-edited.jpg');
    expect(downloadEdited(new Blob([]), '', 'png', fakeEnv().env)).toBe('photo-edited.png');
  });

  it('still removes the anchor and revokes the URL when the click throws', () => {
    const f = fakeEnv();
    const env: DownloadEnv = {
      ...f.env,
      createAnchor: () => ({
        href: '',
        download: '',
        click: () => {
          throw new Error('blocked');
        },
        remove: () => f.log.push('remove'),
      }),
    };
    expect(() => saveBlob(new Blob([]), 'x.png', env)).toThrow('blocked');
    expect(f.log).toContain('remove');
    f.timers[0].fn();
    expect(f.log.at(-1)).toBe('revoke blob:fake/1');
  });
});
