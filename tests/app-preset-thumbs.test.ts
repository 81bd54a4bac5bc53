import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { PresetName } from '../src/app/engine';
import { startPresetThumbs, type ThumbName } from '../src/app/preset-thumbs';
import type { RawPixels, ThumbnailReference } from '../src/app/protocol';

interface State {
  face: { faceId: number } | null;
  capabilities: { expression: boolean; presets: PresetName[] };
  rendering: boolean;
  status: string;
  presetThumbs: Partial<Record<ThumbName, RawPixels>>;
}

const pixels = (v: number): RawPixels => ({ width: 1, height: 1, data: new Uint8ClampedArray([v, v, v, 255]) });
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const store = createStore<State>()(() => ({
    face: null,
    capabilities: { expression: true, presets: ['happy', 'surprise'] },
    rendering: false,
    status: 'ready',
    presetThumbs: {},
  }));
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const thumbnail = async (faceId: number, ref: ThumbnailReference) => {
    const name = ref.kind === 'preset' ? ref.preset : 'neutral';
    calls.push(`${faceId} ${name}${store.getState().rendering ? ' while rendering' : ''}`);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await tick(5);
    inFlight--;
    return pixels(faceId);
  };
  const stop = startPresetThumbs(thumbnail, store, 2);
  return { store, calls, stop, maxInFlight: () => maxInFlight };
}

describe('preset thumbnails', () => {
  it('renders every preset and neutral for the face, one at a time, never while a frame renders', async () => {
    const { store, calls, stop, maxInFlight } = setup();
    await tick();
    expect(calls).toEqual([]); // no face: nothing
    store.setState({ rendering: true, face: { faceId: 7 } });
    await tick(40);
    expect(calls).toEqual([]); // the user's frame first
    store.setState({ rendering: false });
    await tick(80);
    expect(calls).toEqual(['7 happy', '7 surprise', '7 neutral']);
    expect(maxInFlight()).toBe(1);
    expect(Object.keys(store.getState().presetThumbs)).toEqual(['happy', 'surprise', 'neutral']);
    stop();
  });

  it('drops the thumbnails of a face that is left and starts over for the new one', async () => {
    const { store, calls, stop } = setup();
    store.setState({ face: { faceId: 1 } });
    await tick(8); // the first is in flight
    store.setState({ face: { faceId: 2 } });
    expect(store.getState().presetThumbs).toEqual({});
    await tick(100);
    expect(calls.filter((c) => c.startsWith('2 '))).toEqual(['2 happy', '2 surprise', '2 neutral']);
    expect(calls.filter((c) => c.startsWith('1 ')).length).toBeLessThanOrEqual(2);
    // every thumbnail shown is the new face's
    expect(Object.values(store.getState().presetThumbs).map((p) => p?.data[0])).toEqual([2, 2, 2]);
    store.setState({ face: null });
    expect(store.getState().presetThumbs).toEqual({});
    stop();
  });
});
