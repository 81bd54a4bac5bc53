/** The slider's newest-value frame scheduler (src/app/frame-scheduler.ts) against fake async renders. */
import { describe, expect, it } from 'vitest';
import { createFrameScheduler } from '../src/app/frame-scheduler';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setTimeout(r, 0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scheduler whose renders the test resolves by hand; records everything it does. */
function harness() {
  const calls: { value: number; d: Deferred<string> }[] = [];
  const delivered: number[] = [];
  const discarded: number[] = [];
  const errors: number[] = [];
  const busy: boolean[] = [];
  const s = createFrameScheduler<number, string>({
    render: (value) => {
      const d = deferred<string>();
      calls.push({ value, d });
      return d.promise;
    },
    deliver: (frame, value) => {
      expect(frame).toBe(`frame ${value}`);
      delivered.push(value);
    },
    discard: (_f, value) => discarded.push(value),
    onError: (_e, value) => errors.push(value),
    onBusy: (b) => busy.push(b),
  });
  const finish = async (i: number) => {
    calls[i].d.resolve(`frame ${calls[i].value}`);
    await tick();
  };
  return { s, calls, delivered, discarded, errors, busy, finish };
}

describe('frame scheduler', () => {
  it('renders the first value at once, then only the newest of those requested meanwhile', async () => {
    const h = harness();
    h.s.request(1);
    expect(h.calls.map((c) => c.value)).toEqual([1]);
    for (const v of [2, 3, 4, 5]) h.s.request(v);
    expect(h.calls).toHaveLength(1); // one render in flight at a time
    await h.finish(0);
    expect(h.delivered).toEqual([1]);
    expect(h.calls.map((c) => c.value)).toEqual([1, 5]); // 2, 3, 4 dropped
    await h.finish(1);
    expect(h.delivered).toEqual([1, 5]);
    expect(h.calls).toHaveLength(2);
    expect(h.s.busy).toBe(false);
    expect(h.busy).toEqual([true, false]);
  });

  it('cancel drops the pending value and discards the frame in flight, even when it arrives after a newer one is requested', async () => {
    const h = harness();
    h.s.request(1);
    h.s.request(2);
    h.s.cancel();
    h.s.request(10);
    await h.finish(0); // the stale frame arrives late
    expect(h.discarded).toEqual([1]);
    expect(h.delivered).toEqual([]);
    expect(h.calls.map((c) => c.value)).toEqual([1, 10]); // 2 was dropped by cancel
    await h.finish(1);
    expect(h.delivered).toEqual([10]);
  });

  it('reports a failed render, unless it was cancelled, and goes on with the newest value', async () => {
    const h = harness();
    h.s.request(1);
    h.s.request(2);
    h.calls[0].d.reject(new Error('boom'));
    await tick();
    expect(h.errors).toEqual([1]);
    expect(h.calls.map((c) => c.value)).toEqual([1, 2]);
    h.s.cancel();
    h.calls[1].d.reject(new Error('stale'));
    await tick();
    expect(h.errors).toEqual([1]);
    expect(h.s.busy).toBe(false);
    h.s.request(3);
    await h.finish(2);
    expect(h.delivered).toEqual([3]);
  });

  it('with random render delays and bursts of requests: frames only in request order, the last value always delivered', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delivered: number[] = [];
    const rendered: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const s = createFrameScheduler<number, number>({
      async render(v) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(Math.floor(random() * 8));
        inFlight--;
        rendered.push(v);
        return v;
      },
      deliver: (f, v) => {
        expect(f).toBe(v);
        delivered.push(v);
      },
      onError: (e) => {
        throw e;
      },
    });
    let v = 0;
    for (let burst = 0; burst < 10; burst++) {
      const n = 1 + Math.floor(random() * 15);
      for (let k = 0; k < n; k++) {
        s.request(++v);
        if (random() < 0.5) await sleep(Math.floor(random() * 4));
      }
    }
    while (s.busy) await sleep(5);
    expect(maxInFlight).toBe(1);
    expect(delivered[delivered.length - 1]).toBe(v);
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]).toBeGreaterThan(delivered[i - 1]);
    expect(delivered).toEqual(rendered);
    expect(rendered.length).toBeLessThan(v); // stale values were dropped
  });
});

describe('frame scheduler with previews (progressive frames)', () => {
  function progressive() {
    const calls: { value: number; kind: 'preview' | 'full'; d: Deferred<string> }[] = [];
    const shown: string[] = [];
    const discarded: string[] = [];
    const make = (kind: 'preview' | 'full') => (value: number) => {
      const d = deferred<string>();
      calls.push({ value, kind, d });
      return d.promise;
    };
    const s = createFrameScheduler<number, string>({
      render: make('full'),
      preview: make('preview'),
      deliver: (frame, value, kind) => {
        expect(frame).toBe(`${kind} ${value}`);
        shown.push(frame);
      },
      discard: (frame) => discarded.push(frame),
      onError: () => {},
    });
    const finish = async (i: number) => {
      calls[i].d.resolve(`${calls[i].kind} ${calls[i].value}`);
      await tick();
    };
    return { s, calls, shown, discarded, finish };
  }

  it('a value at rest gets its preview, then its full frame', async () => {
    const h = progressive();
    h.s.request(1);
    await h.finish(0);
    await h.finish(1);
    expect(h.shown).toEqual(['preview 1', 'full 1']);
    expect(h.s.busy).toBe(false);
  });

  it('while the slider moves only previews of the newest value render; the full frame comes when it rests', async () => {
    const h = progressive();
    h.s.request(1);
    h.s.request(2);
    h.s.request(3);
    await h.finish(0); // preview 1 shown; 3 is waiting, so its preview comes before any full frame
    expect(h.calls.map((c) => `${c.kind} ${c.value}`)).toEqual(['preview 1', 'preview 3']);
    h.s.request(4);
    await h.finish(1);
    expect(h.calls.map((c) => `${c.kind} ${c.value}`)).toEqual(['preview 1', 'preview 3', 'preview 4']);
    await h.finish(2); // 4 is the newest and nothing waits: its full frame
    expect(h.calls.at(-1)).toMatchObject({ kind: 'full', value: 4 });
    await h.finish(3);
    expect(h.shown).toEqual(['preview 1', 'preview 3', 'preview 4', 'full 4']);
  });

  it('a full frame overtaken by a newer request is discarded; what stays on screen is the newest value, full', async () => {
    const h = progressive();
    h.s.request(1);
    await h.finish(0); // preview 1; full 1 starts
    h.s.request(2); // arrives while full 1 renders
    await h.finish(1); // full 1 is stale: discarded, never shown after... preview 2 next
    expect(h.discarded).toEqual(['full 1']);
    await h.finish(2);
    await h.finish(3);
    expect(h.shown).toEqual(['preview 1', 'preview 2', 'full 2']);
    expect(h.shown.at(-1)).toBe('full 2');
  });

  it('20-step drag with random render times: values on screen never go back, and the last value ends full', async () => {
    const shown: { value: number; kind: string }[] = [];
    const slow = (kind: 'preview' | 'full') => async (v: number) => {
      await sleep(kind === 'full' ? 3 + Math.random() * 6 : Math.random() * 3);
      return `${kind} ${v}`;
    };
    const s = createFrameScheduler<number, string>({
      render: slow('full'),
      preview: slow('preview'),
      deliver: (_f, value, kind) => shown.push({ value, kind }),
      onError: () => {},
    });
    for (let v = 1; v <= 20; v++) {
      s.request(v);
      await sleep(Math.random() * 4);
    }
    while (s.busy) await sleep(5);
    for (let i = 1; i < shown.length; i++) expect(shown[i].value).toBeGreaterThanOrEqual(shown[i - 1].value);
    expect(shown.at(-1)).toEqual({ value: 20, kind: 'full' });
  });
});
