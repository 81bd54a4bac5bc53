/** Encode: PNG / JPEG of real pixels (the sample photo), decoded back with the engine's own decoder. */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/engine/analyse/decode';
import { editedFilename, encodeImage } from '../src/engine/io/encode';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import type { RGBAImage } from '../src/engine/types';
import { sampleBytes } from './helpers';

/** The sample photo's top-left 301 x 217 pixels, with a transparent corner so the alpha channel matters. */
async function testImage(): Promise<RGBAImage> {
  const img = await decodeImage(sampleBytes());
  const w = 301;
  const h = 217;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(y * img.width * 4, (y * img.width + w) * 4), y * w * 4);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) data[(y * w + x) * 4 + 3] = 10 * x;
  return { width: w, height: h, data };
}

const bytes = (b: Blob | Uint8Array): Promise<Uint8Array> => (b instanceof Uint8Array ? Promise.resolve(b) : b.arrayBuffer().then((a) => new Uint8Array(a)));

describe('encode', () => {
  it('PNG decodes back to identical pixels, alpha included', async () => {
    const img = await testImage();
    const out = await decodeImage(await bytes(await encodeImage(img, 'png')));
    expect([out.width, out.height, out.mimeType]).toEqual([img.width, img.height, 'image/png']);
    expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('JPEG decodes to the same size and close colours; higher quality is closer and larger', async () => {
    const img = await testImage();
    const err = (a: RGBAImage) => {
      let s = 0;
      for (let i = 0; i < a.data.length; i += 4) for (let c = 0; c < 3; c++) s += Math.abs(a.data[i + c] - img.data[i + c]);
      return s / (img.width * img.height * 3);
    };
    const hiBytes = await bytes(await encodeImage(img, 'jpeg', 0.95));
    const loBytes = await bytes(await encodeImage(img, 'jpeg', 0.3));
    const hi = await decodeImage(hiBytes);
    const lo = await decodeImage(loBytes);
    expect([hi.width, hi.height, hi.mimeType]).toEqual([img.width, img.height, 'image/jpeg']);
    expect(err(hi)).toBeLessThan(3);
    expect(err(hi)).toBeLessThan(err(lo));
    expect(hiBytes.length).toBeGreaterThan(loBytes.length);
  });

  it('refuses bad arguments with BAD_ARGUMENT', async () => {
    const img = await testImage();
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'resolved';
      } catch (e) {
        return isEditorError(e) ? e.code : 'other';
      }
    };
    expect(await code(encodeImage(img, 'jpeg', 0))).toBe(ErrorCode.BAD_ARGUMENT);
    expect(await code(encodeImage({ ...img, width: img.width + 1 }, 'png'))).toBe(ErrorCode.BAD_ARGUMENT);
    expect(await code(encodeImage(img, 'gif' as 'png'))).toBe(ErrorCode.BAD_ARGUMENT);
  });

  it('names the download after the original', () => {
    expect(editedFilename('photo.jpg', 'png')).toBe('photo-edited.png');
    expect(editedFilename('photo.jpg', 'jpeg')).toBe('photo-edited.jpg');
    expect(editedFilename('my.holiday.PNG', 'jpeg')).toBe('my.holiday-edited.jpg');
    expect(editedFilename('C:\\pics\\me.heic', 'png')).toBe('me-edited.png');
    expect(editedFilename('.hidden', 'png')).toBe('.hidden-edited.png');
    expect(editedFilename(undefined, 'png')).toBe('photo-edited.png');
    expect(editedFilename('', 'jpeg')).toBe('photo-edited.jpg');
  });
});
