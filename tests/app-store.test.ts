/** The app store (src/app/store.ts) on a fake engine worker: state, actions, frames, edits and downloads. */
import { describe, expect, it, vi } from 'vitest';
import { toAppError } from '../src/app/app-error';
import { downloadBlocker } from '../src/app/components/DownloadButton';
import { pagedIntensity } from '../src/app/components/IntensitySlider';
import { editedIn } from '../src/app/components/ResultPanel';
import { smoothProgress } from '../src/app/components/StatusBar';
import { createEditorStore, largestFace } from '../src/app/store';
import { snapshot } from '../src/app/test-hooks';
import { fakeApi, until, workerError, type FakeBitmap } from './app-fakes';

async function ready(options: Parameters<typeof fakeApi>[0] = {}) {
  const fake = fakeApi(options);
  const saved: { name: string; format: string; size: number }[] = [];
  const store = createEditorStore({
    api: fake.api,
    modelBaseUrl: 'http://x/models',
    save: (blob, name, format) => saved.push({ name, format, size: blob.size }),
  });
  await store.getState().start();
  return { ...fake, store, saved, s: () => store.getState() };
}

/** The slider is at rest: no render in flight and the full frame (not a preview) on screen. */
const settled = (s: () => { rendering: boolean; lastFrameKind: 'preview' | 'full' | null }) => () => !s().rendering && s().lastFrameKind === 'full';

describe('app store', () => {
  it('starts the engine and takes its backend, capabilities and regions', async () => {
    const { s } = await ready();
    expect(s().status).toBe('ready');
    expect(s().backend?.name).toBe('webgpu');
    expect(s().capabilities.presets).toEqual(['happy', 'surprise']);
    expect(s().regions).toEqual(['brows', 'eyes', 'mouth', 'jaw']);
  });

  it('a failed start is fatal, with the message of the error code', async () => {
    const fake = fakeApi();
    fake.failNext('init', workerError('MODEL_LOAD', 'HTTP 404'));
    const store = createEditorStore({ api: fake.api, modelBaseUrl: 'x' });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await store.getState().start();
    expect(store.getState().status).toBe('fatal');
    expect(store.getState().error).toMatchObject({ code: 'MODEL_LOAD', detail: 'HTTP 404' });
    expect(store.getState().error!.message).toMatch(/could not be loaded/);
  });

  it('opens a photo, selects its only face, and renders nothing until the user edits', async () => {
    const { s, calls } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    expect(s().photo).toMatchObject({ name: 'me.png', width: 100, height: 80 });
    expect(s().selected).toBe(0);
    expect(s().face?.faceId).toBeDefined();
    expect(calls.some((c) => c.startsWith('render'))).toBe(false);
  });

  it('slider frames: the newest value is rendered, stale ones dropped, and one edit serves the whole drag', async () => {
    const { s, calls } = await ready({ renderDelayMs: 10 });
    await s().openFile(new Blob(['png']), 'me.png');
    s().setReference({ kind: 'preset', preset: 'surprise' });
    for (const a of [0.1, 0.2, 0.3, 0.4, 0.5]) s().setIntensity(a);
    await until(() => settled(s)() && s().rendered?.intensity === 0.5, 'the last frame, full');
    expect(s().framesRequested).toBe(6);
    // progressive frames: previews of the newest values while it moves, then one full frame of the last one
    expect(calls.filter((c) => c.startsWith('render') && !c.endsWith('preview'))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('render')).at(-1)).toMatch(/ 0\.5$/);
    expect(s().targetPoints).toEqual([[0.5, 0.5, 0]]);
    expect(calls.filter((c) => c.startsWith('edit'))).toHaveLength(1);
    expect(calls.find((c) => c.startsWith('edit'))).toMatch(/{"kind":"preset","preset":"surprise"} brows,eyes,mouth,jaw/);
    expect(snapshot(s())).toMatchObject({ renderedIntensity: 0.5, reference: { kind: 'preset', preset: 'surprise' }, capabilities: { render: true } });
  });

  it('a new reference makes a new edit; the old one is released once the new frame is shown, and old patches are closed', async () => {
    const { s, calls, frames } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    s().setReference({ kind: 'preset', preset: 'happy' });
    await until(settled(s));
    const first = s().rendered!.editId;
    s().setReference({ kind: 'neutral' });
    await until(() => s().rendered?.editId !== first && settled(s)());
    await until(() => calls.includes(`dispose ${first}`), 'the old edit released');
    // every patch but the one on screen is closed (previews and the old edit's frames)
    expect(frames.slice(0, -1).every((f) => (f.patch as unknown as FakeBitmap).closed)).toBe(true);
    expect((frames.at(-1)!.patch as unknown as FakeBitmap).closed).toBe(false);
  });

  it('region toggles go to the edit; another photo as reference is passed as its face id', async () => {
    const { s, calls } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    s().toggleRegion('mouth');
    s().setReference({ kind: 'neutral' });
    await until(settled(s));
    expect(calls.find((c) => c.startsWith('edit'))).toMatch(/{"kind":"neutral"} brows,eyes,jaw/);
    await s().openReference(new Blob(['png']), 'other.png');
    await until(() => calls.filter((c) => c.startsWith('edit')).length === 2 && settled(s)());
    expect(s().reference).toEqual({ kind: 'photo', name: 'other.png' });
    const refFace = s().referenceFace!.faceId;
    expect(calls.filter((c) => c.startsWith('edit')).at(-1)).toContain(`{"kind":"face","faceId":${refFace}}`);
  });

  it('downloads the frame on screen at full resolution, named after the photo', async () => {
    const { s, calls, saved } = await ready();
    await s().openFile(new Blob(['png']), 'holiday.jpg');
    s().setReference({ kind: 'preset', preset: 'happy' });
    s().setIntensity(0.7);
    await until(() => s().rendered?.intensity === 0.7);
    await s().download('jpeg');
    expect(calls.at(-1)).toBe(`export ${s().rendered!.editId} 0.7 jpeg 0.92`);
    expect(saved).toEqual([{ name: 'holiday.jpg', format: 'jpeg', size: 7 }]);
    expect(s().status).toBe('ready');
  });

  it('a new photo releases the old one (its faces and edits go with it) and drops its frame', async () => {
    const { s, calls } = await ready();
    await s().openFile(new Blob(['png']), 'a.png');
    const first = s().photo!;
    await s().openReference(new Blob(['png']), 'ref.png');
    const refPhoto = s().referenceFace!.photoId;
    const thumb = s().referencePhoto!.bitmap as unknown as FakeBitmap;
    s().toggleRegion('jaw');
    s().setIntensity(0.5);
    await until(() => s().rendered?.intensity === 0.5 && !s().rendering);
    const rendered = s().framesRendered;
    await s().openFile(new Blob(['png']), 'b.png');
    expect(calls).toContain(`dispose ${first.id}`);
    expect((first.bitmap as unknown as FakeBitmap).closed).toBe(true);
    expect(s().photo!.name).toBe('b.png');
    // The new photo starts from the start state: no reference (the reference photo stays a recent one), intensity 0,
    // every region, no frame.
    expect(calls).not.toContain(`dispose ${refPhoto}`);
    expect(thumb.closed).toBe(false);
    expect(s().recentReferences.map((r) => r.name)).toEqual(['ref.png']);
    expect(s()).toMatchObject({ reference: null, referenceFace: null, referencePhoto: null, intensity: 0, rendered: null });
    expect(s().regions).toEqual(['brows', 'eyes', 'mouth', 'jaw']);
    await new Promise((r) => setTimeout(r, 20));
    expect(s().framesRendered).toBe(rendered);
  });

  it('start state: no reference and intensity 0; nothing renders until a reference is chosen, which starts at 1', async () => {
    const { s, calls } = await ready();
    expect(s()).toMatchObject({ reference: null, intensity: 0, showMesh: false, referencePhoto: null });
    await s().openFile(new Blob(['png']), 'me.png');
    s().setIntensity(0.8);
    s().toggleRegion('mouth');
    await new Promise((r) => setTimeout(r, 20));
    expect(s().intensity).toBe(0);
    expect(calls.some((c) => c.startsWith('edit') || c.startsWith('render'))).toBe(false);
    s().setReference({ kind: 'preset', preset: 'surprise' });
    expect(s().intensity).toBe(1);
    await until(() => s().rendered?.intensity === 1);
    s().setIntensity(0.4);
    s().setReference({ kind: 'neutral' });
    expect(s().intensity).toBe(0.4);
  });

  it('a reference photo keeps its decoded photo for the thumbnail; it is released once it leaves the recent ones', async () => {
    const { s, calls } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    await s().openReference(new Blob(['png']), 'one.png');
    const one = s().referencePhoto!;
    const onePhoto = s().referenceFace!.photoId;
    expect(one.name).toBe('one.png');
    expect(s().intensity).toBe(1);
    await s().openReference(new Blob(['png']), 'two.png');
    expect(s().reference).toEqual({ kind: 'photo', name: 'two.png' });
    expect(s().referencePhoto!.name).toBe('two.png');
    // undo can go back to it, and it is a recent reference: a new photo (a fresh history) keeps it
    expect((one.bitmap as unknown as FakeBitmap).closed).toBe(false);
    await s().openFile(new Blob(['png']), 'next.png');
    expect((one.bitmap as unknown as FakeBitmap).closed).toBe(false);
    expect(s().recentReferences.map((r) => r.name)).toEqual(['two.png', 'one.png']);
    // five more push it out of the six kept: then it is released
    for (const n of ['3', '4', '5', '6']) await s().openReference(new Blob(['png']), `${n}.png`);
    expect(calls).not.toContain(`dispose ${onePhoto}`);
    await s().openReference(new Blob(['png']), '7.png');
    expect(s().recentReferences.map((r) => r.name)).toEqual(['7.png', '6.png', '5.png', '4.png', '3.png', 'two.png']);
    expect((one.bitmap as unknown as FakeBitmap).closed).toBe(true);
    expect(calls).toContain(`dispose ${onePhoto}`);
  });

  it('a recent reference photo is picked again without opening it again', async () => {
    const { s, calls } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    await s().openReference(new Blob(['one']), 'one.png');
    const one = s().referenceFace!;
    s().setIntensity(0.6);
    await s().openReference(new Blob(['two']), 'two.png');
    await until(settled(s));
    const opens = calls.filter((c) => c.startsWith('open')).length;
    s().pickRecentReference(1);
    expect(s().reference).toEqual({ kind: 'photo', name: 'one.png' });
    expect(s().referenceFace).toBe(one);
    expect(s().referencePhoto!.name).toBe('one.png');
    expect(s().intensity).toBe(0.6); // the slider stays where it was
    await until(settled(s));
    expect(calls.filter((c) => c.startsWith('open')).length).toBe(opens);
    expect(calls.filter((c) => c.startsWith('edit')).at(-1)).toContain(`{"kind":"face","faceId":${one.faceId}}`);
    // the latest first; undo goes back to the other
    expect(s().recentReferences.map((r) => r.name)).toEqual(['one.png', 'two.png']);
    s().undo();
    expect(s().reference).toEqual({ kind: 'photo', name: 'two.png' });
    // the same file again replaces its entry (the old face stays while the history holds it)
    await s().openReference(new Blob(['one']), 'one.png');
    expect(s().recentReferences.map((r) => r.name)).toEqual(['one.png', 'two.png']);
    expect(s().recentReferences[0].face).not.toBe(one);
  });

  it('with several faces the largest is selected at first', async () => {
    const { s, calls } = await ready({ faces: 3, sizes: [30, 70, 50] });
    await s().openFile(new Blob(['png']), 'group.png');
    expect(s().selected).toBe(1);
    expect(calls.some((c) => /^face \d+\/1 /.test(c))).toBe(true);
    expect(largestFace([])).toBe(-1);
  });

  it('errors come out by code; no face and bad files leave the app ready', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { s, failNext } = await ready({ faces: 0 });
    await s().openFile(new Blob(['png']), 'grey.png');
    expect(s().error?.code).toBe('NO_FACE');
    failNext('open', workerError('NOT_AN_IMAGE'));
    await s().openFile(new Blob(['txt']), 'notes.txt');
    expect(s().error?.code).toBe('NOT_AN_IMAGE');
    expect(s().status).toBe('ready');
  });

  it('maps anything without a known code to INTERNAL, never BAD_ARGUMENT', () => {
    expect(toAppError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', detail: 'boom' });
    expect(toAppError({ code: 'NOPE', message: 'x' }).code).toBe('INTERNAL');
    expect(toAppError('text').code).toBe('INTERNAL');
    expect(toAppError(workerError('GPU_LOST')).code).toBe('GPU_LOST');
  });

  it('UI helpers: smooth loading progress, page steps, download reasons, plain-word timings', () => {
    // Between steps the bar keeps moving, never backwards, never past the cap; a new step never lowers it.
    const a = smoothProgress(0.55, 0.55, 0);
    const b = smoothProgress(0.55, 0.55, 2000);
    const c = smoothProgress(0.55, 0.55, 60_000);
    expect(a).toBe(0.55);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(c).toBeLessThanOrEqual(0.85 + 1e-9);
    expect(smoothProgress(0.05, 0.12, 0)).toBe(0.12);
    expect(smoothProgress(1, 0.9, 0)).toBe(1);
    expect(pagedIntensity(1, 1)).toBe(1.25);
    expect(pagedIntensity(1.4, 1)).toBe(1.5);
    expect(pagedIntensity(0.1, -1)).toBe(0);
    expect(pagedIntensity(0.35, -1)).toBe(0.1);
    expect(editedIn(5486)).toBe('Edited in 5.5 s');
    const base = { status: 'ready' as const, photo: null, face: null, reference: null, rendered: null, rendering: false };
    expect(downloadBlocker(base)).toMatch(/open a photo/);
    expect(downloadBlocker({ ...base, status: 'starting' })).toMatch(/models to load/);
  });
});
