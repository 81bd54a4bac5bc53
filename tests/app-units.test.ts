/** The store's action units (Adjust panel) and saved expressions (src/app/store.ts) on a fake engine worker. */
import { describe, expect, it } from 'vitest';
import { pagedUnit } from '../src/app/components/UnitSlider';
import { EXPRESSION_NOT_STORED } from '../src/app/messages';
import type { ExpressionStorage } from '../src/app/saved-expressions';
import { createEditorStore } from '../src/app/store';
import { fakeApi, until, workerError } from './app-fakes';

function memoryStorage(refuse = false): ExpressionStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => {
      if (refuse) throw new Error('QuotaExceededError');
      data.set(k, v);
    },
  };
}

async function ready(storage: ExpressionStorage | null = memoryStorage(), renderDelayMs = 0) {
  const fake = fakeApi({ renderDelayMs });
  const files: { name: string; text: string }[] = [];
  const pending: Promise<void>[] = [];
  const store = createEditorStore({
    api: fake.api,
    modelBaseUrl: 'http://x/models',
    storage,
    saveFile: (blob, name) => void pending.push(blob.text().then((text) => void files.push({ name, text }))),
  });
  await store.getState().start();
  await store.getState().openFile(new Blob(['png']), 'me.png');
  const s = () => store.getState();
  const idle = () => until(() => !s().rendering && s().lastFrameKind === 'full' && s().units !== null, 'the frame');
  return { ...fake, store, s, files, pending, idle };
}

const edits = (calls: string[]) => calls.filter((c) => c.startsWith('edit '));

describe('action units', () => {
  it('a part slider sets one unit on top of the reference: a new edit of the same face, the others keep their values', async () => {
    const { s, calls, idle } = await ready();
    s().setUnit('brow_lower', 0.8); // no reference yet: nothing to adjust
    expect(s().unitEdits).toEqual({});
    s().setReference({ kind: 'preset', preset: 'happy' });
    await idle();
    expect(s().units?.brow_lower).toBe(0.25); // the reference's decomposition
    s().setUnit('brow_lower', 0.8);
    await until(() => s().units?.brow_lower === 0.8, 'the new edit');
    await idle();
    expect(s().units?.jaw_drop).toBe(0.25);
    const e = edits(calls);
    expect(e).toHaveLength(2);
    expect(e[1]).toMatch(/"preset":"happy".* units \{"brow_lower":0.8\}/);
    expect(calls.filter((c) => c.startsWith('face '))).toHaveLength(1); // no per-face work again
    // clamped to the unit's range; the smile goes below 0 (a frown of the corners)
    s().setUnit('jaw_drop', 9);
    s().setUnit('lip_corner_pull', -3);
    expect(s().unitEdits).toEqual({ brow_lower: 0.8, jaw_drop: 1.5, lip_corner_pull: -1 });
  });

  it("a group's reset puts back only that group's units; another reference starts from its own values", async () => {
    const { s, calls, idle } = await ready();
    s().setReference({ kind: 'preset', preset: 'happy' });
    s().setUnit('brow_lower', 0.8);
    s().setUnit('inner_brow_raise', 0.4);
    s().setUnit('jaw_drop', 1);
    await idle();
    s().resetUnits('brows');
    expect(s().unitEdits).toEqual({ jaw_drop: 1 });
    await until(() => s().units?.brow_lower === 0.25, 'the reset frame');
    const before = edits(calls).length;
    s().resetUnits('cheeks'); // nothing set there: no new frame
    expect(edits(calls)).toHaveLength(before);
    s().setReference({ kind: 'preset', preset: 'happy' }); // the same one again: kept
    expect(s().unitEdits).toEqual({ jaw_drop: 1 });
    s().setReference({ kind: 'preset', preset: 'surprise' });
    expect(s().unitEdits).toEqual({});
    await idle();
    expect(edits(calls).at(-1)).toMatch(/"preset":"surprise"\} brows,eyes,mouth,jaw -> /);
  });

  it('a new photo starts without unit values', async () => {
    const { s, idle } = await ready();
    s().setReference({ kind: 'preset', preset: 'happy' });
    s().setUnit('lid_tighten', 1);
    await idle();
    await s().openFile(new Blob(['png']), 'other.png');
    expect(s().unitEdits).toEqual({});
    expect(s().units).toBeNull();
  });

  it('Page Up / Page Down step a unit by 0.25 on the 0.05 grid, within its range', () => {
    expect(pagedUnit(0.3, 1, 0, 1.5)).toBe(0.55);
    expect(pagedUnit(1.4, 1, 0, 1.5)).toBe(1.5);
    expect(pagedUnit(-0.9, -1, -1, 1.5)).toBe(-1);
    expect(pagedUnit(0.12, -1, 0, 1.5)).toBe(0);
  });
});

describe('saved expressions', () => {
  it("saves the current edit's expression in the storage, lists it in a new session, exports and deletes it", async () => {
    const storage = memoryStorage();
    const { s, calls, idle, files, pending } = await ready(storage);
    s().setReference({ kind: 'preset', preset: 'happy' });
    s().setUnit('brow_lower', 0.8);
    await idle();
    await s().saveExpression('  my frown ');
    expect(calls.filter((c) => c.startsWith('expression '))).toHaveLength(1);
    expect(s().saved.map((e) => e.name)).toEqual(['my frown']);
    expect(JSON.parse(s().saved[0].json).units.brow_lower).toBe(0.8);
    // the same name replaces it
    s().setUnit('brow_lower', 1);
    await until(() => s().units?.brow_lower === 1, 'the new edit');
    await s().saveExpression('my frown');
    expect(s().saved).toHaveLength(1);
    expect(JSON.parse(s().saved[0].json).units.brow_lower).toBe(1);

    const again = createEditorStore({ api: fakeApi().api, modelBaseUrl: 'x', storage });
    expect(again.getState().saved).toEqual(s().saved);

    s().exportExpression('my frown');
    await Promise.all(pending);
    expect(files).toEqual([{ name: 'my-frown.expression.json', text: s().saved[0].json }]);

    s().deleteExpression('my frown');
    expect(s().saved).toEqual([]);
    expect(createEditorStore({ api: fakeApi().api, modelBaseUrl: 'x', storage }).getState().saved).toEqual([]);
  });

  it('a save while the slider moves waits for its frame and saves that edit (no edit of its own)', async () => {
    const { s, calls, idle } = await ready(memoryStorage(), 10);
    s().setReference({ kind: 'preset', preset: 'happy' });
    await idle();
    s().setUnit('pucker', 0.5);
    s().setUnit('pucker', 0.9);
    await s().saveExpression('kiss');
    expect(JSON.parse(s().saved[0].json).units.pucker).toBe(0.9);
    const last = edits(calls).at(-1)!;
    expect(last).toContain('units {"pucker":0.9}');
    expect(calls.at(-1)).toBe(`expression ${last.split(' -> ')[1]} kiss`);
    expect(edits(calls).filter((c) => c.includes('"pucker":0.9'))).toHaveLength(1);
  });

  it('nothing to save before a reference is chosen', async () => {
    const { s, calls } = await ready();
    await s().saveExpression('x');
    expect(s().saved).toEqual([]);
    expect(calls.some((c) => c.startsWith('expression '))).toBe(false);
  });

  it('an imported file is listed and applied to the face as a reference', async () => {
    const { s, calls, idle } = await ready();
    const json = JSON.stringify({ format: 'leed-expression', version: 1, name: 'smirk', units: { lip_corner_pull: 0.7 } });
    await s().importExpression(new Blob([json]));
    expect(s().saved.map((e) => e.name)).toEqual(['smirk']);
    expect(s().reference).toEqual({ kind: 'expression', name: 'smirk', json });
    expect(s().intensity).toBe(1);
    await idle();
    expect(edits(calls).at(-1)).toContain('"kind":"expression"');
    expect(s().units?.lip_corner_pull).toBe(0.7);
  });

  it('a broken or foreign file gets a message with what is wrong, and the photo and edit stay as they were', async () => {
    const { s, calls, idle } = await ready();
    s().setReference({ kind: 'preset', preset: 'happy' });
    s().setUnit('jaw_drop', 1.2);
    await idle();
    const before = { photo: s().photo, reference: s().reference, rendered: s().rendered, unitEdits: s().unitEdits, edits: edits(calls).length };
    await s().importExpression(new Blob(['{"format": "something-else"}']));
    expect(s().error?.code).toBe('BAD_ARGUMENT');
    expect(s().error?.message).toMatch(/not a saved expression of this editor \("format" must be "leed-expression"\)\. Nothing was changed/);
    await s().importExpression(new Blob(['not json at all']));
    expect(s().error?.message).toContain('the file is not JSON');
    expect(s().saved).toEqual([]);
    expect(s().status).toBe('ready');
    expect({ photo: s().photo, reference: s().reference, rendered: s().rendered, unitEdits: s().unitEdits, edits: edits(calls).length }).toEqual(before);
  });

  it('a storage that refuses the list keeps it for the session and says so', async () => {
    const { s, idle } = await ready(memoryStorage(true));
    s().setReference({ kind: 'preset', preset: 'happy' });
    await idle();
    await s().saveExpression('kept');
    expect(s().saved.map((e) => e.name)).toEqual(['kept']);
    expect(s().error?.message).toBe(EXPRESSION_NOT_STORED);
  });

  it('a failure of the engine while saving is reported like any other', async () => {
    const { s, idle, failNext } = await ready();
    s().setReference({ kind: 'preset', preset: 'happy' });
    await idle();
    failNext('expression', workerError('DISPOSED', 'no edit 5'));
    await s().saveExpression('x');
    expect(s().error?.code).toBe('DISPOSED');
    expect(s().saved).toEqual([]);
  });
});
