/**
 * "Save as video" (issue 26) on the real engine: the sweep from the photo to the edit and back, saved as WebM and
 * as an animated GIF, decoded back in the browser (WebCodecs' VideoDecoder, ImageDecoder) with the asked frame count
 * and size; its first frame is the photo and its middle frame the edit at the chosen intensity (the PNG download
 * at that intensity, scaled the same way), within 2 grey levels; cancel stops it.
 */
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { leedState, openApp, waitIdle } from './helpers';
import { webmFrames } from './webm-frames';

const INTENSITY = 1.2;

async function editedSample(page: Page) {
  expect(await openApp(page)).toBe('webgpu');
  await page.getByTestId('sample-button').click();
  // (the status may still read 'ready' just after the click: wait for the face itself)
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);
  await page.getByTestId('reference-select').selectOption('preset:happy');
  await page.getByTestId('intensity-slider').fill(String(INTENSITY));
  // (the machine's cores are shared: a full frame may take minutes)
  await expect
    .poll(
      async () => {
        const s = await leedState(page);
        return !s.rendering && s.status === 'ready' && s.renderedIntensity === INTENSITY && s.lastFrameKind === 'full';
      },
      { timeout: 400_000 },
    )
    .toBe(true);
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 600_000 }), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

interface Decoded {
  count: number;
  width: number;
  height: number;
  /** Mean absolute grey difference, whole frame and face box: first frame vs photo, middle frame vs edit and vs photo. */
  firstVsPhoto: number;
  midVsEdit: number;
  midVsEditFace: number;
  midVsPhotoFace: number;
}

/** Decodes the video in the page and compares its first and middle frames with the photo and the edit (PNG). */
function decodeAndCompare(
  page: Page,
  video: { kind: 'webm'; codec: string; frames: { key: boolean; timestampUs: number; data: string }[] } | { kind: 'gif'; data: string },
  editPng: string,
  mid: number,
  face: { x: number; y: number; width: number; height: number },
): Promise<Decoded> {
  return page.evaluate(
    async ({ video, editPng, mid, face }) => {
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const frames: (VideoFrame | null)[] = [];
      let count = 0;
      if (video.kind === 'webm') {
        const codec = video.codec === 'V_VP9' ? 'vp09.00.10.08' : 'vp8';
        const decoder = new VideoDecoder({
          output: (f) => {
            const keep = count === 0 || count === mid;
            if (!keep) f.close();
            frames.push(keep ? f : null);
            count++;
          },
          error: (e) => {
            throw e;
          },
        });
        decoder.configure({ codec });
        for (const f of video.frames) decoder.decode(new EncodedVideoChunk({ type: f.key ? 'key' : 'delta', timestamp: f.timestampUs, data: bytes(f.data) }));
        await decoder.flush();
      } else {
        const dec = new ImageDecoder({ data: bytes(video.data), type: 'image/gif' });
        await dec.tracks.ready;
        count = dec.tracks.selectedTrack!.frameCount;
        for (let i = 0; i < count; i++) frames.push(i === 0 || i === mid ? (await dec.decode({ frameIndex: i })).image : null);
      }
      const first = frames[0]!;
      const middle = frames[mid]!;
      const width = first.displayWidth;
      const height = first.displayHeight;
      const greyOf = (src: CanvasImageSource) => {
        const c = new OffscreenCanvas(width, height);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(src, 0, 0, width, height);
        const d = ctx.getImageData(0, 0, width, height).data;
        const g = new Float32Array(width * height);
        for (let i = 0; i < g.length; i++) g[i] = 0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2];
        return g;
      };
      const photo = await createImageBitmap(await (await fetch('samples/astronaut.png')).blob());
      const edit = await createImageBitmap(new Blob([bytes(editPng)]));
      const [gPhoto, gEdit, gFirst, gMid] = [greyOf(photo), greyOf(edit), greyOf(first), greyOf(middle)];
      const s = width / photo.width;
      const box = {
        x0: Math.floor(face.x * s),
        y0: Math.floor(face.y * s),
        x1: Math.ceil((face.x + face.width) * s),
        y1: Math.ceil((face.y + face.height) * s),
      };
      const diff = (a: Float32Array, b: Float32Array, inBox = false) => {
        let sum = 0;
        let n = 0;
        for (let y = inBox ? box.y0 : 0; y < (inBox ? box.y1 : height); y++)
          for (let x = inBox ? box.x0 : 0; x < (inBox ? box.x1 : width); x++) {
            sum += Math.abs(a[y * width + x] - b[y * width + x]);
            n++;
          }
        return sum / n;
      };
      const out = {
        count,
        width,
        height,
        firstVsPhoto: diff(gFirst, gPhoto),
        midVsEdit: diff(gMid, gEdit),
        midVsEditFace: diff(gMid, gEdit, true),
        midVsPhotoFace: diff(gMid, gPhoto, true),
      };
      for (const f of frames) f?.close();
      return out;
    },
    { video, editPng, mid, face },
  );
}

for (const format of ['webm', 'gif'] as const) {
  test(`save as video (${format}): the asked frames and size; the photo first, the edit in the middle`, async ({ page }) => {
    test.setTimeout(900_000);
    await editedSample(page);
    const face = (await leedState(page)).faces[0];
    const edit = await download(page, 'download-png');

    const seconds = 1;
    const fps = 10;
    const side = format === 'webm' ? 480 : 240;
    await page.getByTestId('video-seconds').fill(String(seconds));
    await page.getByTestId('video-fps').selectOption(String(fps));
    await page.getByTestId('video-size').selectOption(String(side));
    await page.getByTestId('video-format').selectOption(format);
    const t0 = Date.now();
    const savedP = download(page, 'video-save');
    await expect(page.getByTestId('video-progress')).toBeVisible();
    const saved = await savedP;
    const frames = seconds * fps;
    console.log(`${format}: ${saved.name}, ${saved.bytes.length} bytes, ${((Date.now() - t0) / frames / 1000).toFixed(2)} s a frame`);
    expect(saved.name).toBe(`astronaut-happy-120.${format}`);
    await expect(page.getByTestId('video-message')).toContainText(`${frames} frames, ${side}×${side}`);

    const mid = Math.floor(frames / 2);
    let video: Parameters<typeof decodeAndCompare>[1];
    if (format === 'webm') {
      const w = webmFrames(new Uint8Array(saved.bytes));
      expect([w.width, w.height]).toEqual([side, side]);
      expect(w.frames.length).toBe(frames);
      video = { kind: 'webm', codec: w.codec, frames: w.frames.map((f) => ({ ...f, data: Buffer.from(f.data).toString('base64') })) };
    } else {
      video = { kind: 'gif', data: saved.bytes.toString('base64') };
    }
    const d = await decodeAndCompare(page, video, edit.bytes.toString('base64'), mid, face);
    console.log(`${format} decoded: ${JSON.stringify(d)}`);
    expect(d.count).toBe(frames);
    expect([d.width, d.height]).toEqual([side, side]);
    expect(d.firstVsPhoto).toBeLessThan(2);
    expect(d.midVsEdit).toBeLessThan(2);
    // a GIF has 256 colours a frame: the face's fine shading costs it about a grey level more than WebM
    expect(d.midVsEditFace).toBeLessThan(format === 'webm' ? 2 : 3);
    // the middle frame is the edit, not the photo: the face differs from the photo's far more than from the edit's
    expect(d.midVsPhotoFace).toBeGreaterThan(2 * d.midVsEditFace);
  });
}

test('a video export can be cancelled', async ({ page }) => {
  test.setTimeout(600_000);
  await editedSample(page);
  await page.getByTestId('video-size').selectOption('240');
  await page.getByTestId('video-save').click();
  const progress = page.getByTestId('video-progress');
  await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 300_000 }).toBeGreaterThan(0);
  await page.getByTestId('video-cancel').click();
  await expect(page.getByTestId('video-message')).toHaveText('The video was cancelled.');
  await expect(progress).toHaveCount(0);
  await expect(page.getByTestId('video-save')).toBeEnabled();
});
