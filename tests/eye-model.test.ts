/**
 * The evaluation's second opinion on the eyes (src/node/eye-model.ts: MediaPipe's iris landmark model from the
 * @vladmandic/human npm package) on a London fixture (../shared/fixtures/london, CC BY 4.0): person 127, whose lids
 * open visibly wider in her neutral photo than in her smiling one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Editor, Point3, RGBAImage } from '../src/engine/index';
import { eyeMeasures } from '../src/node/eval-eyes';
import { IRIS_TO_MESH, loadEyeModel, type EyeModel } from '../src/node/eye-model';
import { ROOT } from '../src/node/platform';
import { cpuEditor } from './helpers';

const LONDON = join(ROOT, '..', 'shared', 'fixtures', 'london');

let editor: Editor;
let eye: EyeModel;
const photos: Record<string, { image: RGBAImage; mesh: Point3[]; refined: Point3[] }> = {};

beforeAll(async () => {
  editor = await cpuEditor();
  eye = await loadEyeModel();
  for (const kind of ['neutral', 'smiling']) {
    const photo = await editor.open(new Uint8Array(readFileSync(join(LONDON, kind, '127.jpg'))));
    const mesh = (await photo.face(0)).landmarks.points;
    photos[kind] = { image: photo.image, mesh, refined: eye.refineEyes(photo.image, mesh) };
  }
}, 120_000);
afterAll(() => {
  eye?.dispose();
  editor?.dispose();
});

describe('eye model (iris landmark model)', () => {
  it('puts each refined point near the mesh point it stands for, on the same side of the face', () => {
    for (const kind of ['neutral', 'smiling']) {
      const { mesh, refined } = photos[kind];
      const iod = Math.hypot(mesh[263][0] - mesh[33][0], mesh[263][1] - mesh[33][1]);
      const d = IRIS_TO_MESH.map(([i]) => Math.hypot(refined[i][0] - mesh[i][0], refined[i][1] - mesh[i][1]) / iod);
      // a crop placed or mirrored wrongly puts the points a whole eye width (about 0.3 IOD) away or more
      expect(d.reduce((a, b) => a + b, 0) / d.length).toBeLessThan(0.03);
      expect(Math.max(...d)).toBeLessThan(0.1);
      // the other points are the mesh's, untouched
      const refinedSet = new Set(IRIS_TO_MESH.map(([i]) => i));
      for (let i = 0; i < 468; i++) if (!refinedSet.has(i)) expect(refined[i]).toEqual(mesh[i]);
    }
  });

  it('sees her lids open wider in the neutral photo than in the smile, by more than the mesh does', () => {
    const open = (kind: string, which: 'mesh' | 'refined') => eyeMeasures(photos[kind][which], photos[kind].mesh).eyeOpen;
    const byModel = open('neutral', 'refined') - open('smiling', 'refined');
    const byMesh = open('neutral', 'mesh') - open('smiling', 'mesh');
    // measured: eye model 2.6 % IOD (read off enlarged crops of the two photos: about 2.3), mesh 0.7
    expect(byModel).toBeGreaterThan(1.8);
    expect(byModel).toBeLessThan(3.5);
    expect(byMesh).toBeLessThan(byModel - 1);
  });
});
