/**
 * The batch editor's plain parts, without the engine's models: command-line parsing, finding the
 * image files of folders, naming the outputs (never over an input, never two inputs on one output),
 * choosing the face of a photo, and the progress display. The engine run itself is in edit-cli.ts.
 */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import {
  editedFilename,
  DEFAULT_JPEG_QUALITY,
  PRESET_NAMES,
  REGIONS,
  UNIT_NAMES,
  UNITS,
  unitByName,
  type FaceBox,
  type OutputFormat,
  type PresetName,
  type Region,
  type UnitValues,
} from '../engine/index';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp'];

export const USAGE = `usage: npm run edit -- <files or folders> (--preset NAME | --reference PHOTO | --neutral | --expression FILE) [--set UNITS] --out DIR [options]

Edits the expression of one face in every photo and writes DIR/<name>-edited.png (or .jpg) at the
photo's full size, upright (EXIF orientation applied). Folders are searched, with their subfolders,
for .jpg .jpeg .png .webp .gif .bmp files; a file named explicitly is always tried. A photo that
cannot be edited is reported with its error code and the batch goes on.

reference (at most one; with none, --set changes each photo's own expression):
  --preset NAME        ${PRESET_NAMES.join(', ')}
  --reference PHOTO    the expression of the face in PHOTO (chosen by --face as well)
  --neutral            each person's own neutral face
  --expression FILE    a saved expression (.json, saved from the app or written by hand)
action units, on top of the reference:
  --set UNITS          unit=value pairs, comma-separated: names or FACS numbers, e.g.
                       --set au4=0.8,lip_press=0.5 (units: ${UNIT_NAMES.join(', ')})
options:
  --intensity A        0 = unchanged, 1 = the reference's expression (default 1; up to about 1.5)
  --regions LIST       limit the edit to some of ${REGIONS.join(',')} (default: all)
  --face WHICH         largest (default), center (nearest the image centre), or an index N (0, 1, ...)
  --format png|jpeg    output format (default png)
  --quality Q          JPEG quality, 0 < Q <= 1 (default ${DEFAULT_JPEG_QUALITY})
  --out DIR            output folder, created when missing (required)
  --backend wasm|cpu   tfjs backend (default wasm)
  -h, --help           this text
exit status: 0 every photo edited, 1 some photo failed, 2 usage error`;

export type FaceRule = 'largest' | 'center' | number;

type ReferenceSpec =
  | { kind: 'preset'; preset: PresetName }
  | { kind: 'photo'; path: string }
  | { kind: 'neutral' }
  | { kind: 'expression'; path: string }
  /** Each photo's own expression (only --set given). */
  | { kind: 'own' };

export interface EditArgs {
  inputs: string[];
  reference: ReferenceSpec;
  /** --set: action-unit values on top of the reference (null: none). */
  units: UnitValues | null;
  intensity: number;
  regions: Region[] | null;
  face: FaceRule;
  format: OutputFormat;
  quality: number;
  /** --quality was given (it only applies to JPEG). */
  qualityGiven: boolean;
  out: string;
  backend: 'wasm' | 'cpu';
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_FLAGS = [
  '--preset',
  '--reference',
  '--expression',
  '--set',
  '--intensity',
  '--regions',
  '--face',
  '--format',
  '--quality',
  '--out',
  '--backend',
] as const;
const BOOLEAN_FLAGS = ['--neutral'] as const;

/** Parses the command line; 'help' for -h/--help; throws UsageError for anything it cannot run. */
export function parseArgs(argv: readonly string[]): EditArgs | 'help' {
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      inputs.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') return 'help';
    if (!arg.startsWith('-') || arg === '-') {
      inputs.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      booleans.add(name);
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) throw new UsageError(`unknown option ${name}`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
      i++;
    }
    if (values.has(name)) throw new UsageError(`${name} given twice`);
    values.set(name, value);
  }

  const chosen = [
    values.has('--preset') && '--preset',
    values.has('--reference') && '--reference',
    booleans.has('--neutral') && '--neutral',
    values.has('--expression') && '--expression',
  ].filter(Boolean);
  const units = values.has('--set') ? parseUnits(values.get('--set')!) : null;
  if (chosen.length === 0 && !units)
    throw new UsageError('say what expression to give: one of --preset NAME, --reference PHOTO, --neutral, --expression FILE, or --set UNITS');
  if (chosen.length > 1) throw new UsageError(`give only one of --preset, --reference, --neutral, --expression (got ${chosen.join(' and ')})`);
  let reference: ReferenceSpec;
  if (values.has('--preset')) {
    const p = values.get('--preset')!;
    if (!(PRESET_NAMES as readonly string[]).includes(p)) throw new UsageError(`unknown preset "${p}" (presets: ${PRESET_NAMES.join(', ')})`);
    reference = { kind: 'preset', preset: p as PresetName };
  } else if (values.has('--reference')) {
    const path = values.get('--reference')!;
    if (!path) throw new UsageError('--reference needs a photo');
    reference = { kind: 'photo', path };
  } else if (values.has('--expression')) {
    const path = values.get('--expression')!;
    if (!path) throw new UsageError('--expression needs a file');
    reference = { kind: 'expression', path };
  } else {
    reference = booleans.has('--neutral') ? { kind: 'neutral' } : { kind: 'own' };
  }

  let intensity = 1;
  if (values.has('--intensity')) {
    const s = values.get('--intensity')!;
    intensity = Number(s);
    if (s.trim() === '' || !Number.isFinite(intensity)) throw new UsageError(`--intensity "${s}" is not a number`);
  }

  let regions: Region[] | null = null;
  if (values.has('--regions')) {
    const list = values
      .get('--regions')!
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    if (list.length === 0) throw new UsageError(`--regions needs at least one of ${REGIONS.join(',')}`);
    for (const r of list) if (!(REGIONS as readonly string[]).includes(r)) throw new UsageError(`unknown region "${r}" (regions: ${REGIONS.join(',')})`);
    regions = REGIONS.filter((r) => list.includes(r));
  }

  let face: FaceRule = 'largest';
  if (values.has('--face')) {
    const s = values.get('--face')!;
    if (s === 'largest') face = 'largest';
    else if (s === 'center' || s === 'centre') face = 'center';
    else if (/^\d+$/.test(s)) face = Number(s);
    else throw new UsageError(`--face "${s}": say largest, center or a face index (0, 1, ...)`);
  }

  let format: OutputFormat = 'png';
  if (values.has('--format')) {
    const s = values.get('--format')!.toLowerCase();
    if (s === 'png') format = 'png';
    else if (s === 'jpeg' || s === 'jpg') format = 'jpeg';
    else throw new UsageError(`--format "${values.get('--format')}": png or jpeg`);
  }

  let quality = DEFAULT_JPEG_QUALITY;
  if (values.has('--quality')) {
    const s = values.get('--quality')!;
    quality = Number(s);
    if (s.trim() === '' || !(quality > 0 && quality <= 1)) throw new UsageError(`--quality "${s}": a number with 0 < Q <= 1`);
  }

  const out = values.get('--out');
  if (!out) throw new UsageError('say where to write the edited photos: --out DIR');

  const backend = values.get('--backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend "${backend}": wasm or cpu`);

  if (inputs.length === 0) throw new UsageError('give the photos to edit: files or folders');
  return { inputs, reference, units, intensity, regions, face, format, quality, qualityGiven: values.has('--quality'), out, backend };
}

/** --set's "unit=value,..." (unit names in any spelling unitByName reads, values in each unit's range). */
function parseUnits(list: string): UnitValues {
  const out: UnitValues = {};
  const pairs = list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!pairs.length) throw new UsageError('--set needs unit=value pairs, e.g. --set au4=0.8,lip_press=0.5');
  for (const pair of pairs) {
    const [name, value, ...rest] = pair.split('=');
    const unit = unitByName(name ?? '');
    if (!unit) throw new UsageError(`--set: unknown unit "${name}" (units: ${UNIT_NAMES.join(', ')}; or FACS numbers such as au4)`);
    const v = Number(value);
    if (value === undefined || value.trim() === '' || rest.length || !Number.isFinite(v)) throw new UsageError(`--set: "${pair}" is not unit=number`);
    const { min, max } = UNITS[unit];
    if (v < min || v > max) throw new UsageError(`--set: ${unit} takes values from ${min} to ${max} (got ${v})`);
    out[unit] = v;
  }
  return out;
}

/** One photo of the batch: `path` as shown to the user, `abs` to read; `error` when it cannot even be found. */
export interface BatchInput {
  path: string;
  abs: string;
  error?: { code: string; message: string };
}

function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * The photos named on the command line, in order: files as given (whatever their extension: a
 * non-image is the decoder's to report), folders walked recursively in name order for image files,
 * skipping dot-files and the output folder when it lies inside one of them. A path that does not exist is kept, with its error, so it
 * is reported with the other failures. Each file appears once.
 */
export function collectInputs(args: readonly string[], outDir: string): BatchInput[] {
  const out: BatchInput[] = [];
  const seen = new Set<string>();
  const outReal = realOrResolved(outDir);
  const add = (path: string) => {
    const abs = resolve(path);
    const key = realOrResolved(abs);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, abs });
  };
  const walk = (dir: string, visited: Set<string>, root: boolean) => {
    const real = realOrResolved(dir);
    if (visited.has(real) || (real === outReal && !root)) return;
    visited.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      out.push({ path: dir, abs: resolve(dir), error: fsError(e) });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      let st: Stats;
      try {
        st = statSync(p);
      } catch {
        continue;
      } // a dangling link inside a folder: not a photo
      if (st.isDirectory()) walk(p, visited, false);
      else if (st.isFile() && isImageName(name)) add(p);
    }
  };
  for (const arg of args) {
    let st: Stats;
    try {
      st = statSync(arg);
    } catch (e) {
      out.push({ path: arg, abs: resolve(arg), error: fsError(e) });
      continue;
    }
    if (st.isDirectory()) walk(arg, new Set(), true);
    else add(arg);
  }
  return out;
}

/** A file-system failure as a batch failure: NOT_FOUND for a missing path, READ_ERROR otherwise. */
export function fsError(e: unknown): { code: string; message: string } {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return { code: 'NOT_FOUND', message: 'no such file or folder' };
  return { code: 'READ_ERROR', message: err?.message ?? String(e) };
}

/**
 * Output path of every input: DIR/<stem>-edited.<ext> (the engine's editedFilename); a second input
 * with the same stem gets <stem>-2-edited.<ext>, and so on. A name that is one of the inputs (or
 * `protect`, e.g. the reference photo) is never used. Names are compared case-insensitively so the
 * plan holds on case-insensitive file systems too.
 */
export function planOutputs(inputs: readonly BatchInput[], outDir: string, format: OutputFormat, protect: readonly string[] = []): Map<BatchInput, string> {
  const key = (p: string) => p.toLowerCase();
  const forbidden = new Set<string>();
  for (const p of [...inputs.map((i) => i.abs), ...protect.map((p) => resolve(p))]) {
    forbidden.add(key(resolve(p)));
    forbidden.add(key(realOrResolved(p)));
  }
  const taken = new Set<string>();
  const plan = new Map<BatchInput, string>();
  for (const input of inputs) {
    if (input.error) continue;
    const base = basename(input.abs);
    const dot = base.lastIndexOf('.');
    const stem = dot > 0 ? base.slice(0, dot) : base;
    const ext = dot > 0 ? base.slice(dot) : '';
    for (let k = 1; ; k++) {
      const name = editedFilename(k === 1 ? base : `${stem}-${k}${ext}`, format);
      const path = join(outDir, name);
      const abs = resolve(path);
      if (taken.has(key(abs)) || forbidden.has(key(abs)) || forbidden.has(key(realOrResolved(abs)))) continue;
      taken.add(key(abs));
      plan.set(input, path);
      break;
    }
  }
  return plan;
}

/** Index of the face to edit: the largest box, the one nearest the image centre, or a given index (0 when none was found: the engine then says NO_FACE). */
export function pickFace(faces: readonly FaceBox[], width: number, height: number, rule: FaceRule): number {
  if (typeof rule === 'number') return rule;
  if (faces.length === 0) return 0;
  let best = 0;
  let bestScore = -Infinity;
  faces.forEach((f, i) => {
    const score = rule === 'largest' ? f.width * f.height : -Math.hypot(f.x + f.width / 2 - width / 2, f.y + f.height / 2 - height / 2);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

export interface TextStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 100 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal, one plain line per photo otherwise
 * (logs, CI). Failures are always printed as their own line, with file, code and message.
 */
export class Progress {
  private readonly tty: boolean;
  private done = 0;
  private failed = 0;
  private readonly t0 = performance.now();
  private barShown = false;
  private current = '';

  constructor(
    private readonly stream: TextStream,
    private readonly total: number,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Model loading, before the batch starts. */
  loading(fraction: number, label: string): void {
    if (this.tty)
      this.draw(
        `loading the models ${Math.round(fraction * 100)
          .toString()
          .padStart(3)}%  ${label}`,
      );
    else this.stream.write(`  ${label}\n`);
  }

  line(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    this.redraw();
  }

  start(path: string): void {
    this.current = path;
    this.redraw();
  }

  ok(path: string, out: string, ms: number): void {
    this.done++;
    if (!this.tty) this.stream.write(`[${this.done}/${this.total}] ok ${path} -> ${out} (${seconds(ms)})\n`);
    else this.redraw();
  }

  fail(path: string, code: string, message: string): void {
    this.done++;
    this.failed++;
    const text = `${this.tty ? '' : `[${this.done}/${this.total}] `}FAILED ${path}: ${code}: ${message}`;
    if (this.tty) this.line(text);
    else this.stream.write(`${text}\n`);
  }

  finish(): void {
    this.clear();
    this.current = '';
  }

  private redraw(): void {
    if (!this.tty || this.total === 0 || (this.done === 0 && !this.current)) return;
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const elapsed = performance.now() - this.t0;
    const eta = this.done > 0 && this.done < this.total ? `  eta ${seconds((elapsed / this.done) * (this.total - this.done))}` : '';
    const failed = this.failed ? `  ${this.failed} failed` : '';
    const now = this.current && this.done < this.total ? `  ${this.current}` : '';
    this.draw(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total}${failed}${eta}${now}`);
  }

  private draw(text: string): void {
    const cols = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r\x1b[2K${text.length > cols ? `${text.slice(0, cols - 1)}…` : text}`);
    this.barShown = true;
  }

  private clear(): void {
    if (this.tty && this.barShown) {
      this.stream.write('\r\x1b[2K');
      this.barShown = false;
    }
  }
}
