/**
 * The user-visible waits, timed on the bench page through the app's own engine worker (src/app/worker.ts via
 * src/app/engine-client.ts, the store's calls in the store's order): each wait runs from the user's action to the
 * frame (an ImageBitmap on this thread) the app would show. e2e/bench.ts divides them by one face-mesh inference.
 */
import type { BackendName, PresetName, Region, UnitValues } from '../src/engine/index';
import { createEngineClient } from '../src/app/engine-client';
import type { ReferenceSpec, WorkerApi } from '../src/app/protocol';
import { largestFace } from '../src/app/store';

export interface WaitsRow {
  backend: string;
  /** The sample (512 x 512 PNG), the first photo after everything loaded: open until its face's landmarks are in. */
  openSampleMs: number;
  /** A 1350 px London photo (JPEG), opened after the sample. */
  openLondonMs: number;
  /** A preset picked on the London face (a new edit): until its first preview, and until its full frame (median of 3 presets). */
  presetPreviewMs: number;
  presetFullMs: number;
  /**
   * A preset picked after the user rested on the face: the preset strip made its thumbnails (worker-thumbnail.ts,
   * which also prepares each preset's texture), then the pick, until the full frame (median of fear, disgust).
   */
  presetRestedFullMs: number;
  /** A reference photo (another London photo) opened and analysed, until the full frame of the edit toward it (median of 2). */
  referenceFullMs: number;
  /** A part (action unit) slider changed on the preset's edit, until the full frame (median of 3 values). */
  unitFullMs: number;
  /** A region toggled off, until the full frame (median of 3 regions). */
  regionFullMs: number;
  notes: string[];
}

/** The fixtures the waits open (fetched by the page from bench.ts's fixture route). */
export interface WaitsFiles {
  sample: Blob;
  london: Blob;
  references: Blob[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The waits on `backend`, in a fresh app worker; `between` runs before each group of waits and after the last. */
export async function timeWaits(backend: BackendName, modelBaseUrl: string, files: WaitsFiles, between: () => Promise<void>): Promise<WaitsRow> {
  const client = createEngineClient({ onCrash: (r) => console.error(`engine crashed: ${r}`) });
  const { api } = client;
  let fraction = 0;
  try {
    const info = await api.init({ modelBaseUrl, backends: [backend] }, (f) => {
      fraction = f;
    });
    const regions = [...info.capabilities.regions];
    // The app's status bar says "Ready" at progress 1: everything loaded and warmed (the refiner after the first face).
    const ready = async () => {
      await sleep(300);
      while (fraction < 1) await sleep(100);
    };
    await ready();
    const notes: string[] = [];
    await between();
    const openSample = await openPhoto(api, files.sample);
    await ready();
    const london = await openPhoto(api, files.london);

    // What the store does for one change: the edit (cached per face, reference, regions, units), a preview, the full frame.
    const change = async (ref: ReferenceSpec, rs: Region[], units?: UnitValues) => {
      const t = performance.now();
      const { editId } = await api.edit(london.faceId, ref, rs, units);
      (await api.render(editId, 1, 'preview')).patch.close();
      const preview = performance.now() - t;
      (await api.render(editId, 1, 'full')).patch.close();
      return { preview, full: performance.now() - t };
    };
    await between();
    const presets: PresetName[] = ['surprise', 'sadness', 'happy'];
    const presetRuns = [];
    for (const preset of presets) presetRuns.push(await change({ kind: 'preset', preset }, regions));
    await between();
    // the user rests: the strip's thumbnails, one at a time (preset-thumbs.ts), before presets not picked yet
    const rested: PresetName[] = ['fear', 'disgust'];
    for (const preset of rested) await api.thumbnail(london.faceId, { kind: 'preset', preset }, 84);
    const restedRuns = [];
    for (const preset of rested) restedRuns.push(await change({ kind: 'preset', preset }, regions));
    await between();
    const happy: ReferenceSpec = { kind: 'preset', preset: 'happy' };
    const unitRuns = [];
    for (const units of [{ lip_corner_pull: 0.6 }, { lip_corner_pull: 0.9 }, { lip_corner_pull: 0.9, cheek_raise: 0.5 }]) {
      unitRuns.push(await change(happy, regions, units));
    }
    await between();
    const regionRuns = [];
    for (const off of ['eyes', 'brows', 'jaw'] as Region[]) {
      regionRuns.push(
        await change(
          happy,
          regions.filter((r) => r !== off),
        ),
      );
    }
    await between();
    const referenceRuns = [];
    for (const file of files.references) {
      // as the store's openReference: open, the largest face's landmarks, then the edit toward that face
      const t = performance.now();
      const opened = await api.open(file);
      opened.bitmap.close();
      const refFace = await api.face(opened.photoId, largestFace(opened.faces));
      const { editId } = await api.edit(london.faceId, { kind: 'face', faceId: refFace.faceId }, regions);
      (await api.render(editId, 1, 'preview')).patch.close();
      (await api.render(editId, 1, 'full')).patch.close();
      referenceRuns.push(performance.now() - t);
    }
    await between();
    return {
      backend: info.backend.name,
      openSampleMs: openSample.ms,
      openLondonMs: london.ms,
      presetPreviewMs: median(presetRuns.map((r) => r.preview)),
      presetFullMs: median(presetRuns.map((r) => r.full)),
      presetRestedFullMs: median(restedRuns.map((r) => r.full)),
      referenceFullMs: median(referenceRuns),
      unitFullMs: median(unitRuns.map((r) => r.full)),
      regionFullMs: median(regionRuns.map((r) => r.full)),
      notes,
    };
  } finally {
    client.terminate();
  }
}

/** Opens `file` as the store does (open, then the largest face's landmarks); the time until the face is in. */
async function openPhoto(api: WorkerApi, file: Blob): Promise<{ faceId: number; ms: number }> {
  const t = performance.now();
  const opened = await api.open(file);
  opened.bitmap.close();
  const face = await api.face(opened.photoId, largestFace(opened.faces));
  return { faceId: face.faceId, ms: performance.now() - t };
}
