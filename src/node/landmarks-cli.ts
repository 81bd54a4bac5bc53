/**
 * Landmark extraction for training: runs the app's own engine over every image of a folder laid out
 * like ../shared/data/faces (faces.csv + images/) and appends one JSON line per image to <out>:
 *   { person, image, status: "ok" | "no_face" | "error", score, pose, residual, iod,
 *     canonical: base64 float32[468*3], points: base64 float32[468*3] (image pixels of the file) }
 * Resumes where it stopped: images already in <out> are skipped.
 * Usage: npm run landmarks -- <folder> <out.jsonl> [--backend wasm|cpu] [--limit N]
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor } from '../engine/analyse/analyser';
import { isEditorError, ErrorCode } from '../engine/errors';
import { decodeImage } from '../engine/analyse/decode';
import { nearestFace } from '../engine/analyse/detect';
import { padImage } from '../engine/analyse/pad';
import type { BackendName } from '../engine/runtime/backend';
import type { Point3 } from '../engine/types';
import { fileByteSource, useLocalWasm } from './platform';
import { readFacesCsv } from './dataset';

export function encodePoints(points: readonly Point3[]): string {
  const f = new Float32Array(points.length * 3);
  points.forEach((p, i) => f.set(p, i * 3));
  return Buffer.from(f.buffer).toString('base64');
}

export function decodePoints(b64: string): Point3[] {
  const b = Buffer.from(b64, 'base64');
  const f = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const out: Point3[] = [];
  for (let i = 0; i < f.length; i += 3) out.push([f[i], f[i + 1], f[i + 2]]);
  return out;
}

/** Padding tried in turn, as a fraction of the image side: tight crops first get a wide border. */
const PADS = [0.5, 0.2];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(name); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
  const backend = (flag('--backend') ?? 'wasm') as BackendName;
  const limit = Number(flag('--limit') ?? Infinity);
  const [dir, out] = args;
  if (!dir || !out) { console.error('usage: npm run landmarks -- <folder with faces.csv and images/> <out.jsonl> [--backend wasm|cpu] [--limit N]'); process.exit(2); }
  const rows = readFacesCsv(dir).slice(0, limit);
  const done = new Set<string>();
  if (existsSync(out)) {
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      try { done.add((JSON.parse(line) as { image: string }).image); } catch { /* a line cut by an interruption is redone */ }
    }
  }
  const todo = rows.filter((r) => !done.has(r.image));
  console.error(`landmarks: ${rows.length} images, ${done.size} already in ${out}, ${todo.length} to do`);
  if (backend === 'wasm') useLocalWasm();
  const editor = await createEditor({ backends: [backend, 'cpu'], modelSource: fileByteSource() });
  console.error(`backend: ${editor.backend.name}`);
  const t0 = performance.now();
  let buffer: string[] = [];
  let noFace = 0;
  const flush = () => { if (buffer.length) { appendFileSync(out, buffer.join('')); buffer = []; } };
  for (let n = 0; n < todo.length; n++) {
    const row = todo[n];
    const rec: Record<string, unknown> = { person: row.person, image: row.image, status: 'no_face' };
    try {
      const img = await decodeImage(readFileSync(join(dir, 'images', row.image)));
      for (const frac of PADS) {
        const pad = Math.round(Math.max(img.width, img.height) * frac);
        const photo = await editor.open(padImage(img, pad));
        try {
          if (photo.faces.length === 0) continue;
          const nearest = nearestFace(photo.faces, [img.width / 2 + pad, img.height / 2 + pad]);
          const fa = await photo.face(nearest);
          delete rec.reason; // an earlier padding may have been refused; this one worked
          Object.assign(rec, {
            status: 'ok', score: +fa.landmarks.score.toFixed(4), faces: photo.faces.length,
            pose: Object.fromEntries(Object.entries(fa.landmarks.pose).map(([k, v]) => [k, +v.toFixed(2)])),
            residual: +fa.canonical.residual.toFixed(5),
            canonical: encodePoints(fa.canonical.points),
            points: encodePoints(fa.landmarks.points.map((p) => [p[0] - pad, p[1] - pad, p[2]])),
          });
          break;
        } catch (e) {
          if (!isEditorError(e)) throw e;
          rec.status = e.code === ErrorCode.NO_FACE ? 'no_face' : 'rejected';
          rec.reason = e.code;
        } finally {
          photo.dispose();
        }
      }
    } catch (e) {
      rec.status = 'error';
      rec.reason = isEditorError(e) ? e.code : (e as Error).message;
    }
    if (rec.status !== 'ok') noFace++;
    buffer.push(JSON.stringify(rec) + '\n');
    if (buffer.length >= 50 || n === todo.length - 1) flush();
    if ((n + 1) % 200 === 0 || n === todo.length - 1) {
      const s = (performance.now() - t0) / 1000;
      console.error(`  ${n + 1}/${todo.length}  ${((n + 1) / s).toFixed(1)} images/s  not ok so far: ${noFace}  eta ${((todo.length - n - 1) / ((n + 1) / s) / 60).toFixed(1)} min`);
    }
  }
  flush();
  const s = (performance.now() - t0) / 1000;
  console.log(`landmarks: ${todo.length} images in ${s.toFixed(0)} s = ${(todo.length / Math.max(s, 1e-9)).toFixed(1)} images/s; not ok: ${noFace}; output ${out}`);
  editor.dispose();
}

if (process.argv[1] && /landmarks-cli/.test(process.argv[1])) await main();
