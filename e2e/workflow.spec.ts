/**
 * The edit workflow of issue 25 on the real engine: while the sample is analysed the result panel says what it waits
 * for (never "Pick a face"); a preset, the intensity and a part slider are three steps that Ctrl+Z takes back one by
 * one (the store and the photo canvas's pixels go back) and Ctrl+Shift+Z redoes; the download's name says what
 * changed.
 */
import { expect, type Page, test } from '@playwright/test';
import { leedState, openApp, waitIdle } from './helpers';

/** The photo canvas's pixels (the photo with the frame on it). */
function pixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="photo-canvas"]') as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
}

/** Mean absolute RGB difference of two RGBA buffers. */
function meanDiff(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return sum / ((a.length / 4) * 3);
}

/** Waits until nothing renders and the state matches: the full frame of that edit is on screen (or none, without a reference). */
async function waitShown(page: Page, want: { intensity: number; units: Record<string, number>; reference: boolean }): Promise<void> {
  await expect
    .poll(async () => {
      const s = await leedState(page);
      if (s.rendering || s.status !== 'ready' || Math.abs(s.intensity - want.intensity) > 1e-6) return false;
      if (JSON.stringify(s.unitEdits) !== JSON.stringify(want.units)) return false;
      if (!want.reference) return s.reference === null && s.renderedIntensity === null;
      return s.lastFrameKind === 'full' && s.renderedIntensity !== null && Math.abs(s.renderedIntensity - want.intensity) < 1e-6;
    })
    .toBe(true);
  // the canvas draws the frame after the state has it
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

test('undo and redo step through preset, intensity and a part slider; the download says what changed', async ({ page }) => {
  test.setTimeout(180_000);
  expect(await openApp(page)).toBe('webgpu');

  // every line the result panel shows while the sample is opened and analysed
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __hints: string[] }).__hints = seen;
    // the whole page is watched: the panel itself may be rendered anew while the photo opens
    const note = () => seen.push(document.querySelector('[data-testid="export-panel"] p.hint')?.textContent ?? '');
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('sample-button').click();
  // (the status may still read 'ready' just after the click: wait for the face itself)
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);
  const hints = await page.evaluate(() => (window as unknown as { __hints: string[] }).__hints);
  console.log(`result panel while analysing: ${[...new Set(hints)].join(' | ')}`);
  expect(hints.filter((h) => /pick a face/i.test(h))).toEqual([]);
  expect(hints.some((h) => /faces…|landmarks…/.test(h))).toBe(true);
  await expect(page.getByTestId('undo-button')).toBeDisabled();

  const original = await pixels(page);
  await page.getByTestId('reference-select').selectOption('preset:happy');
  await waitShown(page, { intensity: 1, units: {}, reference: true });
  await expect(page.getByTestId('generator-mode')).toHaveText(/^Edited in \d+\.\d s$/);
  const happy = await pixels(page);

  // the intensity is a step of its own once it rests (its frame is not waited for: the part slider comes next)
  await page.getByTestId('intensity-slider').fill('0.5');
  await expect.poll(async () => (await leedState(page)).history).toEqual({ undo: 2, redo: 0 });
  await page.getByTestId('unit-brow_lower').fill('1.2');
  await waitShown(page, { intensity: 0.5, units: { brow_lower: 1.2 }, reference: true });
  const brows = await pixels(page);
  await expect.poll(async () => (await leedState(page)).history).toEqual({ undo: 3, redo: 0 });
  const edited = meanDiff(happy, original);
  console.log(`mean differences: happy ${edited.toFixed(3)}, then half with brows down ${meanDiff(brows, happy).toFixed(3)}`);
  expect(edited).toBeGreaterThan(0.05);
  expect(meanDiff(brows, happy)).toBeGreaterThan(0.05);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-png').click()]);
  expect(download.suggestedFilename()).toBe('astronaut-happy-050-adjusted.png');
  await waitIdle(page);

  // Ctrl+Z: the part slider (a new frame), the intensity (the happy frame again), then the preset (the photo itself)
  await page.keyboard.press('Control+z');
  await waitShown(page, { intensity: 0.5, units: {}, reference: true });
  const half = await pixels(page);
  expect(meanDiff(half, brows)).toBeGreaterThan(0.01);
  await page.keyboard.press('Control+z');
  await waitShown(page, { intensity: 1, units: {}, reference: true });
  expect(meanDiff(await pixels(page), happy)).toBeLessThan(meanDiff(half, happy) / 4);
  await page.keyboard.press('Control+z');
  await waitShown(page, { intensity: 0, units: {}, reference: false });
  expect(meanDiff(await pixels(page), original)).toBe(0);
  expect((await leedState(page)).history).toEqual({ undo: 0, redo: 3 });

  // Ctrl+Shift+Z redoes the preset
  await page.keyboard.press('Control+Shift+z');
  const redone = await leedState(page);
  expect([redone.reference, redone.intensity]).toEqual([{ kind: 'preset', preset: 'happy' }, 1]);

  // typing in a text field: Ctrl+Z is the field's own, the edit stays
  await page.getByTestId('expression-name').fill('smile');
  await page.getByTestId('expression-name').press('Control+z');
  await page.getByTestId('expression-name').press('Control+y');
  expect((await leedState(page)).history).toEqual({ undo: 1, redo: 2 });
  // elsewhere Ctrl+Y redoes (the intensity)
  await page.getByTestId('intensity-slider').focus();
  await page.keyboard.press('Control+y');
  await expect.poll(async () => (await leedState(page)).intensity).toBe(0.5);
  expect((await leedState(page)).history).toEqual({ undo: 2, redo: 1 });
});
