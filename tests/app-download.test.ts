/** The download side effect (src/app/download.ts) with injected DOM-like functions. */
import { describe, expect, it } from 'vitest';
import { downloadEdited, downloadName, REVOKE_AFTER_MS, safeStem, saveBlob, type DownloadEnv } from '../src/app/download';

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

  it('names the edited photo after what changed: reference, intensity in percent, adjusted parts', () => {
    expect(downloadName('063.jpg', { kind: 'preset', preset: 'happy' }, 1, false, 'png')).toBe('063-happy-100.png');
    expect(downloadName('063.jpg', { kind: 'photo', name: 'refs/099.jpg' }, 0.8, false, 'jpeg')).toBe('063-ref-099-080.jpg');
    expect(downloadName('063.jpg', { kind: 'neutral' }, 1, false, 'png')).toBe('063-neutral-100.png');
    expect(downloadName('063.jpg', { kind: 'expression', name: 'frown' }, 0.8, false, 'png')).toBe('063-frown-080.png');
    expect(downloadName('063.jpg', { kind: 'preset', preset: 'anger' }, 1.5, true, 'png')).toBe('063-anger-150-adjusted.png');
    expect(downloadName('063.jpg', { kind: 'preset', preset: 'happy' }, 0.05, false, 'png')).toBe('063-happy-005.png');
    // no reference: the old name
    expect(downloadName('063.jpg', null, 0, false, 'png')).toBe('063-edited.png');
  });

  it('sanitizes every part of the name', () => {
    expect(downloadName('C:\\x\\my photo (1).PNG', { kind: 'expression', name: '../../my: "big" smile?*' }, 1, false, 'jpeg')).toBe(
      'my-photo-1-my-big-smile-100.jpg',
    );
    expect(downloadName('', { kind: 'expression', name: '☺☺' }, 1, false, 'png')).toBe('photo-expression-100.png');
    expect(safeStem('Café crème.jpg', 'x')).toBe('Cafe-creme');
    expect(downloadName('a.png', { kind: 'expression', name: 'smile v1.5' }, 1, false, 'png')).toBe('a-smile-v1-5-100.png');
    expect(safeStem('.hidden', 'x')).toBe('hidden');
    expect(safeStem('a'.repeat(80), 'x')).toHaveLength(40);
  });
});
