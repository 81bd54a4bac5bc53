/** The engine supervisor (src/app/engine-supervisor.ts) on fake workers: ids across restarts, device loss, crashes. */
import { describe, expect, it, vi } from 'vitest';
import type { EngineClient, EngineClientOptions } from '../src/app/engine-client';
import { createEngineSupervisor } from '../src/app/engine-supervisor';
import type { EngineEvent } from '../src/app/protocol';
import { createEditorStore } from '../src/app/store';
import { fakeApi, until } from './app-fakes';

function harness() {
  const workers: { fake: ReturnType<typeof fakeApi>; options: EngineClientOptions; backends?: string[]; lose?: (e: EngineEvent) => void; ended: boolean }[] =
    [];
  const supervisor = createEngineSupervisor((options) => {
    const fake = fakeApi();
    const w = { fake, options, ended: false } as (typeof workers)[number];
    const init = fake.api.init;
    fake.api.init = async (o, onProgress, onEvent) => {
      w.backends = o.backends;
      w.lose = onEvent;
      const info = await init(o, onProgress);
      return { ...info, backend: { ...info.backend, name: o.backends?.[0] ?? 'webgpu' } };
    };
    workers.push(w);
    const client: EngineClient = {
      api: fake.api,
      test: { testLoseDevice: async () => w.lose?.({ kind: 'device-lost', reason: 'destroyed' }), testCrash: async () => options.onCrash?.('boom') },
      terminate: () => {
        w.ended = true;
      },
    };
    return client;
  });
  const store = createEditorStore({ api: supervisor.api, modelBaseUrl: 'http://x/models', save: () => {} });
  supervisor.attach(store);
  // The test hooks exist in test builds, and vitest is one (vitest.config.ts).
  const hooks = supervisor.test!;
  return { supervisor, hooks, store, workers, s: () => store.getState() };
}

describe('engine supervisor', () => {
  it('a lost device restarts on the next backend and opens the photo again with its settings', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { supervisor, hooks, store, workers, s } = harness();
    await s().start();
    await s().openFile(new Blob(['photo']), 'me.png');
    s().setReference({ kind: 'preset', preset: 'happy' });
    s().setIntensity(0.7);
    await until(() => s().rendered?.intensity === 0.7, 'first frame');
    const before = s().photo!.id;

    await hooks.loseDevice();
    await hooks.settled();
    expect(workers).toHaveLength(2);
    expect(workers[0].ended).toBe(true);
    expect(workers[1].backends).toEqual(['webgl', 'cpu']);
    await until(() => s().rendered?.intensity === 0.7, 'frame after the restart');
    expect(s().photo?.name).toBe('me.png');
    expect(s().photo?.id).not.toBe(before); // a new id, never one of the dead worker's
    expect(s().reference).toEqual({ kind: 'preset', preset: 'happy' });
    expect(s().backend?.name).toBe('webgl');
    expect(s().backend?.fallbackReasons[0]).toMatch(/webgpu: the graphics device was lost/);
    expect(s().engineNotice).toMatch(/restarted on WebGL/);
    expect(hooks.restarts()).toBe(1);
    // The new worker opened the same file and rendered with the new worker's own ids.
    expect(workers[1].fake.calls.some((c) => c.startsWith('open '))).toBe(true);
    expect(workers[1].fake.calls.some((c) => c.startsWith('render '))).toBe(true);
    // An id of the dead worker is never sent to the new one.
    await supervisor.api.dispose(before);
    expect(workers[1].fake.calls).not.toContain(`dispose ${before}`);
    store.getState().dispose();
  });

  it('a crash restarts on the same backends; calls in flight are rejected, not left hanging', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { hooks, workers, s } = harness();
    await s().start();
    await s().openFile(new Blob(['photo']), 'me.png');
    workers[0].fake.api.render = () => new Promise(() => {}); // a worker that died mid-frame
    s().setReference({ kind: 'preset', preset: 'surprise' });
    await until(() => s().rendering, 'render in flight');
    await hooks.crashWorker();
    await hooks.settled();
    expect(workers[1].backends).toEqual(['webgpu', 'webgl', 'cpu']);
    await until(() => s().rendered !== null && !s().rendering, 'frame after the restart');
    expect(s().engineNotice).toMatch(/stopped unexpectedly and was restarted/);
    expect(s().error).toBeNull();
    // A late event from the dead worker changes nothing.
    workers[0].options.onCrash?.('late');
    await hooks.settled();
    expect(workers).toHaveLength(2);
  });
});
