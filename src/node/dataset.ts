import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FaceRow { person: string; image: string; expression: string }

/** Rows of faces.csv (person,image,expression). */
export function readFacesCsv(dir: string): FaceRow[] {
  const lines = readFileSync(join(dir, 'faces.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  const header = lines[0].split(',');
  const ix = (k: string) => header.indexOf(k);
  return lines.slice(1).map((l) => { const c = l.split(','); return { person: c[ix('person')], image: c[ix('image')], expression: c[ix('expression')] }; });
}
