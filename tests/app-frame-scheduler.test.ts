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
