/**
 * Batch expression editing in Node, with the app's own engine:
 *   npm run edit -- <files or folders> (--preset NAME | --reference PHOTO | --neutral | --expression FILE) [--set UNITS] --out DIR
 *                   [--intensity A] [--regions brows,eyes,mouth,jaw] [--face largest|center|N]
 *                   [--format png|jpeg] [--quality Q] [--backend wasm|cpu]
 * Writes DIR/<stem>-edited.<png|jpg> per photo at full size, upright. Progress on stderr; a failure
 * list and the summary line on stdout. Exit status: 0 all edited, 1 some photo failed (or the engine
 * could not start), 2 usage error. Options and output naming: edit-batch.ts.
 */
import { mkdirSync, statSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createEditor, isEditorError, parseExpression, type Editor, type Face, type Photo, type Reference } from '../engine/index';
import { cliError } from './cli-messages';
import {
  collectInputs,
  IMAGE_EXTENSIONS,
  parseArgs,
  pickFace,
  planOutputs,
  Progress,
  seconds,
  UsageError,
  USAGE,
  fsError,
  type BatchInput,
  type EditArgs,
  type TextStream,
} from './edit-batch';
import { fileByteSource, pointWasmAtNodeModules } from './platform';

export interface CliIO {
  stdout: TextStream;
  stderr: TextStream;
}

interface Failure {
  path: string;
  code: string;
  message: string;
}

/** Runs the command line `argv` (without node and the script); resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const t0 = performance.now();
  const args = parseCommandLine(argv, io);
  if (typeof args === 'number') return args;

  const inputs = collectInputs(args.inputs, args.out);
  if (inputs.length === 0) {
    io.stderr.write(`edit: no image files (${IMAGE_EXTENSIONS.join(' ')}) in ${args.inputs.join(', ')}\n`);
    io.stdout.write('0 edited, 0 failed in 0.0 s\n');
    return 1;
  }
  const outputs = planOutputs(inputs, args.out, args.format, args.reference.kind === 'photo' ? [args.reference.path] : []);
  if (args.qualityGiven && args.format !== 'jpeg') io.stderr.write('edit: --quality applies to --format jpeg only; writing PNG\n');

  const progress = new Progress(io.stderr, inputs.length);
  if (args.backend === 'wasm') pointWasmAtNodeModules();
  // tfjs's CPU backend advertises tfjs-node on its first use, in the middle of the progress display.
  const warn = console.warn;
  console.warn = (...a: unknown[]) => {
    if (!String(a[0]).includes('install our node backend')) warn(...a);
  };
  const editor = await startEditor(args, inputs.length, progress, io, t0);
  if (!editor) {
    console.warn = warn;
    return 1;
  }

  let refPhoto: Photo | null = null;
  let batch: { edited: number; failures: Failure[] };
  try {
    if (!editor.capabilities.expression) {
      io.stderr.write('edit: this build has no expression models (public/models/leed); nothing can be edited\n');
      return 1;
    }
    const chosen = await chooseReference(editor, args, io);
    if (typeof chosen === 'number') return chosen;
    refPhoto = chosen.photo;
    batch = await editAll(editor, inputs, outputs, chosen.reference, args, progress, io);
  } finally {
    progress.finish();
    refPhoto?.dispose();
    editor.dispose();
    console.warn = warn;
  }

  const { edited, failures } = batch;
  if (failures.length) {
    io.stdout.write(`failed:\n${failures.map((f) => `  ${f.path}: ${f.code}: ${f.message}\n`).join('')}`);
  }
  io.stdout.write(`${edited} edited, ${failures.length} failed in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return failures.length ? 1 : 0;
}

/** The parsed command line with the output folder made, or the exit status (0 for --help, 2 for a usage error, written). */
function parseCommandLine(argv: readonly string[], io: CliIO): EditArgs | number {
  try {
    const args = parseArgs(argv);
    if (args === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    try {
      mkdirSync(args.out, { recursive: true });
    } catch (e) {
      throw new UsageError(`--out ${args.out}: cannot make that folder (${(e as Error).message})`);
    }
    if (!statSync(args.out).isDirectory()) throw new UsageError(`--out ${args.out} is not a folder`);
    return args;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`edit: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
}

/** The editor with all its models loaded, or undefined when the engine could not start (written). */
async function startEditor(args: EditArgs, photos: number, progress: Progress, io: CliIO, t0: number): Promise<Editor | undefined> {
  let editor: Editor | undefined;
  // Every photo is edited: the CLI waits for all the models (createEditor resolves before the expression models
  // are in), and shows no loading step after that (the refiner's warm-up after the first face).
  let loading = true;
  try {
    editor = await createEditor({ models: fileByteSource(), backends: [args.backend, 'cpu'], onProgress: (f, label) => loading && progress.loading(f, label) });
    await editor.loaded;
    loading = false;
  } catch (e) {
    loading = false;
    editor?.dispose();
    progress.finish();
    const err = cliError(e);
    io.stderr.write(`edit: the engine could not start: ${err.code}: ${err.message}\n`);
    return undefined;
  }
  progress.finish();
  const tReady = performance.now();
  for (const reason of editor.backend.fallbackReasons) io.stderr.write(`edit: backend fallback: ${reason}\n`);
  io.stderr.write(
    `edit: models loaded in ${seconds(tReady - t0)} (backend ${editor.backend.name}); ${photos} photo${photos === 1 ? '' : 's'} -> ${args.out}\n`,
  );
  return editor;
}

/** What a photo is edited towards: an engine Reference, or 'own' (each face's own expression, --set alone). */
type Target = Reference | 'own';

/**
 * What the photos are edited towards: a preset, the face on the reference photo (the photo is opened here; the caller
 * disposes it), a saved expression, neutral, or each face's own expression. When it cannot be used, the reason is
 * written and the exit status returned.
 */
async function chooseReference(editor: Editor, args: EditArgs, io: CliIO): Promise<{ reference: Target; photo: Photo | null } | number> {
  if (args.reference.kind === 'own') return { reference: 'own', photo: null };
  if (args.reference.kind === 'expression') {
    const { path } = args.reference;
    try {
      return { reference: { expression: parseExpression(JSON.parse(await readFile(path, 'utf8'))) }, photo: null };
    } catch (e) {
      const why = e instanceof SyntaxError ? `not JSON (${e.message})` : isEditorError(e) ? e.detail : fsError(e).message;
      io.stderr.write(`edit: the expression file ${path} cannot be used: ${why}\n`);
      return 2;
    }
  }
  if (args.reference.kind === 'preset') {
    if (!editor.capabilities.presets.includes(args.reference.preset)) {
      io.stderr.write(`edit: this build has no preset "${args.reference.preset}" (it has: ${editor.capabilities.presets.join(', ') || 'none'})\n`);
      return 2;
    }
    return { reference: { preset: args.reference.preset }, photo: null };
  }
  if (args.reference.kind === 'photo') {
    let refPhoto: Photo | null = null;
    try {
      let bytes: Buffer;
      try {
        bytes = await readFile(args.reference.path);
      } catch (e) {
        const f = fsError(e);
        throw Object.assign(new Error(f.message), { cliCode: f.code });
      }
      refPhoto = await editor.open(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const face: Face = await refPhoto.face(pickFace(refPhoto.faces, refPhoto.image.width, refPhoto.image.height, args.face));
      await face.neutral();
      return { reference: face, photo: refPhoto };
    } catch (e) {
      const { code, message } = failureOf(e);
      io.stderr.write(`edit: the reference photo ${args.reference.path} cannot be used: ${code}: ${message}\n`);
      refPhoto?.dispose();
      return 1;
    }
  }
  return { reference: 'neutral', photo: null };
}

/** Edits each input in turn; a photo that fails is counted and reported, and the batch goes on. */
async function editAll(
  editor: Editor,
  inputs: readonly BatchInput[],
  outputs: Map<BatchInput, string>,
  reference: Target,
  args: EditArgs,
  progress: Progress,
  io: CliIO,
): Promise<{ edited: number; failures: Failure[] }> {
  const failures: Failure[] = [];
  let edited = 0;
  const tBatch = performance.now();
  for (const input of inputs) {
    progress.start(input.path);
    const t = performance.now();
    if (input.error) {
      failures.push({ path: input.path, ...input.error });
      progress.fail(input.path, input.error.code, input.error.message);
      continue;
    }
    const outPath = outputs.get(input)!;
    try {
      await editOne(editor, input.abs, outPath, reference, args);
      edited++;
      progress.ok(input.path, outPath, performance.now() - t);
    } catch (e) {
      const { code, message } = failureOf(e);
      failures.push({ path: input.path, code, message });
      progress.fail(input.path, code, message);
    }
  }
  progress.finish();
  const n = edited + failures.length;
  if (n > 0) io.stderr.write(`edit: ${seconds((performance.now() - tBatch) / n)} per photo after the model load\n`);
  return { edited, failures };
}

/** Reads, edits and writes one photo; throws on any failure (the caller reports it and goes on). */
async function editOne(editor: Editor, inPath: string, outPath: string, reference: Target, args: EditArgs): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(inPath);
  } catch (e) {
    const f = fsError(e);
    throw Object.assign(new Error(f.message), { cliCode: f.code });
  }
  const photo = await editor.open(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  let encoded: Uint8Array;
  try {
    const face = await photo.face(pickFace(photo.faces, photo.image.width, photo.image.height, args.face));
    const edit = await face.edit(reference === 'own' ? face : reference, { regions: args.regions ?? undefined, units: args.units ?? undefined });
    try {
      const out = await edit.export(args.intensity, args.format, args.quality);
      encoded = out instanceof Uint8Array ? out : new Uint8Array(await out.arrayBuffer());
    } finally {
      edit.dispose();
    }
  } finally {
    photo.dispose();
  }
  // Written beside the target and renamed, so an interrupted run never leaves half a photo under the final name.
  const part = `${outPath}.part`;
  try {
    await writeFile(part, encoded);
    await rename(part, outPath);
  } catch (e) {
    await rm(part, { force: true }).catch(() => {});
    throw Object.assign(new Error(`${outPath}: ${(e as Error).message}`), { cliCode: 'WRITE_ERROR' });
  }
}

/**
 * Code and message of a failure: the CLI's own file errors (NOT_FOUND, READ_ERROR, WRITE_ERROR), else the
 * engine's EditorError code (INTERNAL when unknown) in the CLI's words (cli-messages.ts).
 */
function failureOf(e: unknown): { code: string; message: string } {
  const cliCode = (e as { cliCode?: string } | null)?.cliCode;
  if (cliCode) return { code: cliCode, message: (e as Error).message };
  return cliError(e);
}

if (process.argv[1] && /edit-cli\.[cm]?[jt]s$/.test(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
