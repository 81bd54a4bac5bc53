/**
 * `npm run bench`: builds the app as a test build (package.json; the bench page is in test builds
 * only), serves dist/ with `vite preview`, drives headless Chromium (SwiftShader WebGPU flags,
 * e2e/chromium.ts) on dist/e2e/bench.html and prints one markdown table for the webgpu, webgl and cpu
 * backends. Runs at low CPU priority (shared machine).
 *
 * SwiftShader runs "GPU" work on the CPU: compare backends and versions as ratios, not absolute times.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import type { BenchRow, LiveResult, WaitsResult } from './bench-page';

// Its own port, so the benchmark can run while the browser tests hold theirs (BENCH_PORT: two benchmarks at once).
const PORT = Number(process.env.BENCH_PORT ?? 4175);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const VITE = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));

const BACKENDS = (process.env.BENCH_BACKENDS ?? 'webgpu,webgl,cpu').split(',');
/** BENCH_LOAD_ONLY=n: only the load times, n fresh workers per backend (quick start-up measurements). */
const LOAD_ONLY = Number(process.env.BENCH_LOAD_ONLY ?? 0);
/** BENCH_DIST: serve another build folder than dist/ (e.g. `vite build --mode test --outDir dist-x` and `tsx e2e/bench.ts`). */
const DIST = process.env.BENCH_DIST ?? 'dist';
/** BENCH_TABLES: which tables, `waits` (the user's waits), `engine` (the engine's steps), `live` (the camera and video); default all. */
const TABLES = (process.env.BENCH_TABLES ?? 'waits,engine,live').split(',');
/** The London fixtures the waits open (../shared/fixtures beside the repository; never copied into dist/). */
const FIXTURES = process.env.BENCH_FIXTURES ?? join(process.cwd(), '..', 'shared', 'fixtures');
const LONDON = { photo: 'london/neutral/007.jpg', references: ['london/smiling/009.jpg', 'london/smiling/022.jpg'] };
/** The live table's performer: another London person, neutral and smiling in turn (e2e/bench-live.ts). */
const PERFORMER = ['london/neutral/022.jpg', 'london/smiling/022.jpg'];

interface LoadRow {
  backend: string;
  modelLoadMs: number;
  allLoadedMs: number;
  firstFaceMs: number;
  refinerWarmMs: number;
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${url} did not start`);
}

const ms = (x: number | null) => (x === null ? 'n/a' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const mb = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;

async function main() {
  try {
    setPriority(10);
  } catch {
    /* already lower */
  }
  // a server left on the port (another benchmark's, or one whose run crashed) would be benchmarked instead
  if (
    await fetch(BASE_URL).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`port ${PORT} is in use: stop what serves ${BASE_URL}, or set BENCH_PORT`);
  const server: ChildProcess = spawn(process.execPath, [VITE, 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1', '--outDir', DIST], {
    stdio: 'ignore',
  });
  const rows: BenchRow[] = [];
  const loads: LoadRow[] = [];
  const waits: WaitsResult[] = [];
  const lives: LiveResult[] = [];
  try {
    await waitForServer(`${BASE_URL}/e2e/bench.html`, 60_000);
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage();
      const foreign: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).origin !== BASE_URL && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.route(`${BASE_URL}/__fixtures/**`, (route) =>
        route.fulfill({ body: readFileSync(join(FIXTURES, new URL(route.request().url()).pathname.slice('/__fixtures/'.length))), contentType: 'image/jpeg' }),
      );
      await page.goto(`${BASE_URL}/e2e/bench.html`);
      await page.waitForFunction(() => 'run' in ((window as unknown as { __bench?: object }).__bench ?? {}));
      for (const backend of LOAD_ONLY > 0 ? BACKENDS : []) {
        for (let i = 0; i < LOAD_ONLY; i++) {
          const row = await page.evaluate((b) => (window as unknown as { __bench: { loadOnly(b: string): Promise<LoadRow> } }).__bench.loadOnly(b), backend);
          process.stderr.write(`bench: ${JSON.stringify(row)}\n`);
          loads.push(row);
        }
      }
      for (const backend of LOAD_ONLY > 0 || !TABLES.includes('waits') ? [] : BACKENDS) waits.push(await timeWaits(page, backend));
      for (const backend of LOAD_ONLY > 0 || !TABLES.includes('live') ? [] : BACKENDS) lives.push(await timeLive(page, backend));
      for (const backend of LOAD_ONLY > 0 || !TABLES.includes('engine') ? [] : BACKENDS) {
        process.stderr.write(`bench: ${backend}…\n`);
        const row = await page.evaluate((b) => (window as unknown as { __bench: { run(b: string): Promise<BenchRow> } }).__bench.run(b), backend);
        if (row.backend !== backend) row.notes.push(`asked for ${backend}, ran on ${row.backend}: ${row.fallbackReasons.join('; ')}`);
        rows.push(row);
      }
      if (foreign.length) console.error(`WARNING: requests to other origins: ${foreign.join(', ')}`);
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGTERM');
  }

  if (LOAD_ONLY > 0) {
    console.log(
      '\n| backend | model load: a photo can be opened | everything loaded (+warm-up) | the sample opened at once: its face found | refiner warm-up after the first face |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of loads) console.log(`| ${r.backend} | ${ms(r.modelLoadMs)} | ${ms(r.allLoadedMs)} | ${ms(r.firstFaceMs)} | ${ms(r.refinerWarmMs)} |`);
    return;
  }
  console.log('\n## LEED editor benchmark (headless Chromium, SwiftShader for WebGPU/WebGL; CPU-bound machine)\n');
  if (waits.length) printWaits(waits);
  if (lives.length) printLive(lives);
  if (!rows.length) return;
  console.log(
    '| backend | model load: a photo can be opened | everything loaded (+warm-up) | analysis 512² photo (first / again) | slider frame (~512 px face) | 12 MP export (render + PNG) | peak tensor memory | face-mesh inference | full frame / mesh | preview frame / mesh | 20-step drag, last input to full frame / mesh | full frame with the refiner painting the mouth / mesh |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const per = (v: number | null) => (v !== null && r.meshInferenceMs ? `${(v / r.meshInferenceMs).toFixed(2)}× (${ms(v)})` : 'n/a');
    const ratio = per(r.sliderFrameMs);
    const slider = r.sliderFrameMs === null ? 'n/a' : `${ms(r.sliderFrameMs)} (${r.sliderFaceWidth} px)`;
    const exp = r.export12MpMs === null ? 'n/a' : `${ms(r.export12MpMs)} (${r.export12MpSize})`;
    console.log(
      `| ${r.backend} | ${ms(r.modelLoadMs)} | ${ms(r.allLoadedMs)} | ${ms(r.analysisMs)} / ${ms(r.analysisWarmMs)} | ${slider} | ${exp} | ${mb(r.peakBytes)} | ${ms(r.meshInferenceMs)} | ${ratio} | ${per(r.previewFrameMs)} | ${per(r.dragMs)} | ${per(r.refinerFrameMs)}${r.refinedPixels === null ? '' : `, ${r.refinedPixels} px refined`} |`,
    );
  }
  console.log(
    '\nModel load = createEditor until it resolves: a photo can be opened (face detector and mesh loaded; their warm-up goes on in the background and the first open waits for it). Everything loaded = until editor.loaded (face models warmed up, the expression models and the refiner loaded); the analysis is timed after it.',
  );
  console.log(
    `The refiner's warm-up runs in the background after the first face is found (${rows.map((r) => `${r.backend} ${ms(r.refinerWarmMs)}`).join(', ')}); the later steps are timed after it.`,
  );
  console.log(
    "Slider frame (full frame) = target landmarks + warp + refiner where something new must be painted + patch to the page, median of 3 after a warm-up frame (the sample's mouth is open: its own teeth are carried at full resolution and the refiner is skipped).",
  );
  console.log('Preview frame = the warp at half resolution, no refiner (what the slider shows while it moves), median of 3.');
  console.log(
    'Full frame with the refiner painting the mouth = the same targets through Face.renderTarget (no interior carried): windowed refiner, median of 3.',
  );
  console.log("20-step drag = 20 slider values 16 ms apart through the app's frame scheduler; time from the last input to its full frame.");
  console.log('Peak tensor memory = tf.profile peakBytes over the 12 MP render + export (model weights included).');
  console.log('Face-mesh inference = one single-pass FaceMesh run on the sample face (the editor runs two passes per face).');
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.backend}: ${n}`));
  if (notes.length) console.log(`\n${[...new Set(notes)].join('\n')}`);
}

/** The waits of `backend` (bench-waits.ts) and their baseline. */
async function timeWaits(page: Page, backend: string): Promise<WaitsResult> {
  process.stderr.write(`bench: ${backend} waits…\n`);
  const fixtures = { london: `${BASE_URL}/__fixtures/${LONDON.photo}`, references: LONDON.references.map((r) => `${BASE_URL}/__fixtures/${r}`) };
  const w = await page.evaluate(({ b, f }) => (window as unknown as { __bench: { waits(b: string, f: object): Promise<WaitsResult> } }).__bench.waits(b, f), {
    b: backend,
    f: fixtures,
  });
  process.stderr.write(`bench: ${JSON.stringify(w)}\n`);
  if (w.waits.backend !== backend) w.waits.notes.push(`asked for ${backend}, ran on ${w.waits.backend}`);
  return w;
}

/** The waits table: each wait as a multiple of one face-mesh inference on the same backend, and its target (WebGPU). */
function printWaits(results: WaitsResult[]): void {
  const cols: [string, (r: WaitsResult) => number | null, number][] = [
    ['open a photo (1350 px London) until its face is ready', (r) => r.waits.openLondonMs, 4],
    ['open the sample (512 px, the first photo) until its face is ready', (r) => r.waits.openSampleMs, 4],
    ['pick a preset until the first preview', (r) => r.waits.presetPreviewMs, 1],
    ['pick a preset until the full frame', (r) => r.waits.presetFullMs, 3],
    ["the same after a rest (the strip's thumbnails made)", (r) => r.waits.presetRestedFullMs, 3],
    ['pick a reference photo until the full frame', (r) => r.waits.referenceFullMs, 5],
    ['change a part slider until the full frame', (r) => r.waits.unitFullMs, 1],
    ['toggle a region until the full frame', (r) => r.waits.regionFullMs, 1],
    ['a full frame with the refiner painting the mouth', (r) => r.baseline.refinerFrameMs, 3],
  ];
  console.log(`| backend | face-mesh inference | ${cols.map((c) => c[0]).join(' | ')} |`);
  console.log(`| --- | --- | ${cols.map(() => '---').join(' | ')} |`);
  console.log(`| target (WebGPU) | 1× | ${cols.map((c) => `<= ${c[2]}×`).join(' | ')} |`);
  for (const r of results) {
    const samples = r.baseline.meshSamplesMs;
    const mesh = samples.reduce((a, b) => a + b, 0) / samples.length;
    const cells = cols.map(([, get]) => {
      const v = get(r);
      return v === null ? 'n/a' : `${(v / mesh).toFixed(2)}× (${ms(v)})`;
    });
    console.log(`| ${r.waits.backend} | ${ms(mesh)} (${ms(Math.min(...samples))}-${ms(Math.max(...samples))}) | ${cells.join(' | ')} |`);
  }
  console.log(
    "\nEach wait runs in the app's own worker (src/app/worker.ts, through engine-client.ts, the store's calls in its order), from the action to the frame as an ImageBitmap on the page, everything loaded and warmed up. Open = decode + detect + the largest face's landmarks. A change = the edit, its preview, then its full frame (intensity 1) on London 007's face: presets surprise, sadness, happy (median); after a rest: the preset strip's thumbnails of fear and disgust made first (as at rest in the app, each also preparing its preset's texture), then those presets picked (median); parts on happy: smile 0.6, 0.9, smile 0.9 + cheeks 0.5 (median); regions: eyes, brows, jaw off (median); reference photos London smiling 009 and 022 (median), their opening and analysis included. Face-mesh inference = one single-pass run on the sample's face, in a bench worker with an editor of its own (e2e/bench-worker.ts), the mean of 3 taken before each group of waits and after the last (the machine's load changes over a run: their mean, and their range); the refiner-painting frame is measured there at the end.\n",
  );
  const notes = results.flatMap((r) => r.waits.notes.map((n) => `- ${r.waits.backend}: ${n}`));
  if (notes.length) console.log(`${notes.join('\n')}\n`);
}

/** The live table's row of `backend` (bench-live.ts) and its baseline. */
async function timeLive(page: Page, backend: string): Promise<LiveResult> {
  process.stderr.write(`bench: ${backend} live…\n`);
  const fixtures = { photo: `${BASE_URL}/__fixtures/${LONDON.photo}`, performer: PERFORMER.map((r) => `${BASE_URL}/__fixtures/${r}`) };
  const r = await page.evaluate(({ b, f }) => (window as unknown as { __bench: { live(b: string, f: object): Promise<LiveResult> } }).__bench.live(b, f), {
    b: backend,
    f: fixtures,
  });
  process.stderr.write(`bench: ${JSON.stringify(r)}\n`);
  return r;
}

/** The live table: a live frame as a multiple of one face-mesh inference (target on WebGPU), frames a second, video per frame. */
function printLive(results: LiveResult[]): void {
  console.log(
    '| backend | face-mesh inference | live frame (640x480 camera: mesh + retarget + preview) / mesh | live frames a second | video export per frame (full frame + encode) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  console.log('| target (WebGPU) | 1× | <= 1.5× | | |');
  for (const r of results) {
    const samples = r.baseline.meshSamplesMs;
    const mesh = samples.reduce((a, b) => a + b, 0) / samples.length;
    const v = r.live.videoFrameMs === null ? 'n/a (no WebCodecs)' : `${ms(r.live.videoFrameMs)} (${r.live.videoFormat})`;
    const name = r.live.backend === r.baseline.backend ? r.live.backend : `${r.live.backend} (mesh on ${r.baseline.backend})`;
    console.log(
      `| ${name} | ${ms(mesh)} (${ms(Math.min(...samples))}-${ms(Math.max(...samples))}) | ${(r.live.liveFrameMs / mesh).toFixed(2)}× (${ms(r.live.liveFrameMs)}) | ${(1000 / r.live.liveFrameMs).toFixed(1)} | ${v} |`,
    );
  }
  console.log(
    "\nLive frame = WorkerApi.live in the app's own worker, as src/app/camera.ts calls it, from the page's camera pixels (London 022 neutral and smiling in turn, letterboxed into 640x480) to the preview frame as an ImageBitmap on the page, on London 007's face: median of 6 after 2 warm-up frames. Frames a second = 1000 / that (the loop analyses one frame at a time, newest first). Video = the sweep to the happy preset and back (10 frames, 10 frames/s, 1350 px London photo scaled to 1080 px), full frames encoded as WebM (VP9, else VP8), per frame. Face-mesh inference = one single-pass run on the sample's face in a bench worker (e2e/bench-worker.ts), the mean of 3 before and after the live frames.\n",
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
