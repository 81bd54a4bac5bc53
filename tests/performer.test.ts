/**
 * The performer's learned neutral (src/app/performer.ts) on the real engine (tfjs CPU): London fixture 022
 * (../shared/fixtures/london, Face Research Lab London Set, CC BY 4.0) as the performer, the sample portrait as the
 * photo. Until enough calm frames came each frame is retargeted from its own disentangled neutral; once learned,
 * the performer at rest leaves the photo at its own neutral face (no displacement at all), and the same person's
 * smile widens the photo's mouth beyond it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Editor, Face, Photo } from '../src/engine/index';
import { createPerformer } from '../src/app/performer';
import { ROOT } from '../src/node/platform';
import { cpuEditor, sampleBytes } from './helpers';

const LONDON = join(ROOT, '..', 'shared', 'fixtures', 'london');
const width = (p: number[][]) => Math.hypot(p[61][0] - p[291][0], p[61][1] - p[291][1]);

describe('the performer (camera reference)', () => {
  let editor: Editor;
  const photos: Photo[] = [];
  let photo: Face;
  let rest: Face;
  let smile: Face;
  beforeAll(async () => {
    editor = await cpuEditor({ warmUp: false });
    const open = async (bytes: Uint8Array) => {
      const p = await editor.open(bytes);
      photos.push(p);
      return p.face(0);
    };
    photo = await open(sampleBytes());
    rest = await open(new Uint8Array(readFileSync(join(LONDON, 'neutral', '022.jpg'))));
    smile = await open(new Uint8Array(readFileSync(join(LONDON, 'smiling', '022.jpg'))));
  }, 300_000);
  afterAll(() => {
    for (const p of photos) p.dispose();
    editor?.dispose();
  });

  it('learns the neutral from calm frames; then rest leaves the photo at its neutral, a smile widens its mouth', async () => {
    const performer = createPerformer(3);
    const neutralPhoto = await photo.edit('neutral');
    const restWidth = width(neutralPhoto.target(1));
    // the first frame has nothing to compare with; each repeated (still) frame after it is calm
    const first = performer.reference(rest);
    expect(first).toBe(rest);
    for (let i = 0; i < 3; i++) performer.reference(rest);
    expect(performer.calibrating).toBe(false);

    const atRest = await photo.edit(performer.reference(rest));
    const displaced = atRest.target(1).map((p, i) => Math.hypot(p[0] - neutralPhoto.target(1)[i][0], p[1] - neutralPhoto.target(1)[i][1]));
    expect(Math.max(...displaced)).toBeLessThan(1e-3);

    const smiling = await photo.edit(performer.reference(smile));
    const ratio = width(smiling.target(1)) / restWidth;
    expect(ratio).toBeGreaterThan(1.15);
    // a moving face is not calm: the learned neutral stays until reset
    expect(performer.calibrating).toBe(false);
    performer.reset();
    expect(performer.calibrating).toBe(true);
    for (const e of [neutralPhoto, atRest, smiling]) e.dispose();
  }, 300_000);
});
