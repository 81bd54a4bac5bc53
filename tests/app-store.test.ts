/** The app store (src/app/store.ts) on a fake engine worker: state, actions, frames, edits and downloads. */
import { describe, expect, it, vi } from 'vitest';
import { toAppError } from '../src/app/app-error';
import { createEditorStore } from '../src/app/store';
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
    await until(() => !s().rendering && s().rendered?.intensity === 0.5, 'the last frame');
    expect(s().framesRequested).toBe(6);
    expect(s().framesRendered).toBeLessThan(6);
    expect(s().targetPoints).toEqual([[0.5, 0.5, 0]]);
    expect(calls.filter((c) => c.startsWith('edit'))).toHaveLength(1);
    expect(calls.find((c) => c.startsWith('edit'))).toMatch(/{"kind":"preset","preset":"surprise"} brows,eyes,mouth,jaw/);
    expect(snapshot(s())).toMatchObject({ renderedIntensity: 0.5, reference: { kind: 'preset', preset: 'surprise' }, capabilities: { render: true } });
  });

  it('a new reference makes a new edit; the old one is released once the new frame is shown, and old patches are closed', async () => {
    const { s, calls, frames } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    s().setReference({ kind: 'preset', preset: 'happy' });
    await until(() => s().framesRendered === 1);
    const first = s().rendered!.editId;
    s().setReference({ kind: 'neutral' });
    await until(() => s().framesRendered === 2);
    expect(s().rendered!.editId).not.toBe(first);
    await until(() => calls.includes(`dispose ${first}`), 'the old edit released');
    expect((frames[0].patch as unknown as FakeBitmap).closed).toBe(true);
    expect((frames[1].patch as unknown as FakeBitmap).closed).toBe(false);
  });

  it('region toggles go to the edit; another photo as reference is passed as its face id', async () => {
    const { s, calls } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    s().toggleRegion('mouth');
    await until(() => s().framesRendered === 1);
    expect(calls.find((c) => c.startsWith('edit'))).toMatch(/{"kind":"neutral"} brows,eyes,jaw/);
    await s().openReference(new Blob(['png']), 'other.png');
    await until(() => s().framesRendered === 2);
    expect(s().reference).toEqual({ kind: 'photo', name: 'other.png' });
    const refFace = s().referenceFace!.faceId;
    expect(calls.filter((c) => c.startsWith('edit')).at(-1)).toContain(`{"kind":"face","faceId":${refFace}}`);
  });

  it('downloads the frame on screen at full resolution, named after the photo', async () => {
    const { s, calls, saved } = await ready();
    await s().openFile(new Blob(['png']), 'holiday.jpg');
    s().setIntensity(0.7);
    await until(() => s().framesRendered === 1);
    await s().download('jpeg');
    expect(calls.at(-1)).toBe(`export ${s().rendered!.editId} 0.7 jpeg 0.92`);
    expect(saved).toEqual([{ name: 'holiday.jpg', format: 'jpeg', size: 7 }]);
    expect(s().status).toBe('ready');
  });

  it('a new photo releases the old one (its faces and edits go with it) and drops its frame', async () => {
    const { s, calls } = await ready();
    await s().openFile(new Blob(['png']), 'a.png');
    const first = s().photo!;
    s().setIntensity(0.5);
    await until(() => s().framesRendered === 1);
    await s().openFile(new Blob(['png']), 'b.png');
    expect(calls).toContain(`dispose ${first.id}`);
    expect((first.bitmap as unknown as FakeBitmap).closed).toBe(true);
    expect(s().photo!.name).toBe('b.png');
    // Still editing: the new face gets a frame of its own.
    await until(() => s().framesRendered === 2);
    expect(s().rendered!.editId).not.toBe(undefined);
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
});
