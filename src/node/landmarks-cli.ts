/**
 * Landmark extraction for training: runs the app's own engine over every image of a folder laid out
 * like ../shared/data/faces (faces.csv + images/) and appends one JSON line per image to <out>:
 *   { person, image, status: "ok" | "no_face" | "rejected" | "error", reason (ErrorCode or message, when not ok),
 *     score, faces, pose, residual, canonical: base64 float32[468*3], points: base64 float32[468*3] (image pixels of the file) }
 * (the format: dataset.ts, which reads it back). Resumes where it stopped: images already in <out> are skipped.
 * Prints how many were not ok, by status and reason.
 * Usage: npm run landmarks -- <folder> <out.jsonl> [--backend wasm|cpu] [--limit N]
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, ErrorCode, isEditorError, type BackendName } from '../engine/index';
import { decodeImage, nearestFace, padImage } from '../engine/tools';
import { encodePoints, readFacesCsv } from './dataset';
import { fileByteSource, pointWasmAtNodeModules } from './platform';

/** Padding tried in turn, as a fraction of the image side: tight crops first get a wide border. */
const PADS = [0.5, 0.2];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const backend = (flag('--backend') ?? 'wasm') as BackendName;
  const limit = Number(flag('--limit') ?? Infinity);
  const [dir, out] = args;
  if (!dir || !out) {
    console.error('usage: npm run landmarks -- <folder with faces.csv and images/> <out.jsonl> [--backend wasm|cpu] [--limit N]');
    process.exit(2);
  }
  const rows = readFacesCsv(dir).slice(0, limit);
  const done = new Set<string>();
  if (existsSync(out)) {
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      try {
        done.add((JSON.parse(line) as { image: string }).image);
      } catch {
        /* a line cut by an interruption is redone */
      }
    }
  }
  const todo = rows.filter((r) => !done.has(r.image));
  console.error(`landmarks: ${rows.length} images, ${done.size} already in ${out}, ${todo.length} to do`);
  if (backend === 'wasm') pointWasmAtNodeModules();
  const editor = await createEditor({ backends: [backend, 'cpu'], models: fileByteSource() });
  console.error(`backend: ${editor.backend.name}`);
  const t0 = performance.now();
  let buffer: string[] = [];
  let noFace = 0;
  const notOk = new Map<string, number>();
  const flush = () => {
    if (buffer.length) {
      appendFileSync(out, buffer.join(''));
      buffer = [];
    }
  };
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
            status: 'ok',
            score: +fa.landmarks.score.toFixed(4),
            faces: photo.faces.length,
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
    if (rec.status !== 'ok') {
      noFace++;
      const why = rec.reason ? `${rec.status} ${String(rec.reason)}` : String(rec.status);
      notOk.set(why, (notOk.get(why) ?? 0) + 1);
    }
    buffer.push(`${JSON.stringify(rec)}\n`);
    if (buffer.length >= 50 || n === todo.length - 1) flush();
    if ((n + 1) % 200 === 0 || n === todo.length - 1) {
      const s = (performance.now() - t0) / 1000;
      console.error(
        `  ${n + 1}/${todo.length}  ${((n + 1) / s).toFixed(1)} images/s  not ok so far: ${noFace}  eta ${((todo.length - n - 1) / ((n + 1) / s) / 60).toFixed(1)} min`,
      );
    }
  }
  flush();
  const s = (performance.now() - t0) / 1000;
  console.log(
    `landmarks: ${todo.length} images in ${s.toFixed(0)} s = ${(todo.length / Math.max(s, 1e-9)).toFixed(1)} images/s; not ok: ${noFace}${
      notOk.size
        ? ` (${[...notOk]
            .sort((a, b) => b[1] - a[1])
            .map(([why, n]) => `${why} x ${n}`)
            .join(', ')})`
        : ''
    }; output ${out}`,
  );
  editor.dispose();
}

if (process.argv[1] && /landmarks-cli/.test(process.argv[1])) await main();
