/** The evaluation's bookkeeping (src/node/eval-common.ts, src/node/dataset.ts): failures are counted by code, never dropped. No models. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EditorError, ErrorCode, type Point3 } from '../src/engine/index';
import { decodePoints, encodePoints, loadLandmarkedRows } from '../src/node/dataset';
import { Failures } from '../src/node/eval-common';

describe('Failures', () => {
  it('counts engine failures by code and reports them as "n failed: CODE x count"', async () => {
    const f = new Failures('edits');
    expect(await f.attempt(async () => 7)).toBe(7);
    expect(await f.attempt(() => Promise.reject(new EditorError(ErrorCode.NO_FACE)))).toBeUndefined();
    expect(await f.attempt(() => Promise.reject(new EditorError(ErrorCode.INTERNAL, 'boom')))).toBeUndefined();
    expect(await f.attempt(() => Promise.reject(new EditorError(ErrorCode.NO_FACE)))).toBeUndefined();
    expect(f.failed).toBe(3);
    expect(String(f)).toBe('edits: 3 failed: NO_FACE x 2, INTERNAL x 1 (of 4)');
    expect(String(new Failures('sources'))).toBe('sources: 0 failed (of 0)');
  });

  it('throws on what is not an engine failure (a bug of the tool is never counted away)', async () => {
    const f = new Failures('edits');
    await expect(f.attempt(() => Promise.reject(new TypeError('x is undefined')))).rejects.toThrow(TypeError);
  });
});

describe('landmark file', () => {
  it('round-trips points and says why rows have no landmarks', () => {
    const pts: Point3[] = [
      [1.5, -2, 0.25],
      [3, 4, 5],
    ];
    expect(decodePoints(encodePoints(pts))).toEqual(pts);
    const dir = mkdtempSync(join(tmpdir(), 'leed-eval-'));
    const file = join(dir, 'lm.jsonl');
    const ok = { person: 'a', image: 'a1.jpg', status: 'ok', canonical: encodePoints(pts), points: encodePoints(pts) };
    writeFileSync(
      file,
      [
        JSON.stringify(ok),
        JSON.stringify({ person: 'b', image: 'b1.jpg', status: 'rejected', reason: 'FACE_TURNED_AWAY' }),
        '{"person":"c","ima', // cut by an interruption
        JSON.stringify({ person: 'c', image: 'c1.jpg', status: 'no_face' }),
        '',
      ].join('\n'),
    );
    const rows = ['a1', 'b1', 'c1', 'd1'].map((s) => ({ person: s[0], image: `${s}.jpg`, expression: 'neutral' }));
    const r = loadLandmarkedRows(rows, file);
    expect(r.faces.map((f) => f.image)).toEqual(['a1.jpg']);
    expect(r.faces[0].canonical).toEqual(pts);
    expect(Object.fromEntries(r.missing)).toEqual({ 'rejected FACE_TURNED_AWAY': 1, no_face: 1, 'not in the landmark file': 1 });
    expect(r.unreadable).toBe(1);
  });
});
