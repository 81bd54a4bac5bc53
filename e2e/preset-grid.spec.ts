/**
 * Issue 25, "Try quickly": once the sample's face is ready, the preset grid fills with small previews of the face
 * under every preset (and neutral), which differ from each other; clicking one picks it as the reference and the
 * full frame renders.
 */
import { expect, type Page, test } from '@playwright/test';
import { leedState, openApp, waitIdle } from './helpers';

const NAMES = ['happy', 'surprise', 'anger', 'sadness', 'disgust', 'fear', 'neutral'];

/** A thumbnail's pixels (its canvas, RGBA). */
function thumbPixels(page: Page, name: string): Promise<number[]> {
  return page.evaluate((n) => {
    const c = document.querySelector(`[data-testid="preset-thumb-${n}"] canvas`) as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  }, name);
}

/** Mean absolute RGB difference of two RGBA buffers. */
function meanDiff(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return sum / ((a.length / 4) * 3);
}

test('the preset grid shows the face under every preset; a click picks it', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await page.getByTestId('sample-button').click();
  await waitIdle(page);

  const grid = page.getByTestId('preset-grid');
  await expect(grid).toBeVisible();
  for (const n of NAMES) await expect(page.getByTestId(`preset-thumb-${n}`)).toHaveCount(1);
  await expect(page.getByTestId('preset-thumb-happy')).toHaveAttribute('aria-label', 'Happy');
  // all seven rendered (not placeholders), with no reference chosen yet: nothing else renders
  await expect.poll(async () => (await leedState(page)).presetThumbs.length, { timeout: 60_000 }).toBe(NAMES.length);
  await expect(grid.locator('button[data-ready="true"] canvas')).toHaveCount(NAMES.length);
  expect((await leedState(page)).reference).toBeNull();

  const happy = await thumbPixels(page, 'happy');
  const surprise = await thumbPixels(page, 'surprise');
  const neutral = await thumbPixels(page, 'neutral');
  expect(happy.length).toBe(96 * 96 * 4);
  const d = { happySurprise: meanDiff(happy, surprise), happyNeutral: meanDiff(happy, neutral) };
  console.log(`thumbnail differences (grey levels): ${JSON.stringify(d)}`);
  expect(d.happySurprise).toBeGreaterThan(2);
  expect(d.happyNeutral).toBeGreaterThan(2);

  // keyboard-focusable buttons; a click picks the preset as the reference, the same as the select
  const surpriseThumb = page.getByTestId('preset-thumb-surprise');
  await surpriseThumb.focus();
  await expect(surpriseThumb).toBeFocused();
  await surpriseThumb.click();
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'preset', preset: 'surprise' });
  await expect(page.getByTestId('reference-select')).toHaveValue('preset:surprise');
  await expect(surpriseThumb).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(async () => {
      const s = await leedState(page);
      return !s.rendering && s.lastFrameKind === 'full' && s.renderedIntensity === 1;
    })
    .toBe(true);
  // the thumbnails stay for the same face
  expect((await leedState(page)).presetThumbs.length).toBe(NAMES.length);
});
