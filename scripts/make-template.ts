/**
 * Builds src/engine/analyse/template.json, the canonical frame's reference face, from the sample portrait:
 * origin at the stable points' centroid, x from the right to the left eye centre, y from forehead
 * to chin (orthogonalised), z = x cross y, scaled to an inter-ocular distance of 1.
 * The landmarks are the editor's for the photo's first face (two-pass FaceMesh on the full-size photo, as
 * every analysis runs). Usage: npx tsx scripts/make-template.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createEditor, eyeCentres, STABLE_POINTS, type Point3 } from '../src/engine/index';
import { fileByteSource, ROOT } from '../src/node/platform';

const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
const photo = await editor.open(await readFile(`${ROOT}/public/samples/astronaut.png`));
const face = await photo.face(0);
const points = face.landmarks.points;
const sub = (a: number[], b: number[]) => a.map((v, i) => v - b[i]);
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a: number[]) => a.map((v) => v / Math.hypot(...a));
const cross = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const origin = [0, 1, 2].map((k) => STABLE_POINTS.reduce((s, i) => s + points[i][k], 0) / STABLE_POINTS.length);
const [re, le] = eyeCentres(points);
const x = norm(sub(le, re));
const down = sub(points[152], points[10]);
const y = norm(
  sub(
    down,
    x.map((v) => v * dot(down, x)),
  ),
);
const z = cross(x, y);
const iod = Math.hypot(...sub(le, re));
const out: Point3[] = points.map((p) => {
  const d = sub(p, origin);
  return [dot(d, x) / iod, dot(d, y) / iod, dot(d, z) / iod].map((v) => Math.round(v * 1e5) / 1e5) as Point3;
});
await writeFile(
  `${ROOT}/src/engine/analyse/template.json`,
  `${JSON.stringify({ source: 'public/samples/astronaut.png via scripts/make-template.ts', points: out })}\n`,
);
console.log('template written; face score', face.box.score.toFixed(3), 'iod px', iod.toFixed(1));
photo.dispose();
editor.dispose();
