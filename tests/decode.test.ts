import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { applyOrientation, decodeImage, isComplete, readDimensions, sniffFormat } from '../src/engine/analyse/decode';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import { sampleBytes } from './helpers';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isEditorError(e) ? e.code : `other: ${(e as Error).message}`;
  }
}

/** A JPEG of the given pixels with an EXIF APP1 segment carrying `orientation`. */
function jpegWithOrientation(width: number, height: number, rgba: Uint8Array, orientation: number): Uint8Array {
  const plain = jpeg.encode({ width, height, data: rgba }, 95).data;
  // TIFF big-endian header, one IFD entry: 0x0112 Orientation, SHORT, count 1, value.
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const len = payload.length + 2;
  const app1 = [0xff, 0xe1, len >> 8, len & 0xff, ...payload];
  const out = new Uint8Array(plain.length + app1.length);
  out.set(plain.subarray(0, 2));
  out.set(app1, 2);
  out.set(plain.subarray(2), 2 + app1.length);
  return out;
}

describe('decode', () => {
  it('decodes the sample PNG at full resolution', async () => {
    const img = await decodeImage(sampleBytes());
    expect([img.width, img.height, img.mimeType]).toEqual([512, 512, 'image/png']);
    expect(img.data.length).toBe(512 * 512 * 4);
  });

  it('rejects a text file as NOT_AN_IMAGE', async () => {
    expect(await codeOf(decodeImage(new TextEncoder().encode('hello, this is not a photo\n')))).toBe(ErrorCode.NOT_AN_IMAGE);
    expect(await codeOf(decodeImage(new Uint8Array(0)))).toBe(ErrorCode.NOT_AN_IMAGE);
  });

  it('rejects a truncated JPEG as CORRUPT_IMAGE', async () => {
    const img = await decodeImage(sampleBytes());
    const full = jpeg.encode({ width: img.width, height: img.height, data: img.data }, 90).data;
    expect(isComplete(full, 'jpeg')).toBe(true);
    expect(await codeOf(decodeImage(full))).toBe('resolved');
    const truncated = full.subarray(0, Math.floor(full.length * 0.6));
    expect(await codeOf(decodeImage(truncated))).toBe(ErrorCode.CORRUPT_IMAGE);
  });

  it('rejects a truncated PNG and garbage after a valid header as CORRUPT_IMAGE', async () => {
    const png = sampleBytes();
    expect(await codeOf(decodeImage(png.subarray(0, png.length >> 1)))).toBe(ErrorCode.CORRUPT_IMAGE);
    const garbage = new Uint8Array(4000);
    garbage.set([0xff, 0xd8, 0xff, 0xe0]);
    garbage.set([0xff, 0xd9], 3998);
    expect(await codeOf(decodeImage(garbage))).toBe(ErrorCode.CORRUPT_IMAGE);
  });

  it('refuses images over the pixel limit from their header, before decoding', async () => {
    const png = sampleBytes().slice();
    new DataView(png.buffer).setUint32(16, 20000); // width 20000 x height 512... still ok
    new DataView(png.buffer).setUint32(20, 20000); // 20000 x 20000 = 400 MP
    expect(readDimensions(png, 'png')).toEqual({ width: 20000, height: 20000 });
    expect(await codeOf(decodeImage(png))).toBe(ErrorCode.IMAGE_TOO_LARGE);
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise) and 3 (180°)', async () => {
    const w = 64;
    const h = 32;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        rgba[i] = x < 16 ? 255 : 0;
        rgba[i + 1] = y < 8 ? 255 : 0;
        rgba[i + 3] = 255;
      }
    const rot = await decodeImage(jpegWithOrientation(w, h, rgba, 6));
    expect(rot.orientation).toBe(6);
    expect([rot.width, rot.height]).toEqual([h, w]);
    const px = (im: { width: number; data: Uint8ClampedArray }, x: number, y: number) =>
      Array.from(im.data.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 3));
    // Source top-left block (red+green) ends up top-right after a clockwise quarter turn.
    expect(px(rot, h - 2, 2)[0]).toBeGreaterThan(200);
    expect(px(rot, h - 2, 2)[1]).toBeGreaterThan(200);
    expect(px(rot, 1, 2)[1]).toBeLessThan(50);
    const r180 = await decodeImage(jpegWithOrientation(w, h, rgba, 3));
    expect([r180.width, r180.height]).toEqual([w, h]);
    expect(px(r180, w - 2, h - 2)[0]).toBeGreaterThan(200);
    expect(px(r180, 2, 2)[0]).toBeLessThan(50);
  });

  it('orientation transforms are permutations that compose as expected', () => {
    const img = { width: 3, height: 2, data: new Uint8ClampedArray(Array.from({ length: 24 }, (_, i) => i)) };
    const twice6 = applyOrientation(applyOrientation(img, 6), 6);
    expect(Array.from(twice6.data)).toEqual(Array.from(applyOrientation(img, 3).data));
    const o8after6 = applyOrientation(applyOrientation(img, 6), 8);
    expect(Array.from(o8after6.data)).toEqual(Array.from(img.data));
    expect(sniffFormat(new Uint8Array([0x42, 0x4d]))).toBeNull();
  });
});
