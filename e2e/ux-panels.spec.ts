/**
 * What a first-time user meets (issue 12): the loading state, the start state (nothing applied
 * until a reference is chosen), the reference photo's thumbnail and its replacement, a new photo
 * starting over, two faces (the largest selected), the slider's keyboard steps and the mesh
 * overlay off by default. One page for the whole file: each page load costs the model loading.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { expect, test, type Page } from '@playwright/test';
import { leedState, recordTraffic, SAMPLE, waitFrame, waitIdle } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;
let traffic: ReturnType<typeof recordTraffic>;

/** The sample mirrored left to right: another reference photo. */
function mirrored(): Buffer {
  const src = PNG.sync.read(readFileSync(SAMPLE));
  const out = new PNG({ width: src.width, height: src.height });
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++)
      src.data.copy(out.data, (y * src.width + x) * 4, (y * src.width + (src.width - 1 - x)) * 4, (y * src.width + (src.width - x)) * 4);
  }
  return PNG.sync.write(out);
}

/** 1024 x 512, grey: the sample small (380 px) on the left, full size (512 px) on the right. */
async function twoFacesOfTwoSizes(): Promise<Buffer> {
  const b64 = await page.evaluate(async () => {
    const bmp = await createImageBitmap(await (await fetch('/samples/astronaut.png')).blob());
    const c = new OffscreenCanvas(1024, 512);
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, 1024, 512);
    ctx.drawImage(bmp, 40, 66, 380, 380);
    ctx.drawImage(bmp, 512, 0, 512, 512);
    const u = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = '';
    for (const x of u) s += String.fromCharCode(x);
    return btoa(s);
  });
  return Buffer.from(b64, 'base64');
}

interface Sample {
  value: number | null;
  label: string;
  /** The quiet line of what still loads once photos can be opened (the face models' warm-up, the expression models). */
  preparing: string;
  expression: string;
  result: string;
  /** 'timer': taken every 100 ms; 'change': taken on a change of the page, so a load too quick to poll is still seen. */
  via: 'timer' | 'change';
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  traffic = recordTraffic(page);
  // From the first moment: the loading bar's value and label and what the panels say, every 100 ms and on every
  // change of the page. On a fast machine the whole load can be over before a poll from the test would see it.
  await page.addInitScript(() => {
    const samples: Sample[] = [];
    (window as unknown as { __loadingSamples: Sample[] }).__loadingSamples = samples;
    let done = false;
    const take = (via: Sample['via']) => {
      if (done || !document.querySelector('[data-testid="app"]')) return;
      const bar = document.querySelector('[data-testid="progress-bar"]') as HTMLProgressElement | null;
      const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
      const preparing = text('preparing');
      samples.push({
        value: bar ? bar.value : null,
        label: text('progress-label'),
        preparing,
        expression: text('expression-panel'),
        result: text('export-panel'),
        via,
      });
      if (!bar && !preparing && samples.some((s) => s.value !== null)) {
        done = true;
        clearInterval(timer);
        observer.disconnect();
      }
    };
    const timer = setInterval(() => take('timer'), 100);
    const observer = new MutationObserver(() => take('change'));
    const watch = () => observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
    if (document.documentElement) watch();
    else document.addEventListener('readystatechange', watch, { once: true });
  });
});

test.afterAll(async () => {
  await page?.close();
});

test('while the models load: a moving bar with the step, panels that say loading (never "not available")', async () => {
  await page.goto('/');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /.+/, { timeout: 150_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  // Photos can be opened now (issue 13): the face models' warm-up and the expression models go on behind a quiet
  // line that says so, which goes once everything has loaded.
  await expect(page.getByTestId('preparing')).toHaveCount(0, { timeout: 150_000 });
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __loadingSamples: Sample[] }).__loadingSamples.at(-1)))
    .toMatchObject({ value: null, preparing: '' });
  const samples = await page.evaluate(() => (window as unknown as { __loadingSamples: Sample[] }).__loadingSamples);
  const loading = samples.filter((s) => s.value !== null);
  const values = loading.map((s) => s.value!);
  expect(loading.length, 'the bar was shown').toBeGreaterThan(0);
  expect(loading.some((s) => s.label.includes('Loading the face models'))).toBe(true);
  // The bar never goes back; on a load long enough to watch, it moves between the engine's steps, not only at them.
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  const steps = [0, 0.05, 0.5, 0.8, 0.9, 1];
  const polled = loading.filter((s) => s.via === 'timer').map((s) => s.value!);
  const between = new Set(polled.filter((v) => !steps.some((s) => Math.abs(s - v) < 1e-9)).map((v) => v.toFixed(4)));
  if (polled.length > 10) expect(between.size, `bar values ${[...new Set(polled.map((v) => v.toFixed(3)))].join(' ')}`).toBeGreaterThan(5);
  // The step's own label is shown (e.g. "Loading the face detector and mesh"), then what still loads.
  expect(loading.some((s) => /: (Starting|Loading the (face detector|face mesh|expression models|refiner))/.test(s.label))).toBe(true);
  expect(samples.some((s) => /Preparing the face models/.test(s.preparing))).toBe(true);
  for (const s of samples.filter((x) => x.preparing)) {
    expect(s.value, 'the quiet line comes after the bar').toBeNull();
    expect(s.expression).not.toMatch(/Loading/);
  }
  for (const s of samples) {
    expect(s.expression).not.toMatch(/not available/);
    expect(s.result).not.toMatch(/not available/);
  }
  expect(loading.every((s) => /Loading/.test(s.expression) && /Loading/.test(s.result))).toBe(true);
});

test('start state: no reference, slider off with its hint, Download says why, mesh off, nothing rendered until a preset is picked', async () => {
  test.setTimeout(300_000);
  expect((await leedState(page)).backend).toBe('webgpu');
  await expect(page.getByTestId('expression-hint')).toHaveText('Open a photo first.');
  await expect(page.getByTestId('mesh-toggle')).not.toBeChecked();
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);

  // Mesh overlay off by default: the edit is not hidden.
  await expect(page.getByTestId('mesh-toggle')).not.toBeChecked();
  await expect(page.getByTestId('mesh-overlay')).toHaveAttribute('data-points', '0');

  // Nothing chosen, nothing applied.
  let s = await leedState(page);
  expect(s.reference).toBeNull();
  expect(s.intensity).toBe(0);
  await expect(page.getByTestId('reference-select')).toBeEnabled();
  await expect(page.getByTestId('reference-select')).toHaveValue('');
  await expect(page.getByTestId('reference-help')).toHaveText('The expression to give the face: a preset, neutral, or a face from another photo.');
  await expect(page.getByTestId('intensity-value')).toHaveText('0.00');
  await expect(page.getByTestId('intensity-slider')).toBeDisabled();
  await expect(page.getByTestId('intensity-hint')).toContainText('Choose a reference first');
  await expect(page.getByTestId('intensity-hint')).toContainText("0 = your photo, 1 = the reference's expression");
  await expect(page.getByTestId('region-mouth')).toBeDisabled();
  await expect(page.getByTestId('unit-group-mouth')).toContainText('Mouth');
  await expect(page.getByTestId('unit-brow_lower')).toBeDisabled();
  await expect(page.getByTestId('download-png')).toBeDisabled();
  await expect(page.getByTestId('download-jpeg')).toBeDisabled();
  await expect(page.getByTestId('download-reason')).toContainText('choose a reference first');
  await expect(page.getByTestId('download-png')).toHaveAttribute('title', /choose a reference first/);
  await expect(page.getByTestId('result-hint')).toHaveText('Choose a reference to edit the expression.');
  await page.waitForTimeout(1000);
  s = await leedState(page);
  expect(s.framesRequested).toBe(0);
  expect(s.renderedIntensity).toBeNull();
  await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'original');

  // A preset: the edit starts at intensity 1, the slider and Download come alive, the time is in plain words.
  await page.getByTestId('reference-select').selectOption('preset:happy');
  await expect(page.getByTestId('intensity-value')).toHaveText('1.00');
  await waitFrame(page, 1);
  await expect(page.getByTestId('intensity-slider')).toBeEnabled();
  await expect(page.getByTestId('intensity-hint')).not.toContainText('Choose a reference first');
  await expect(page.getByTestId('photo-canvas')).toHaveAttribute('data-showing', 'edited');
  await expect(page.getByTestId('download-png')).toBeEnabled();
  await expect(page.getByTestId('download-reason')).toHaveCount(0);
  await expect(page.getByTestId('generator-mode')).toHaveText(/^Edited in \d+\.\d s$/);
  await expect(page.getByTestId('export-panel')).not.toContainText(/refiner|ms\b/);
});

test('slider keys: arrows move it by 0.05, Page Up / Page Down by 0.25', async () => {
  test.setTimeout(300_000);
  const slider = page.getByTestId('intensity-slider');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('intensity-value')).toHaveText('1.05');
  await page.keyboard.press('PageUp');
  await expect(page.getByTestId('intensity-value')).toHaveText('1.30');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await expect(page.getByTestId('intensity-value')).toHaveText('0.80');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('intensity-value')).toHaveText('0.75');
  expect((await leedState(page)).intensity).toBeCloseTo(0.75, 9);
  await waitFrame(page, 0.75);
});

test('a reference photo is shown as a thumbnail beside its name, and Replace… / "Another photo…" take a new one', async () => {
  test.setTimeout(300_000);
  await expect(page.getByTestId('reference-thumb')).toHaveCount(0);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('reference-select').selectOption('photo')]);
  await chooser.setFiles(SAMPLE);
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'photo', name: 'astronaut.png' });
  const thumb = page.getByTestId('reference-thumb');
  await expect(thumb).toBeVisible();
  await expect(thumb).toHaveAttribute('data-name', 'astronaut.png');
  await expect(page.getByTestId('reference-name')).toHaveText('astronaut.png');
  const drawn = await thumb.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n / (c.width * c.height);
  });
  expect(drawn).toBeGreaterThan(0.95);
  await expect(page.getByTestId('reference-select').locator('option:checked')).toHaveText('Photo: astronaut.png');

  // Replace… takes another photo at once.
  const [again] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('reference-replace').click()]);
  await again.setFiles({ name: 'mirrored.png', mimeType: 'image/png', buffer: mirrored() });
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'photo', name: 'mirrored.png' });
  await expect(thumb).toHaveAttribute('data-name', 'mirrored.png');
  await expect(page.getByTestId('reference-select').locator('option:checked')).toHaveText('Photo: mirrored.png');
  await waitIdle(page);

  // From a preset, the photo already read is one choice away, and "Another photo…" still opens a chooser.
  await page.getByTestId('reference-select').selectOption('preset:surprise');
  await expect(thumb).toHaveCount(0);
  await page.getByTestId('reference-select').selectOption('photo-current');
  await expect.poll(async () => (await leedState(page)).reference).toEqual({ kind: 'photo', name: 'mirrored.png' });
  await expect(thumb).toBeVisible();
  const [third] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('reference-select').selectOption('photo')]);
  await third.setFiles(SAMPLE);
  await expect(thumb).toHaveAttribute('data-name', 'astronaut.png');
  await waitFrame(page, 0.75);
});

test('a new photo starts over (no reference, intensity 0, nothing rendered); of two faces the largest is selected', async () => {
  test.setTimeout(300_000);
  const before = await leedState(page);
  await page.getByTestId('file-input').setInputFiles({ name: 'two.png', mimeType: 'image/png', buffer: await twoFacesOfTwoSizes() });
  await expect(page.getByTestId('face-count')).toHaveText('2 faces');
  await waitIdle(page);
  let s = await leedState(page);
  expect(s.reference).toBeNull();
  expect(s.intensity).toBe(0);
  expect(s.renderedIntensity).toBeNull();
  await expect(page.getByTestId('reference-select')).toHaveValue('');
  await expect(page.getByTestId('reference-thumb')).toHaveCount(0);
  await expect(page.getByTestId('intensity-value')).toHaveText('0.00');
  await expect(page.getByTestId('intensity-slider')).toBeDisabled();
  await expect(page.getByTestId('download-png')).toBeDisabled();
  await expect(page.getByTestId('download-reason')).toContainText('choose a reference first');

  // The largest face (the one on the right) is selected at first.
  expect(s.faces).toHaveLength(2);
  const areas = s.faces.map((f) => f.width * f.height);
  const largest = areas.indexOf(Math.max(...areas));
  expect(s.faces[largest].x).toBeGreaterThan(480);
  expect(s.selected).toBe(largest);
  expect(s.points).toBe(468);
  await expect(page.getByTestId(`face-item-${largest}`)).toHaveClass(/active/);
  await expect(page.getByTestId(`face-item-${largest}`)).toContainText('largest');
  await expect(page.getByTestId('face-list')).toContainText('The largest face is selected');
  await page.waitForTimeout(1000);
  s = await leedState(page);
  expect(s.framesRequested).toBe(before.framesRequested);

  // The user can pick the other one.
  await page.getByTestId(`face-item-${1 - largest}`).click();
  await expect.poll(async () => (await leedState(page)).selected).toBe(1 - largest);
  await waitIdle(page);
  expect((await leedState(page)).error).toBeNull();
  expect(traffic.consoleErrors).toEqual([]);
});
