/**
 * Issue 25, "Try quickly", on the real engine: (1) once the sample's face is ready and the user rests, the preset
 * strip fills with small previews of the face under every preset and neutral, which differ from the photo and from
 * each other, and a click on one picks that preset (state, select and the rendered photo change); (2) the reference
 * photos picked are kept as thumbnails, the latest first, and a click on an earlier one uses it again without reading
 * the file again (the frame is that reference's frame again); a photo with no face gets the usual message and is not
 * kept. London fixtures: ../shared/fixtures/london (Face Research Lab London Set, CC BY 4.0).
 */
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { leedState, openApp, waitIdle } from './helpers';

const LONDON = join(process.cwd(), '..', 'shared', 'fixtures', 'london');
const NAMES = ['happy', 'surprise', 'anger', 'sadness', 'disgust', 'fear', 'neutral'];

/** A thumbnail's pixels (its canvas, RGBA). */
function thumbPixels(page: Page, name: string): Promise<number[]> {
  return page.evaluate((n) => {
    const c = document.querySelector(`[data-testid="preset-thumb-${n}"] canvas`) as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  }, name);
}

/** The photo canvas cropped and scaled as the worker crops a thumbnail's photo (worker-thumbnail.ts): `size` px around the box. */
function photoCrop(page: Page, box: { x: number; y: number; width: number; height: number }, photoWidth: number, size: number): Promise<number[]> {
  return page.evaluate(
    async ({ box, photoWidth, size }) => {
      const c = document.querySelector('[data-testid="photo-canvas"]') as HTMLCanvasElement;
      if (c.width !== photoWidth) throw new Error(`the photo canvas is ${c.width} px wide, the photo ${photoWidth}`);
      const side = Math.round(Math.min(Math.max(box.width, box.height) * 1.3, photoWidth));
      const sx = Math.round(Math.min(Math.max(0, box.x + box.width / 2 - side / 2), photoWidth - side));
      const sy = Math.round(Math.min(Math.max(0, box.y + box.height / 2 - side / 2), photoWidth - side));
      const photo = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      const crop = await createImageBitmap(photo, sx, sy, side, side, { resizeWidth: size, resizeHeight: size, resizeQuality: 'medium' });
      const out = new OffscreenCanvas(size, size).getContext('2d')!;
      out.drawImage(crop, 0, 0);
      return Array.from(out.getImageData(0, 0, size, size).data);
    },
    { box, photoWidth, size },
  );
}

/** The photo canvas's pixels (the photo with the frame on it). */
function canvasPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="photo-canvas"]') as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
}

/** Mean absolute RGB difference of two RGBA buffers, grey levels. */
function meanDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return sum / ((a.length / 4) * 3);
}

/** Waits for the full frame at intensity `a` on screen, nothing rendering (and the canvas drawn). */
async function waitFull(page: Page, a: number): Promise<void> {
  await expect
    .poll(async () => {
      const s = await leedState(page);
      return !s.rendering && s.status === 'ready' && s.lastFrameKind === 'full' && s.renderedIntensity !== null && Math.abs(s.renderedIntensity - a) < 1e-6;
    })
    .toBe(true);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function openSample(page: Page): Promise<void> {
  expect(await openApp(page)).toBe('webgpu');
  await page.getByTestId('sample-button').click();
  // (the status may still read 'ready' just after the click: wait for the face itself)
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await expect.poll(async () => (await leedState(page)).points).toBe(468);
  await waitIdle(page);
}

test('the preset strip shows the face under every preset; a click picks it', async ({ page }) => {
  test.setTimeout(300_000);
  await openSample(page);
  const strip = page.getByTestId('preset-strip');
  await expect(strip).toBeVisible();
  for (const n of NAMES) await expect(page.getByTestId(`preset-thumb-${n}`)).toHaveCount(1);
  await expect(page.getByTestId('preset-thumb-happy')).toHaveAccessibleName('Happy');

  // all seven made while the user rests, with no reference chosen (nothing else renders)
  await expect.poll(async () => (await leedState(page)).presetThumbs.length, { timeout: 150_000 }).toBe(NAMES.length);
  await expect(strip.locator('button[data-ready="true"] canvas')).toHaveCount(NAMES.length);
  const s0 = await leedState(page);
  expect(s0.reference).toBeNull();
  expect(s0.framesRendered).toBe(0);

  const thumbs = Object.fromEntries(await Promise.all(NAMES.map(async (n) => [n, await thumbPixels(page, n)] as const)));
  const size = Math.sqrt(thumbs.happy.length / 4);
  const photo = await photoCrop(page, s0.faceBox!, s0.photo!.width, size);
  const fromPhoto = Object.fromEntries(NAMES.map((n) => [n, meanDiff(thumbs[n], photo)]));
  const pairs: number[] = [];
  for (let i = 0; i < NAMES.length; i++) for (let j = i + 1; j < NAMES.length; j++) pairs.push(meanDiff(thumbs[NAMES[i]], thumbs[NAMES[j]]));
  console.log(`thumbnails (${size} px), grey levels from the photo: ${JSON.stringify(fromPhoto)}; between two, least: ${Math.min(...pairs).toFixed(2)}`);
  // The preview's half resolution alone makes a thumbnail differ from the photo by a few grey levels (the sample's own
  // smile is close to 'happy'); thumbnails, made the same way, differ from each other only by their expression.
  for (const n of NAMES) expect(fromPhoto[n], n).toBeGreaterThan(2);
  expect(Math.min(...pairs)).toBeGreaterThan(1.5);

  // a click picks the preset as the reference, the same as the select, and its full frame changes the photo
  const before = await canvasPixels(page);
  const surprise = page.getByTestId('preset-thumb-surprise');
  await surprise.click();
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'preset', preset: 'surprise' });
  await expect(page.getByTestId('reference-select')).toHaveValue('preset:surprise');
  await expect(surprise).toHaveAttribute('aria-pressed', 'true');
  await waitFull(page, 1);
  const surprised = await canvasPixels(page);
  expect(meanDiff(surprised, before)).toBeGreaterThan(0.3);

  await page.getByTestId('preset-thumb-happy').click();
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'preset', preset: 'happy' });
  await expect(surprise).toHaveAttribute('aria-pressed', 'false');
  await waitFull(page, 1);
  const happy = await canvasPixels(page);
  console.log(
    `photo canvas, grey levels: surprise from the photo ${meanDiff(surprised, before).toFixed(2)}, happy from surprise ${meanDiff(happy, surprised).toFixed(2)}`,
  );
  expect(meanDiff(happy, surprised)).toBeGreaterThan(0.3);
  // the thumbnails are kept for the face
  expect((await leedState(page)).presetThumbs).toHaveLength(NAMES.length);
});

test('recent reference photos: both kept, the latest first; a click uses one again without reading it again', async ({ page }) => {
  test.setTimeout(400_000);
  await openSample(page);
  const input = page.getByTestId('reference-input');
  // every busy label shown from here on (a reference read from its file says so)
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __busy: string[] }).__busy = seen;
    new MutationObserver(() => seen.push(document.querySelector('[data-testid="busy"]')?.textContent ?? '')).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  const busyLabels = () => page.evaluate(() => (window as unknown as { __busy: string[] }).__busy.filter((t) => t));

  await input.setInputFiles(join(LONDON, 'smiling', '007.jpg'));
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'photo', name: '007.jpg' });
  await waitFull(page, 1);
  const firstWait = (await leedState(page)).lastWaitMs!;
  const smiling = await canvasPixels(page);

  await input.setInputFiles(join(LONDON, 'neutral', '009.jpg'));
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'photo', name: '009.jpg' });
  await waitFull(page, 1);
  const neutral = await canvasPixels(page);
  expect(meanDiff(neutral, smiling)).toBeGreaterThan(0.3);

  const recent = page.getByTestId('recent-reference');
  await expect(recent).toHaveCount(2);
  expect(await recent.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual(['009.jpg', '007.jpg']);
  expect((await leedState(page)).recentReferences).toEqual(['009.jpg', '007.jpg']);
  await expect(page.getByTestId('recent-reference-thumb')).toHaveCount(2);
  await expect(recent.nth(0)).toHaveAttribute('aria-pressed', 'true');

  // the first one again: no file is read (no "Reading the reference photo…"), and its frame is the one it gave before
  const read = (await busyLabels()).filter((t) => /reference photo/i.test(t)).length;
  expect(read).toBeGreaterThan(0);
  await recent.nth(1).click();
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'photo', name: '007.jpg' });
  await waitFull(page, 1);
  const again = await canvasPixels(page);
  const reuseWait = (await leedState(page)).lastWaitMs!;
  const d = { againFromFirst: meanDiff(again, smiling), againFromOther: meanDiff(again, neutral) };
  console.log(`reference 007: first pick ${Math.round(firstWait)} ms (read + analysis + frame), reuse ${Math.round(reuseWait)} ms; ${JSON.stringify(d)}`);
  expect((await busyLabels()).filter((t) => /reference photo/i.test(t)).length).toBe(read);
  expect(d.againFromFirst).toBeLessThan(0.05);
  expect(d.againFromOther).toBeGreaterThan(0.3);
  expect(reuseWait).toBeLessThan(firstWait);
  expect((await leedState(page)).recentReferences).toEqual(['007.jpg', '009.jpg']);
  await expect(page.getByTestId('reference-thumb')).toHaveAttribute('data-name', '007.jpg');

  // a reference photo with no face: the usual message, and it is not kept
  const grey = await page.evaluate(async () => {
    const c = new OffscreenCanvas(256, 256);
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, 256, 256);
    return Array.from(new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer()));
  });
  await input.setInputFiles({ name: 'grey.png', mimeType: 'image/png', buffer: Buffer.from(grey) });
  await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'NO_FACE');
  await waitIdle(page);
  const s = await leedState(page);
  expect(s.recentReferences).toEqual(['007.jpg', '009.jpg']);
  expect(s.reference).toEqual({ kind: 'photo', name: '007.jpg' });
});
