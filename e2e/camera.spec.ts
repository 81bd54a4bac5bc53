/**
 * The camera as the reference (issue 26), through Chromium's fake camera playing a clip made at test time from the
 * London fixtures (e2e/fake-camera.ts: person 022's neutral face cross-faded into the same person's smile and back):
 * the photo's mouth corners follow the camera's smile (on the landmarks the frames were rendered for, and on the
 * photo canvas's pixels), Capture keeps the expression as a saved one, the stream stops when another reference is
 * picked, and a denied permission gets a clear message. A recorded performance (its expressions and times, no camera
 * frame) saved as WebM decodes back with its length's frame count at the asked size.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { writeFakeCamera } from './fake-camera';
import { leedState, openApp, waitIdle } from './helpers';
import { webmFrames } from './webm-frames';

const CLIP = join(mkdtempSync(join(tmpdir(), 'leed-camera-')), 'smile.y4m');
writeFakeCamera(CLIP, { fps: 2, hold: 20, fade: 6 });
test.use({
  launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${CLIP}`] },
});

/** MediaPipe face mesh: the mouth's corners. */
const CORNERS = [61, 291];

/** Records every camera stream the page opens (window.__streams) to read its tracks' state later. */
async function recordStreams(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __streams: MediaStream[] };
    w.__streams = [];
    const md = navigator.mediaDevices;
    const get = md.getUserMedia.bind(md);
    md.getUserMedia = async (c) => {
      const s = await get(c);
      w.__streams.push(s);
      return s;
    };
  });
}

const trackStates = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __streams: MediaStream[] }).__streams.map((s) =>
      s
        .getTracks()
        .map((t) => t.readyState)
        .join(),
    ),
  );

async function openSample(page: Page) {
  expect(await openApp(page)).toBe('webgpu');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('face-count')).toHaveText('1 face');
  await waitIdle(page);
}

/** Grey levels of the photo canvas (the photo with the frame on it) in a box, in image pixels. */
function canvasGrey(page: Page, box: { x: number; y: number; w: number; h: number }, photoWidth: number): Promise<number[]> {
  return page.evaluate(
    ({ box, photoWidth }) => {
      const c = document.querySelector('[data-testid="photo-canvas"]') as HTMLCanvasElement;
      const s = c.width / photoWidth;
      const d = c.getContext('2d')!.getImageData(Math.round(box.x * s), Math.round(box.y * s), Math.round(box.w * s), Math.round(box.h * s)).data;
      const g: number[] = [];
      for (let i = 0; i < d.length; i += 4) g.push(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
      return g;
    },
    { box, photoWidth },
  );
}

const meanDiff = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;

const width = (pts: [number, number][]) => Math.hypot(pts[CORNERS[0]][0] - pts[CORNERS[1]][0], pts[CORNERS[0]][1] - pts[CORNERS[1]][1]);

/**
 * Records the performance for a live frame or two (it stops itself at 10 s), saves it as a WebM of full frames at 240
 * px and 10 frames/s and decodes it in the page: its length's frame count at the photo's shape; where the recording
 * caught the smile changing, the mouth of the widest recorded smile's video frame differs from the narrowest's.
 */
async function recordAndSave(page: Page, mouth: { x: number; y: number; w: number; h: number }, photoWidth: number) {
  await page.getByTestId('video-size').selectOption('240');
  await page.getByTestId('video-fps').selectOption('10');
  await page.getByTestId('video-format').selectOption('webm');
  const before = (await leedState(page)).framesRendered;
  await page.getByTestId('camera-record').click();
  await expect.poll(async () => (await leedState(page)).framesRendered, { timeout: 120_000 }).toBeGreaterThan(before + 1);
  await page
    .getByTestId('camera-record-stop')
    .click({ timeout: 1000 })
    .catch(() => {}); // (stopped itself meanwhile)
  await expect.poll(async () => (await leedState(page)).recording?.frames.length ?? 0).toBeGreaterThan(0);
  const rec = (await leedState(page)).recording!;
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), page.getByTestId('video-save-recording').click()]);
  expect(d.suggestedFilename()).toMatch(/-performance\.webm$/);
  const webm = webmFrames(readFileSync(await d.path()));
  const count = Math.round(rec.durationMs / 100);
  expect(webm.frames.length).toBe(count);
  expect([webm.width, webm.height]).toEqual([240, 240]);
  // the video frames showing the widest and the narrowest recorded smile (each video frame shows the last frame before it)
  const shown = (k: number) => Math.min(count - 1, Math.ceil(rec.frames[k].t / 100));
  const smiles = rec.frames.map((f) => f.smile);
  const [wide, narrow] = [shown(smiles.indexOf(Math.max(...smiles))), shown(smiles.indexOf(Math.min(...smiles)))];
  const s = 240 / photoWidth;
  const decoded = await page.evaluate(
    async ({ frames, codec, keep, box }) => {
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const greys: Record<number, number[]> = {};
      const sizes = new Set<string>();
      let n = 0;
      const canvas = new OffscreenCanvas(240, 240);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      const decoder = new VideoDecoder({
        output: (f) => {
          sizes.add(`${f.displayWidth}x${f.displayHeight}`);
          if (keep.includes(n)) {
            ctx.drawImage(f, 0, 0);
            const px = ctx.getImageData(box.x, box.y, box.w, box.h).data;
            greys[n] = [];
            for (let i = 0; i < px.length; i += 4) greys[n].push(0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2]);
          }
          f.close();
          n++;
        },
        error: (e) => {
          throw e;
        },
      });
      decoder.configure({ codec: codec === 'V_VP9' ? 'vp09.00.10.08' : 'vp8' });
      for (const f of frames) decoder.decode(new EncodedVideoChunk({ type: f.key ? 'key' : 'delta', timestamp: f.timestampUs, data: bytes(f.data) }));
      await decoder.flush();
      return { n, sizes: [...sizes], greys };
    },
    {
      frames: webm.frames.map((f) => ({ key: f.key, timestampUs: f.timestampUs, data: Buffer.from(f.data).toString('base64') })),
      codec: webm.codec,
      keep: [wide, narrow],
      box: { x: Math.round(mouth.x * s), y: Math.round(mouth.y * s), w: Math.round(mouth.w * s), h: Math.round(mouth.h * s) },
    },
  );
  expect(decoded.n).toBe(count);
  expect(decoded.sizes).toEqual(['240x240']);
  const diff = meanDiff(decoded.greys[wide], decoded.greys[narrow]);
  console.log(
    `recording: ${rec.frames.length} frames in ${(rec.durationMs / 1000).toFixed(1)} s, smile ${smiles.map((x) => x.toFixed(2)).join(' ')}; video ${count} frames; mouth of frame ${wide} vs ${narrow}: ${diff.toFixed(2)} grey levels`,
  );
  if (Math.max(...smiles) - Math.min(...smiles) > 0.3) expect(diff).toBeGreaterThan(2);
}

test.describe('camera allowed', () => {
  test.use({ permissions: ['camera'] });

  test("the photo's mouth follows the camera's smile; capture; the stream stops on another reference", async ({ page }) => {
    test.setTimeout(900_000);
    await recordStreams(page);
    await openSample(page);
    const start = await leedState(page);
    const own = width(start.facePoints);
    // the mouth's box: its corners, with half the mouth's width around them
    const [l, r] = CORNERS.map((i) => start.facePoints[i]);
    const mouth = { x: Math.min(l[0], r[0]) - own / 2, y: (l[1] + r[1]) / 2 - own / 2, w: own * 2, h: own };
    const photoWidth = start.photo!.width;
    const photoMouth = await canvasGrey(page, mouth, photoWidth);
    await page.getByTestId('reference-select').selectOption('camera');
    await expect(page.getByTestId('camera-live')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('camera-mirror')).toBeChecked();
    expect(await trackStates(page)).toEqual(['live']);

    // the mouth's width on every new frame, with the mouth region's pixels of the photo canvas
    const seen: { frame: number; ratio: number; kind: string | null; grey: number[] }[] = [];
    const t0 = Date.now();
    let last = (await leedState(page)).framesRendered;
    const spread = () => Math.max(...seen.map((x) => x.ratio)) / Math.min(...seen.map((x) => x.ratio));
    while (Date.now() - t0 < 240_000 && (seen.length < 8 || spread() < 1.2)) {
      await page.waitForTimeout(500);
      const s = await leedState(page);
      if (s.framesRendered === last || s.targetPoints.length === 0) continue;
      last = s.framesRendered;
      // (the canvas draws the frame after the state has it)
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      seen.push({ frame: s.framesRendered, ratio: width(s.targetPoints) / own, kind: s.lastFrameKind, grey: await canvasGrey(page, mouth, photoWidth) });
    }
    const ratios = seen.map((s) => s.ratio);
    console.log(
      `live frames: ${seen.length} in ${((Date.now() - t0) / 1000).toFixed(0)} s; mouth width / the photo's: ${ratios.map((r) => r.toFixed(3)).join(' ')}`,
    );
    console.log(`kinds: ${seen.map((s) => s.kind).join(' ')}`);
    // the camera's smile widens the photo's mouth well beyond where the camera's resting face puts it (the sample's
    // own neutral face: the sample smiles a little)
    expect(Math.max(...ratios) / Math.min(...ratios)).toBeGreaterThan(1.15);
    // and on the pixels: the mouth of the widest frame differs from the narrowest's by several grey levels
    const widest = seen[ratios.indexOf(Math.max(...ratios))];
    const narrowest = seen[ratios.indexOf(Math.min(...ratios))];
    const [dFrames, dNarrow] = [meanDiff(widest.grey, narrowest.grey), meanDiff(narrowest.grey, photoMouth)];
    console.log(`mouth pixels: widest vs narrowest frame ${dFrames.toFixed(2)}, narrowest vs the photo ${dNarrow.toFixed(2)} grey levels`);
    expect(dFrames).toBeGreaterThan(3);
    const counts = await page.evaluate(() => (window as unknown as { __leedCamera: { counts: object } }).__leedCamera.counts);
    console.log(`camera counts: ${JSON.stringify(counts)}`);

    await recordAndSave(page, mouth, photoWidth);

    // Capture: the expression is kept as a saved one and becomes the reference; the camera stops
    await page.getByTestId('camera-capture').click();
    await expect.poll(async () => (await leedState(page)).saved).toContain('Capture 1');
    expect((await leedState(page)).reference).toMatchObject({ kind: 'expression', name: 'Capture 1' });
    await expect.poll(() => trackStates(page)).toEqual(['ended']);
    await expect(page.getByTestId('camera-live')).toHaveCount(0);

    // the camera again, then a preset: that stream stops too
    await page.getByTestId('reference-select').selectOption('camera');
    await expect(page.getByTestId('camera-live')).toBeVisible({ timeout: 120_000 });
    expect(await trackStates(page)).toEqual(['ended', 'live']);
    await page.getByTestId('reference-select').selectOption('preset:happy');
    await expect.poll(() => trackStates(page)).toEqual(['ended', 'ended']);
    await expect(page.getByTestId('camera-panel')).toHaveCount(0);
  });
});

test('a denied camera permission gets a clear message', async ({ page }) => {
  test.setTimeout(300_000);
  await openSample(page);
  await page.getByTestId('reference-select').selectOption('camera');
  await expect(page.getByTestId('camera-denied')).toContainText('Camera permission was denied', { timeout: 60_000 });
  await expect(page.getByTestId('camera-live')).toHaveCount(0);
});
