/**
 * Stage 1, decode: file bytes -> RGBA pixels at the original resolution with EXIF orientation applied.
 * Browser: createImageBitmap (which applies EXIF orientation itself). Node: jpeg-js / pngjs, then
 * the orientation read by exifr is applied here. Format sniffing and truncation checks are shared.
 */
import exifr from 'exifr';
import { EditorError, ErrorCode } from '../errors';
import type { DecodedImage, RGBAImage } from '../types';

export const MAX_PIXELS = 100_000_000;
const MAX_BYTES = 250 * 1024 * 1024;

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp';
const MIME: Record<ImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp' };

export type ImageInput = Blob | ArrayBuffer | Uint8Array;

/** Image format from magic bytes, or null when the bytes are not a supported image. */
export function sniffFormat(b: Uint8Array): ImageFormat | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a)
    return 'png';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50)
    return 'webp';
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  return null;
}

/** True when a JPEG or PNG stream ends where its format says it must (EOI marker / IEND chunk). */
export function isComplete(b: Uint8Array, format: ImageFormat): boolean {
  if (format === 'jpeg') {
    // EOI (FF D9) near the end; some cameras append padding or trailers after it.
    for (let i = b.length - 2; i >= Math.max(2, b.length - 65536); i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
    return false;
  }
  if (format === 'png') {
    const tail = b.subarray(Math.max(0, b.length - 4096));
    for (let i = tail.length - 8; i >= 0; i--) if (tail[i] === 0x49 && tail[i + 1] === 0x45 && tail[i + 2] === 0x4e && tail[i + 3] === 0x44) return true;
    return false;
  }
  return true;
}

/** Width and height from a JPEG SOF or PNG IHDR header, without decoding; null when not found. */
export function readDimensions(b: Uint8Array, format: ImageFormat): { width: number; height: number } | null {
  if (format === 'png' && b.length >= 24) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (format === 'jpeg') {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) {
        i++;
        continue;
      }
      const marker = b[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      const len = (b[i + 2] << 8) | b[i + 3];
      const isSOF = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSOF) return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
      i += 2 + len;
    }
  }
  return null;
}

/** Returns a new image with EXIF orientation `o` (1..8) applied. */
export function applyOrientation(img: RGBAImage, o: number): RGBAImage {
  if (!(o >= 2 && o <= 8)) return img;
  const { width: W, height: H, data } = img;
  const swap = o >= 5;
  const outW = swap ? H : W;
  const outH = swap ? W : H;
  const out = new Uint8ClampedArray(outW * outH * 4);
  const src32 = new Uint32Array(data.buffer, data.byteOffset, W * H);
  const dst32 = new Uint32Array(out.buffer);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sx: number;
      let sy: number;
      switch (o) {
        case 2:
          sx = W - 1 - x;
          sy = y;
          break;
        case 3:
          sx = W - 1 - x;
          sy = H - 1 - y;
          break;
        case 4:
          sx = x;
          sy = H - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = H - 1 - x;
          break;
        case 7:
          sx = W - 1 - y;
          sy = H - 1 - x;
          break;
        default:
          sx = W - 1 - y;
          sy = x;
          break; // 8
      }
      dst32[y * outW + x] = src32[sy * W + sx];
    }
  }
  return { width: outW, height: outH, data: out };
}

async function toBytes(input: ImageInput): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    if (input.size > MAX_BYTES) throw new EditorError(ErrorCode.IMAGE_TOO_LARGE, `${Math.round(input.size / 1e6)} MB file`);
    return new Uint8Array(await input.arrayBuffer());
  }
  throw new EditorError(ErrorCode.BAD_ARGUMENT, 'decodeImage expects a Blob, ArrayBuffer or Uint8Array');
}

async function readOrientation(bytes: Uint8Array, format: ImageFormat): Promise<number> {
  if (format !== 'jpeg' && format !== 'png' && format !== 'webp') return 1;
  try {
    const o = await exifr.orientation(bytes);
    return typeof o === 'number' && o >= 1 && o <= 8 ? o : 1;
  } catch {
    return 1; // no or unreadable EXIF: the pixels are as stored
  }
}

async function decodeInBrowser(bytes: Uint8Array, mimeType: string): Promise<RGBAImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: mimeType }), { imageOrientation: 'from-image' });
  } catch (e) {
    throw new EditorError(ErrorCode.CORRUPT_IMAGE, (e as Error).message, { cause: e });
  }
  try {
    if (bitmap.width * bitmap.height > MAX_PIXELS) throw new EditorError(ErrorCode.IMAGE_TOO_LARGE, `${bitmap.width}x${bitmap.height}`);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
    ctx.drawImage(bitmap, 0, 0);
    const id = ctx.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' });
    return { width: id.width, height: id.height, data: id.data };
  } finally {
    bitmap.close();
  }
}

async function decodeInNode(bytes: Uint8Array, format: ImageFormat): Promise<RGBAImage> {
  try {
    if (format === 'jpeg') {
      const jpeg = await import('jpeg-js');
      const r = (jpeg.default ?? jpeg).decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
      return { width: r.width, height: r.height, data: new Uint8ClampedArray(r.data.buffer, r.data.byteOffset, r.data.byteLength) };
    }
    if (format === 'png') {
      const { PNG } = await import('pngjs');
      const { Buffer } = await import('node:buffer');
      const r = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: r.width, height: r.height, data: new Uint8ClampedArray(r.data.buffer, r.data.byteOffset, r.data.byteLength) };
    }
  } catch (e) {
    throw new EditorError(ErrorCode.CORRUPT_IMAGE, (e as Error).message, { cause: e });
  }
  throw new EditorError(ErrorCode.NOT_AN_IMAGE, `${format} is only decoded in the browser`);
}

/** Decodes an image file (Blob in the browser, bytes anywhere) into RGBA pixels, EXIF orientation applied. */
export async function decodeImage(input: ImageInput): Promise<DecodedImage> {
  const bytes = await toBytes(input);
  if (bytes.length > MAX_BYTES) throw new EditorError(ErrorCode.IMAGE_TOO_LARGE, `${Math.round(bytes.length / 1e6)} MB file`);
  const format = sniffFormat(bytes);
  if (!format) throw new EditorError(ErrorCode.NOT_AN_IMAGE);
  if (!isComplete(bytes, format)) throw new EditorError(ErrorCode.CORRUPT_IMAGE, `the ${format.toUpperCase()} data is truncated`);
  const dims = readDimensions(bytes, format);
  if (dims && dims.width * dims.height > MAX_PIXELS) throw new EditorError(ErrorCode.IMAGE_TOO_LARGE, `${dims.width}x${dims.height}`);
  if (dims && (dims.width === 0 || dims.height === 0)) throw new EditorError(ErrorCode.CORRUPT_IMAGE, 'zero-sized image');
  const orientation = await readOrientation(bytes, format);
  const inBrowser = typeof createImageBitmap === 'function' && typeof OffscreenCanvas !== 'undefined';
  const pixels = inBrowser ? await decodeInBrowser(bytes, MIME[format]) : applyOrientation(await decodeInNode(bytes, format), orientation);
  return { ...pixels, orientation, mimeType: MIME[format] };
}
