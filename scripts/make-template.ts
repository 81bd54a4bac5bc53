/**
 * Builds src/engine/analyse/template.json, the canonical frame's reference face, from the sample portrait:
 * origin at the stable points' centroid, x from the right to the left eye centre, y from forehead
 * to chin (orthogonalised), z = x cross y, scaled to an inter-ocular distance of 1.
 * The landmarks are the editor's for the photo's first face (two-pass FaceMesh on the full-size photo, as
 * every analysis runs). Usage: npx tsx scripts/make-template.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createEditor, type Point3 } from '../src/engine/index';
import { cross3, dot3, eyeCentres, STABLE_POINTS, sub3, unit3 } from '../src/engine/tools';
import { fileByteSource, ROOT } from '../src/node/platform';

const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
const photo = await editor.open(await readFile(`${ROOT}/public/samples/astronaut.png`));
const face = await photo.face(0);
const points = face.landmarks.points;
const origin = [0, 1, 2].map((k) => STABLE_POINTS.reduce((s, i) => s + points[i][k], 0) / STABLE_POINTS.length);
const [re, le] = eyeCentres(points);
const x = unit3(sub3(le, re));
const down = sub3(points[152], points[10]);
const y = unit3(
  sub3(
    down,
    x.map((v) => v * dot3(down, x)),
  ),
);
const z = cross3(x, y);
const iod = Math.hypot(...sub3(le, re));
const out: Point3[] = points.map((p) => {
  const d = sub3(p, origin);
  return [dot3(d, x) / iod, dot3(d, y) / iod, dot3(d, z) / iod].map((v) => Math.round(v * 1e5) / 1e5) as Point3;
});
await writeFile(
  `${ROOT}/src/engine/analyse/template.json`,
  `${JSON.stringify({ source: 'public/samples/astronaut.png via scripts/make-template.ts', points: out })}\n`,
);
console.log('template written; face score', face.box.score.toFixed(3), 'iod px', iod.toFixed(1));
photo.dispose();
editor.dispose();
