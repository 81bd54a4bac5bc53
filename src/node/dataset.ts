/**
 * The data a Node tool reads: a folder laid out like ../shared/data/faces (faces.csv + images/), and the
 * landmark file that src/node/landmarks-cli.ts writes for it (one JSON line per image).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Point3 } from '../engine/index';

export interface FaceRow {
  person: string;
  image: string;
  expression: string;
}

/** Rows of faces.csv (person,image,expression). */
export function readFacesCsv(dir: string): FaceRow[] {
  const lines = readFileSync(join(dir, 'faces.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  const header = lines[0].split(',');
  const ix = (k: string) => header.indexOf(k);
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    return { person: c[ix('person')], image: c[ix('image')], expression: c[ix('expression')] };
  });
}

/** 468 points as base64 float32[468*3] (the landmark file's `canonical` and `points`). */
export function encodePoints(points: readonly Point3[]): string {
  const f = new Float32Array(points.length * 3);
  points.forEach((p, i) => {
    f.set(p, i * 3);
  });
  return Buffer.from(f.buffer).toString('base64');
}

export function decodePoints(b64: string): Point3[] {
  const b = Buffer.from(b64, 'base64');
  const f = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const out: Point3[] = [];
  for (let i = 0; i < f.length; i += 3) out.push([f[i], f[i + 1], f[i + 2]]);
  return out;
}

/** One line of the landmark file. */
interface LandmarkLine {
  person: string;
  image: string;
  /** 'ok', 'no_face' (nothing found at any padding), 'rejected' (found but refused: `reason` is the ErrorCode), 'error' (`reason`). */
  status: string;
  reason?: string;
  canonical?: string;
  points?: string;
}

/**
 * The landmark file's lines by image; the last record of an image wins. A line cut by an interrupted
 * write cannot be parsed: landmarks-cli redoes its image on the next run, and it is counted in `unreadable`.
 */
function readLandmarkFile(file: string): { byImage: Map<string, LandmarkLine>; unreadable: number } {
  const byImage = new Map<string, LandmarkLine>();
  let unreadable = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    let r: LandmarkLine;
    try {
      r = JSON.parse(line) as LandmarkLine;
    } catch {
      unreadable++;
      continue;
    }
    byImage.set(r.image, r);
  }
  return { byImage, unreadable };
}

/** A photo of the folder with the landmarks the engine found on it. */
export interface LandmarkedFace extends FaceRow {
  canonical: Point3[];
  /** Landmarks in pixels of the image file. */
  points: Point3[];
}

export interface LandmarkedRows {
  /** Rows whose image has status 'ok', in faces.csv order. */
  faces: LandmarkedFace[];
  /** Rows without usable landmarks, by status (and reason when there is one), e.g. "rejected FACE_TURNED_AWAY". */
  missing: Map<string, number>;
  /** Lines of the file that could not be parsed (interrupted writes). */
  unreadable: number;
}

/** Joins faces.csv rows with the landmark file: the photos the engine could analyse, and why the others are missing. */
export function loadLandmarkedRows(rows: readonly FaceRow[], landmarksFile: string): LandmarkedRows {
  const { byImage, unreadable } = readLandmarkFile(landmarksFile);
  const faces: LandmarkedFace[] = [];
  const missing = new Map<string, number>();
  for (const row of rows) {
    const r = byImage.get(row.image);
    if (r && r.status === 'ok' && r.canonical && r.points) {
      faces.push({ ...row, canonical: decodePoints(r.canonical), points: decodePoints(r.points) });
      continue;
    }
    const why = !r ? 'not in the landmark file' : r.status === 'ok' ? 'ok without points' : r.reason ? `${r.status} ${r.reason}` : r.status;
    missing.set(why, (missing.get(why) ?? 0) + 1);
  }
  return { faces, missing, unreadable };
}

/** The photos of `rows` the engine could analyse (see loadLandmarkedRows for why the others are missing). */
export function loadContextFaces(rows: readonly FaceRow[], landmarksFile: string): LandmarkedFace[] {
  return loadLandmarkedRows(rows, landmarksFile).faces;
}
