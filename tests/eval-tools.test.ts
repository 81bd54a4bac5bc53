/**
 * The evaluation's bookkeeping (src/node/eval-common.ts, src/node/dataset.ts): failures are counted by code, never
 * dropped; the reference-transfer measure's frame and projection (src/node/eval-kit.ts, src/node/eval-transfer.ts);
 * the command line's refusal of an unknown preset (src/node/eval-cli.ts). No models.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EditorError, ErrorCode, type Point3 } from '../src/engine/index';
import { applySimilarity, regionWeights, TEMPLATE, toCanonical } from '../src/engine/tools';
import { decodePoints, encodePoints, loadLandmarkedRows } from '../src/node/dataset';
import { Failures } from '../src/node/eval-common';
import { inSourceFrame } from '../src/node/eval-kit';
import { alongXY, PooledAlong } from '../src/node/eval-transfer';
import { ROOT } from '../src/node/platform';

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

describe('reference transfer measure (eval-kit.ts, eval-transfer.ts)', () => {
  it("takes found landmarks into the source face's canonical frame, and projects over the image plane only", () => {
    // a face in an image: the template turned, scaled and moved
    const a = 0.3;
    const rot = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
    const T = TEMPLATE as Point3[];
    const image = T.map((p) => applySimilarity({ scale: 180, rotation: rot, translation: [400, 300, 0] }, p));
    const src = toCanonical(image);
    const back = inSourceFrame(image, src.transform);
    const err = Math.max(...back.map((p, i) => Math.hypot(p[0] - src.points[i][0], p[1] - src.points[i][1], p[2] - src.points[i][2])));
    expect(err).toBeLessThan(1e-9);
    // the mouth corners moved 9 px up in the image: in the source's frame, 9 / 180 IOD up (the frame undoes the turn)
    const moved = image.map((p, i) => (i === 61 || i === 291 ? ([p[0], p[1] - 9, p[2]] as Point3) : p));
    const d = inSourceFrame(moved, src.transform).map((p, i) => p.map((v, k) => v - src.points[i][k]) as Point3);
    expect(Math.hypot(d[61][0], d[61][1])).toBeCloseTo(9 / 180, 6);
    expect(Math.hypot(d[1][0], d[1][1])).toBeLessThan(1e-9);
    // depth is left out: a displacement that matches the reference in x and y arrives in full whatever its depth
    const r = T.map((_, i) => [Math.sin(i), Math.cos(i), 0.3] as Point3);
    const withDepth = r.map((p, i) => [p[0], p[1], Math.cos(3 * i)] as Point3);
    expect(alongXY(withDepth, r)).toBeCloseTo(1, 9);
    expect(
      alongXY(
        r.map((p) => [0.5 * p[0], 0.5 * p[1], 5] as Point3),
        r,
      ),
    ).toBeCloseTo(0.5, 9);
  });

  it('pools the projection over edits, each weighing as much as its reference moves, and splits it by region', () => {
    const T = TEMPLATE;
    const strong = T.map((_, i) => [Math.sin(i), Math.cos(i), 0] as Point3);
    const faint = T.map((_, i) => [0.01 * Math.cos(2 * i), 0.01 * Math.sin(i), 0] as Point3);
    const pool = new PooledAlong();
    // 90 % of a strong reference arrives; a faint one comes out reversed (mesh noise)
    pool.add(
      strong.map((p) => [0.9 * p[0], 0.9 * p[1], 7] as Point3),
      strong,
    );
    pool.add(
      faint.map((p) => [-p[0], -p[1], 0] as Point3),
      faint,
    );
    const rr = (r: Point3[]) => r.reduce((s, p) => s + p[0] ** 2 + p[1] ** 2, 0);
    const want = (0.9 * rr(strong) - rr(faint)) / (rr(strong) + rr(faint));
    expect(pool.ratio('all')).toBeCloseTo(want, 9);
    expect(pool.ratio('all')).toBeGreaterThan(0.89); // a median of the two ratios (0.9 and -1) would say -0.05
    // a displacement only in the mouth: the mouth receives it all, the brows nothing of theirs
    const w = regionWeights();
    const mouthOnly = new PooledAlong();
    mouthOnly.add(
      strong.map((p, i) => [w[i].mouth * p[0], w[i].mouth * p[1], 0] as Point3),
      strong,
    );
    expect(mouthOnly.ratio('mouth')).toBeGreaterThan(0.9); // < 1 only where a point is partly mouth, partly jaw or rest
    for (const part of PooledAlong.PARTS) expect(pool.ratio(part)).toBeGreaterThan(0.85);
    expect(Math.abs(mouthOnly.ratio('brows'))).toBeLessThan(0.02);
    expect(mouthOnly.share('mouth') + mouthOnly.share('brows') + mouthOnly.share('eyes') + mouthOnly.share('jaw')).toBeLessThanOrEqual(1);
    expect(new PooledAlong().ratio('all')).toBeNaN();
  });
});

describe('eval command line (eval-cli.ts)', () => {
  it('refuses a preset it does not know, naming the ones it has, before reading anything', () => {
    const r = spawnSync('npx', ['tsx', 'src/node/eval-cli.ts', '--data', 'nowhere', '--presets', 'sadness,glee'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no preset named glee (happy, surprise, anger, sadness, disgust, fear)');
  });
});
