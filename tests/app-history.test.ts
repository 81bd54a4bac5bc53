/** Undo / redo (src/app/history.ts, and the store on a fake engine worker): steps, drags, redo, a new photo. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { historyKey, typingTarget } from '../src/app/components/HistoryButtons';
import { editedIn } from '../src/app/components/ResultPanel';
import { createHistory, SETTLE_MS } from '../src/app/history';
import { createEditorStore } from '../src/app/store';
import { fakeApi, until } from './app-fakes';

const numbers = () => createHistory<number>({ same: (a, b) => a === b });

describe('history', () => {
  afterEach(() => vi.useRealTimers());

  it('undoes and redoes in order; a new step clears the redo stack', () => {
    const h = numbers();
    h.reset(0);
    h.commit(1);
    h.commit(2);
    h.commit(2); // the same value: no step
    expect([h.canUndo, h.canRedo]).toEqual([2, 0]);
    expect(h.undo(2)).toBe(1);
    expect(h.undo(1)).toBe(0);
    expect(h.undo(0)).toBeNull();
    expect(h.redo(0)).toBe(1);
    expect([h.canUndo, h.canRedo]).toEqual([1, 1]);
    h.commit(5);
    expect(h.canRedo).toBe(0);
    expect(h.redo(5)).toBeNull();
    expect(h.undo(5)).toBe(1);
  });

  it('a drag is one step: values settle after the pause, or at flush', () => {
    vi.useFakeTimers();
    const h = numbers();
    h.reset(0);
    let v = 0;
    for (const x of [0.1, 0.2, 0.3, 0.4]) {
      v = x;
      h.settle(() => v);
      vi.advanceTimersByTime(SETTLE_MS / 4);
    }
    expect(h.canUndo).toBe(0);
    vi.advanceTimersByTime(SETTLE_MS);
    expect(h.canUndo).toBe(1);
    v = 0.9;
    h.settle(() => v);
    h.flush(); // pointer up
    expect(h.canUndo).toBe(2);
    expect(h.undo(0.9)).toBe(0.4);
    expect(h.undo(0.4)).toBe(0);
  });

  it('undo during a drag records the moving value first, then steps back over it', () => {
    vi.useFakeTimers();
    const h = numbers();
    h.reset(0);
    h.settle(() => 0.7);
    expect(h.undo(0.7)).toBe(0);
    expect(h.redo(0)).toBe(0.7);
    vi.advanceTimersByTime(SETTLE_MS * 2); // the cancelled timer records nothing
    expect([h.canUndo, h.canRedo]).toEqual([1, 0]);
  });

  it('reset starts a fresh history and hands back every snapshot it drops', () => {
    const dropped: number[] = [];
    const h = createHistory<number>({ same: (a, b) => a === b, onDrop: (x) => dropped.push(x), limit: 2 });
    h.reset(0);
    h.commit(1);
    h.commit(2);
    h.commit(3); // over the limit: 0 is dropped
    expect(dropped).toEqual([0]);
    h.undo(3);
    h.commit(4); // the redo step 3 is dropped
    expect(dropped).toEqual([0, 3]);
    h.reset(10);
    expect(dropped.slice(2).sort()).toEqual([1, 2, 4]);
    expect([h.canUndo, h.canRedo]).toEqual([0, 0]);
  });

  it('shortcuts: Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y; never in a text field', () => {
    const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
      historyKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(k('z', { ctrlKey: true })).toBe('undo');
    expect(k('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(k('y', { ctrlKey: true })).toBe('redo');
    expect(k('z', { metaKey: true })).toBe('undo');
    expect(k('z')).toBeNull();
    expect(k('x', { ctrlKey: true })).toBeNull();
    expect(typingTarget({ tagName: 'INPUT', type: 'text' } as unknown as EventTarget)).toBe(true);
    expect(typingTarget({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(typingTarget({ tagName: 'INPUT', type: 'range' } as unknown as EventTarget)).toBe(false);
    expect(typingTarget({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false);
    expect(editedIn(2345)).toBe('Edited in 2.3 s');
  });
});

async function ready() {
  const fake = fakeApi();
  const saved: { name: string; filename: string }[] = [];
  const store = createEditorStore({
    api: fake.api,
    modelBaseUrl: 'http://x/models',
    storage: null,
    save: (_blob, name, _format, filename) => saved.push({ name, filename }),
  });
  await store.getState().start();
  return { ...fake, store, saved, s: () => store.getState() };
}

describe('store history', () => {
  it('steps back through reference, intensity, units and regions, and forward again', async () => {
    const { s } = await ready();
    await s().openFile(new Blob(['png']), 'me.png');
    expect(s().history).toEqual({ undo: 0, redo: 0 });
    s().setReference({ kind: 'preset', preset: 'happy' });
    for (const a of [0.9, 0.8, 0.7, 0.6]) s().setIntensity(a); // a drag
    s().commitStep(); // pointer up
    s().setUnit('brow_lower', 0.5);
    s().commitStep();
    s().toggleRegion('jaw');
    expect(s().history).toEqual({ undo: 4, redo: 0 });

    s().undo();
    expect(s().regions).toContain('jaw');
    s().undo();
    expect(s().unitEdits).toEqual({});
    s().undo();
    expect(s().intensity).toBe(1);
    s().undo();
    expect([s().reference, s().intensity]).toEqual([null, 0]);
    expect(s().rendered).toBeNull();
    expect(s().history).toEqual({ undo: 0, redo: 4 });

    s().redo();
    s().redo();
    expect([s().reference, s().intensity]).toEqual([{ kind: 'preset', preset: 'happy' }, 0.6]);
    await until(() => !s().rendering && s().rendered?.intensity === 0.6);
    // a new action after an undo clears the redo stack
    s().undo();
    s().setReference({ kind: 'neutral' });
    expect(s().history).toEqual({ undo: 2, redo: 0 });
  });

  it('a new photo starts a fresh history; the download says what changed', async () => {
    const { s, saved } = await ready();
    await s().openFile(new Blob(['png']), 'photos/063.jpg');
    s().setReference({ kind: 'preset', preset: 'happy' });
    await until(() => !s().rendering && s().rendered?.intensity === 1);
    expect(s().lastWaitMs).not.toBeNull();
    await s().download('png');
    s().setUnit('lip_press', 0.5);
    s().setIntensity(0.8);
    await until(() => !s().rendering && s().rendered?.intensity === 0.8 && s().lastFrameKind === 'full');
    await s().download('jpeg');
    expect(saved.map((x) => x.filename)).toEqual(['063-happy-100.png', '063-happy-080-adjusted.jpg']);
    expect(s().history.undo).toBeGreaterThan(0);
    await s().openFile(new Blob(['png']), '064.png');
    expect(s().history).toEqual({ undo: 0, redo: 0 });
    s().undo();
    expect(s().reference).toBeNull();
  });
});
