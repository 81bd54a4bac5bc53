/**
 * Stage 8, encode: an RGBAImage to PNG or JPEG bytes at its full size. Browser: OffscreenCanvas
 * convertToBlob (a Blob). Node: pngjs / jpeg-js (a Uint8Array), loaded only there.
 */
import { EditorError, ErrorCode } from '../errors';
import type { RGBAImage } from '../types';

export type OutputFormat = 'png' | 'jpeg';

export const DEFAULT_JPEG_QUALITY = 0.92;

const MIME: Record<OutputFormat, string> = { png: 'image/png', jpeg: 'image/jpeg' };
const EXT: Record<OutputFormat, string> = { png: 'png', jpeg: 'jpg' };

export function mimeType(format: OutputFormat): string {
  return MIME[format];
}

/** File name for the download: `photo.jpg` -> `photo-edited.png` (format's extension, path and query dropped). */
export function editedFilename(original: string | undefined, format: OutputFormat): string {
  const base = (original ?? '').split(/[\\/]/).pop()!.split(/[?#]/)[0];
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base).trim() || 'photo';
  return `${stem}-edited.${EXT[format]}`;
}

function check(img: RGBAImage, format: string, quality: number): void {
  if (format !== 'png' && format !== 'jpeg') throw new EditorError(ErrorCode.BAD_ARGUMENT, `unknown output format ${format}`);
  if (!(img.width > 0 && img.height > 0 && Number.isInteger(img.width) && Number.isInteger(img.height) && img.data.length === img.width * img.height * 4)) {
    throw new EditorError(ErrorCode.BAD_ARGUMENT, 'image must be RGBA width x height x 4');
  }
  if (!(quality > 0 && quality <= 1)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `JPEG quality ${quality} is not in (0, 1]`);
}

/** PNG (lossless, alpha kept) or JPEG (`quality` 0..1) of `img`: a Blob in the browser, bytes in Node. */
export async function encodeImage(img: RGBAImage, format: OutputFormat, quality = DEFAULT_JPEG_QUALITY): Promise<Blob | Uint8Array> {
  check(img, format, quality);
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D | null;
    if (!ctx) throw new EditorError(ErrorCode.BACKEND, 'no 2-D canvas context for encoding');
    ctx.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
    return canvas.convertToBlob(format === 'jpeg' ? { type: MIME.jpeg, quality } : { type: MIME.png });
  }
  if (format === 'png') {
    const { PNG } = await import('pngjs');
    const { Buffer } = await import('node:buffer');
    const png = new PNG({ width: img.width, height: img.height });
    png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    const out = PNG.sync.write(png);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  const jpeg = await import('jpeg-js');
  const r = (jpeg.default ?? jpeg).encode({ width: img.width, height: img.height, data: img.data }, Math.round(quality * 100));
  return new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
}
