/** The preset strip's thumbnail scheduling (src/app/preset-thumbs.ts) on a plain zustand store and a recording worker. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { PresetName } from '../src/app/engine';
import { startPresetThumbs, type ThumbState } from '../src/app/preset-thumbs';
import type { RawPixels, ThumbnailReference } from '../src/app/protocol';

// fake timers: the rests and the worker's time are exact, whatever the load of the machine
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const QUIET = 40;

function setup(yieldFirst = 0, thumbMs = 5) {
  const store = createStore<ThumbState>()(() => ({
    status: 'ready',
    progress: { fraction: 1 },
    rendering: false,
    photo: null,
    face: null,
    capabilities: { expression: true, presets: ['happy', 'surprise'] as PresetName[] },
    reference: null,
    intensity: 0,
    regions: [],
    unitEdits: {},
    presetThumbs: {},
  }));
  const calls: string[] = [];
  const starts: number[] = [];
  const t0 = Date.now();
  let inFlight = 0;
  let maxInFlight = 0;
  let yields = yieldFirst;
  const thumbnail = async (faceId: number, ref: ThumbnailReference, size: number): Promise<RawPixels | null> => {
    const name = ref.kind === 'preset' ? ref.preset : 'neutral';
    const s = store.getState();
    calls.push(`${faceId} ${name}${s.rendering ? ' while rendering' : ''} at ${Date.now() - t0}`.replace(/ at \d+$/, ''));
    starts.push(Date.now() - t0);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((r) => setTimeout(r, thumbMs));
    inFlight--;
    if (yields > 0) {
      yields--;
      return null;
    }
    return { width: size, height: size, data: new Uint8ClampedArray(4).fill(faceId) };
  };
  const stop = startPresetThumbs(thumbnail, store, { quietMs: QUIET, size: 8, now: () => Date.now() });
  const face = (photoId: number, index: number, faceId: number) => store.setState({ photo: { id: photoId }, face: { faceId, photoId, index } });
  return { store, calls, starts, stop, face, maxInFlight: () => maxInFlight };
}

describe('preset thumbnails', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('come one at a time for every preset and neutral, once the user rests, never while a frame renders or models warm up', async () => {
    const { store, calls, stop, face, maxInFlight } = setup();
    await tick(QUIET * 2);
    expect(calls).toEqual([]); // no face: nothing
    face(1, 0, 7);
    store.setState({ progress: { fraction: 0.9 } });
    await tick(QUIET * 3);
    expect(calls).toEqual([]); // the refiner's warm-up first
    store.setState({ progress: { fraction: 1 }, rendering: true });
    await tick(QUIET * 3);
    expect(calls).toEqual([]); // the user's frame first
    store.setState({ rendering: false });
    await tick(QUIET / 2);
    expect(calls).toEqual([]); // and a rest after it
    await tick(QUIET * 4);
    expect(calls).toEqual(['7 happy', '7 surprise', '7 neutral']);
    expect(maxInFlight()).toBe(1);
    expect(Object.keys(store.getState().presetThumbs)).toEqual(['happy', 'surprise', 'neutral']);
    expect(store.getState().presetThumbs.happy?.width).toBe(8);
    stop();
  });

  it('a slider move holds them back; one that gave way is asked again after the next rest', async () => {
    const { store, calls, stop, face } = setup(1);
    face(1, 0, 7);
    // the slider moves every QUIET / 2: no thumbnail starts meanwhile
    for (let i = 1; i <= 6; i++) {
      store.setState({ intensity: i / 10 });
      await tick(QUIET / 2);
    }
    expect(calls).toEqual([]);
    await tick(QUIET * 6);
    // the first gave way (null) and came again
    expect(calls).toEqual(['7 happy', '7 happy', '7 surprise', '7 neutral']);
    expect(Object.keys(store.getState().presetThumbs)).toHaveLength(3);
    stop();
  });

  it("a slow device waits for longer rests: twice the last thumbnail's time", async () => {
    const { calls, starts, stop, face } = setup(0, 100);
    face(1, 0, 7);
    await tick(QUIET + 1000);
    expect(calls).toEqual(['7 happy', '7 surprise', '7 neutral']);
    // the first after a rest of QUIET; once one took 100 ms, the next waits for a rest of 200 ms (since the face came)
    expect(starts.slice(0, 2)).toEqual([QUIET, 200]);
    // (the user has rested long enough by then: the next follows at once)
    expect(starts[2] - 300).toBeLessThanOrEqual(2);
    stop();
  });

  it('are kept per face: another face gets its own, and back on the first (a new id) nothing is made again', async () => {
    const { store, calls, stop, face } = setup();
    face(1, 0, 7);
    await tick(QUIET * 4);
    face(1, 1, 8);
    expect(store.getState().presetThumbs).toEqual({});
    await tick(QUIET * 4);
    expect(calls.filter((c) => c.startsWith('8 '))).toEqual(['8 happy', '8 surprise', '8 neutral']);
    expect(store.getState().presetThumbs.happy?.data[0]).toBe(8);
    face(1, 0, 9); // the first face again (an undo selects it anew)
    expect(store.getState().presetThumbs.happy?.data[0]).toBe(7);
    await tick(QUIET * 3);
    expect(calls.filter((c) => c.startsWith('9 '))).toEqual([]);
    store.setState({ face: null });
    expect(store.getState().presetThumbs).toEqual({});
    stop();
  });
});
