import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Editor } from '../src/engine/index';
import { decodeImage } from '../src/engine/analyse/decode';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import { downscaleBox } from '../src/engine/analyse/image-ops';
import { padImage } from '../src/engine/analyse/pad';
import type { RGBAImage } from '../src/engine/types';
import { cpuEditor, sampleBytes } from './helpers';

let editor: Editor;
beforeAll(async () => {
  editor = await cpuEditor();
});
afterAll(() => editor?.dispose());

function sideBySide(a: RGBAImage, b: RGBAImage): RGBAImage {
  const w = a.width + b.width;
  const h = Math.max(a.height, b.height);
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    if (y < a.height) data.set(a.data.subarray(y * a.width * 4, (y + 1) * a.width * 4), y * w * 4);
    if (y < b.height) data.set(b.data.subarray(y * b.width * 4, (y + 1) * b.width * 4), (y * w + a.width) * 4);
  }
  return { width: w, height: h, data };
}

describe('several faces, tiny faces', () => {
  it('finds both faces of a two-person picture, largest first, each with its own landmarks', async () => {
    const img = await decodeImage(sampleBytes());
    const smaller = padImage(downscaleBox(img, 2), 128); // 512 x 512, face half the size
    const photo = await editor.open(sideBySide(img, smaller));
    try {
      expect(photo.faces).toHaveLength(2);
      expect(photo.faces[0].width).toBeGreaterThan(photo.faces[1].width * 1.5);
      expect(photo.faces[0].x).toBeLessThan(512);
      expect(photo.faces[1].x).toBeGreaterThan(512);
      const [f0, f1] = [await photo.face(0), await photo.face(1)];
      expect(f0.landmarks.points[1][0]).toBeLessThan(512);
      expect(f1.landmarks.points[1][0]).toBeGreaterThan(512);
    } finally {
      photo.dispose();
    }
  });

  it('refuses a face too small to edit with FACE_TOO_SMALL', async () => {
    const img = await decodeImage(sampleBytes());
    const tiny = padImage(downscaleBox(img, 4), 200); // face about 11 px between the eyes
    const photo = await editor.open(tiny);
    try {
      expect(photo.faces).toHaveLength(1);
      const code = await photo.face(0).then(
        () => 'ok',
        (e) => (isEditorError(e) ? e.code : 'other'),
      );
      expect(code).toBe(ErrorCode.FACE_TOO_SMALL);
    } finally {
      photo.dispose();
    }
  });
});
