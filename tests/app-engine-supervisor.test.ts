/** The engine supervisor (src/app/engine-supervisor.ts) on fake workers: ids across restarts, device loss, crashes, the heartbeat. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineClient, EngineClientOptions } from '../src/app/engine-client';
import { createEngineSupervisor, type EngineSupervisor } from '../src/app/engine-supervisor';
import type { HeartbeatTiming } from '../src/app/heartbeat';
import type { EngineEvent } from '../src/app/protocol';
import { createEditorStore } from '../src/app/store';
import { fakeApi, until } from './app-fakes';

interface FakeWorker {
  fake: ReturnType<typeof fakeApi>;
  options: EngineClientOptions;
  backends?: string[];
  lose?: (e: EngineEvent) => void;
  /** terminate() was called (by the supervisor). */
  ended: boolean;
  /** Terminated from outside: it answers nothing any more. */
  gone: boolean;
  /** How long it takes to answer a ping (a busy worker). */
  pingDelayMs: number;
}

const running: EngineSupervisor[] = [];
afterEach(() => {
  for (const s of running.splice(0)) s.terminate();
});

function harness(heartbeat?: HeartbeatTiming) {
  const workers: FakeWorker[] = [];
  const supervisor = createEngineSupervisor(
    (options) => {
      const fake = fakeApi();
      const w: FakeWorker = { fake, options, ended: false, gone: false, pingDelayMs: 0 };
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
        ping: () => (w.gone ? new Promise(() => {}) : new Promise((r) => setTimeout(r, w.pingDelayMs))),
        test: {
          testLoseDevice: async () => w.lose?.({ kind: 'device-lost', reason: 'destroyed' }),
          testCrash: async () => options.onCrash?.('boom'),
          terminateWorker: () => {
            w.gone = true;
          },
        },
        terminate: () => {
          w.ended = true;
        },
      };
      return client;
    },
    { heartbeat },
  );
  running.push(supervisor);
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

  it('the unit values and a saved expression as the reference come back after a restart', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { hooks, workers, s } = harness();
    await s().start();
    await s().openFile(new Blob(['photo']), 'me.png');
    const json = JSON.stringify({ format: 'leed-expression', version: 1, name: 'smirk', units: { lip_corner_pull: 0.7 } });
    s().setReference({ kind: 'expression', name: 'smirk', json });
    s().setUnit('jaw_drop', 0.9);
    await until(() => s().units?.jaw_drop === 0.9 && !s().rendering, 'first frame');
    await hooks.crashWorker();
    await hooks.settled();
    expect(workers).toHaveLength(2);
    await until(() => s().units?.jaw_drop === 0.9 && s().units?.lip_corner_pull === 0.7 && !s().rendering, 'frame after the restart');
    expect(s().reference).toEqual({ kind: 'expression', name: 'smirk', json });
    expect(s().unitEdits).toEqual({ jaw_drop: 0.9 });
    expect(workers[1].fake.calls.some((c) => c.startsWith('edit ') && c.includes('"kind":"expression"') && c.includes('units {"jaw_drop":0.9}'))).toBe(true);
    s().dispose();
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

  it('a worker terminated from outside mid-frame is noticed by the heartbeat and replaced; the photo is kept', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { hooks, workers, s } = harness({ intervalMs: 10, timeoutMs: 60 });
    await s().start();
    await s().openFile(new Blob(['photo']), 'me.png');
    workers[0].fake.api.render = () => new Promise(() => {}); // its frame never comes
    s().setReference({ kind: 'preset', preset: 'happy' });
    await until(() => s().rendering, 'render in flight');
    hooks.killWorker(); // no event, no rejection: only the missing answers tell
    await until(() => workers.length === 2, 'a new worker');
    await hooks.settled();
    expect(workers[0].ended).toBe(true);
    expect(warn.mock.calls.some((c) => /did not answer for 0\.06 s/.test(String(c[0])))).toBe(true);
    await until(() => s().rendered !== null && !s().rendering, 'frame after the restart');
    expect(s().photo?.name).toBe('me.png');
    expect(s().reference).toEqual({ kind: 'preset', preset: 'happy' });
    expect(s().engineNotice).toMatch(/stopped unexpectedly and was restarted/);
    expect(hooks.restarts()).toBe(1);
    // The user edits on: the new worker renders.
    s().setIntensity(0.4);
    await until(() => s().rendered?.intensity === 0.4, 'an edit after the restart');
  });

  it('a busy worker that answers late, within the timeout, is kept; the heartbeat stops with the supervisor', async () => {
    const { supervisor, workers, s } = harness({ intervalMs: 20, timeoutMs: 400 });
    await s().start();
    workers[0].pingDelayMs = 80; // several intervals without an answer, but well within the timeout
    await new Promise((r) => setTimeout(r, 700));
    expect(workers).toHaveLength(1);
    expect(workers[0].ended).toBe(false);
    supervisor.terminate();
    workers[0].gone = true;
    await new Promise((r) => setTimeout(r, 700));
    expect(workers).toHaveLength(1); // no restart after the end
  });
});
