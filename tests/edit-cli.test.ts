/** The batch editor CLI (src/node/edit-cli.ts): a real run of the engine on the tfjs CPU backend, plus its plain parts. */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { createEditor, type Point3, type RGBAImage } from '../src/engine/index';
import { decodeImage } from '../src/engine/tools';
import { collectInputs, parseArgs, pickFace, planOutputs, UsageError } from '../src/node/edit-batch';
import { main, type CliIO } from '../src/node/edit-cli';
import { fileByteSource, ROOT } from '../src/node/platform';

const SAMPLE = join(ROOT, 'public', 'samples', 'astronaut.png');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edit-cli-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function captured(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
      isTTY: false,
    },
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
      isTTY: false,
    },
    out: () => out,
    err: () => err,
  };
}

const readPng = (path: string) => PNG.sync.read(readFileSync(path));

/** A JPEG that shows `upright` once EXIF orientation 6 (rotate 90° clockwise) is applied: stored turned a quarter to the left. */
function turnedJpeg(upright: { width: number; height: number; data: Uint8Array }): Uint8Array {
  const W = upright.height;
  const H = upright.width; // stored size
  const stored = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const o = (x * upright.width + (upright.width - 1 - y)) * 4; // orientation 6 displays stored (x, y) at (H - 1 - y, x)
      stored.set(upright.data.subarray(o, o + 4), (y * W + x) * 4);
    }
  const plain = jpeg.encode({ width: W, height: H, data: stored }, 95).data;
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  return new Uint8Array([...plain.subarray(0, 2), ...app1, ...plain.subarray(2)]);
}

describe('edit CLI, a real batch', () => {
  it('edits the good photos, reports the broken ones with their codes, exits 1', async () => {
    const dir = join(tmp, 'batch');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    copyFileSync(SAMPLE, join(dir, 'astronaut.png'));
    copyFileSync(SAMPLE, join(dir, 'sub', 'second.PNG')); // upper-case extension, in a subfolder
    writeFileSync(join(dir, 'broken.jpg'), 'this is not a photo\n');
    const png = readFileSync(SAMPLE);
    writeFileSync(join(dir, 'cut.png'), png.subarray(0, Math.floor(png.length / 2)));
    writeFileSync(join(dir, 'notes.txt'), 'not an image name: skipped in a folder walk\n');
    // The sample's rows 36..475 (512 x 440), stored turned, EXIF orientation 6.
    const sample = readPng(SAMPLE);
    const TOP = 36;
    const crop = { width: 512, height: 440, data: new Uint8Array(sample.data.subarray(TOP * 512 * 4, (TOP + 440) * 512 * 4)) };
    const turned = turnedJpeg(crop);
    writeFileSync(join(dir, 'turned.jpg'), turned);
    const out = join(tmp, 'out');

    const io = captured();
    const code = await main([dir, '--preset', 'surprise', '--out', out, '--backend', 'cpu'], io);
    expect(code, io.err()).toBe(1);
    expect(io.out()).toMatch(/^3 edited, 2 failed in \d+\.\d s$/m);
    // the engine's code, then the CLI's own words (src/node/cli-messages.ts), not the app's
    expect(io.out()).toMatch(/broken\.jpg: NOT_AN_IMAGE: not a JPEG, PNG, WebP, GIF or BMP image/);
    expect(io.out()).toMatch(/cut\.png: CORRUPT_IMAGE: the image is damaged or incomplete \(.+\)/);
    expect(io.out() + io.err()).not.toMatch(/reload|the page/i);
    expect(io.err()).toMatch(/FAILED .*broken\.jpg: NOT_AN_IMAGE/);
    expect(io.err()).toMatch(/\[\d\/5\] ok .*second\.PNG -> /);
    expect(io.out() + io.err()).not.toMatch(/notes\.txt/);
    expect(readdirSync(out).sort()).toEqual(['astronaut-edited.png', 'second-edited.png', 'turned-edited.png']);

    // Where the mouth is, from the engine itself.
    const editor = await createEditor({ backends: ['cpu'], models: fileByteSource(), warmUp: false });
    let mouth: Point3[];
    let upright: RGBAImage;
    try {
      const photo = await editor.open(new Uint8Array(png));
      const face = await photo.face(0);
      mouth = [0, 13, 14, 17, 61, 291].map((i) => face.landmarks.points[i]);
      photo.dispose();
      upright = await decodeImage(turned); // the JPEG as the engine sees it: upright, 512 x 440
    } finally {
      editor.dispose();
    }
    expect([upright.width, upright.height]).toEqual([512, 440]);
    let jpegError = 0;
    for (let i = 0; i < crop.data.length; i++) jpegError += Math.abs(crop.data[i] - upright.data[i]);
    expect(jpegError / crop.data.length, 'turned.jpg decodes to the upright crop').toBeLessThan(3);
    const xs = mouth.map((p) => p[0]);
    const ys = mouth.map((p) => p[1]);
    const box = {
      x0: Math.floor(Math.min(...xs)) - 4,
      x1: Math.ceil(Math.max(...xs)) + 4,
      y0: Math.floor(Math.min(...ys)) - 4,
      y1: Math.ceil(Math.max(...ys)) + 4,
    };

    const cases: [string, RGBAImage | typeof sample, number][] = [
      ['astronaut-edited.png', sample, 0],
      ['second-edited.png', sample, 0],
      ['turned-edited.png', upright, TOP],
    ];
    for (const [name, input, top] of cases) {
      const edited = readPng(join(out, name));
      expect([edited.width, edited.height], name).toEqual([input.width, input.height]);
      const diff = (x: number, y: number) => {
        const o = (y * input.width + x) * 4;
        return Math.abs(edited.data[o] - input.data[o]) + Math.abs(edited.data[o + 1] - input.data[o + 1]) + Math.abs(edited.data[o + 2] - input.data[o + 2]);
      };
      let sum = 0;
      let n = 0;
      for (let y = box.y0 - top; y <= box.y1 - top; y++)
        for (let x = box.x0; x <= box.x1; x++) {
          sum += diff(x, y);
          n++;
        }
      expect(sum / n / 3, `${name}: mean change around the mouth`).toBeGreaterThan(10);
      let corners = 0;
      for (const [cx, cy] of [
        [0, 0],
        [input.width - 32, 0],
        [0, input.height - 32],
        [input.width - 32, input.height - 32],
      ]) {
        for (let y = cy; y < cy + 32; y++) for (let x = cx; x < cx + 32; x++) corners += diff(x, y);
      }
      expect(corners, `${name}: corners`).toBe(0);
    }
  }, 300_000);

  it('usage errors exit 2 with the usage text, before any model is loaded', async () => {
    const cases = [
      ['x.png', '--preset', 'happy'], // no --out
      ['x.png', '--out', join(tmp, 'u')], // no reference
      ['x.png', '--preset', 'happy', '--neutral', '--out', join(tmp, 'u')], // two references
      ['x.png', '--preset', 'grin', '--out', join(tmp, 'u')],
      ['x.png', '--neutral', '--regions', 'lips', '--out', join(tmp, 'u')],
      ['x.png', '--neutral', '--intensity', 'lots', '--out', join(tmp, 'u')],
      ['x.png', '--neutral', '--frobnicate', '--out', join(tmp, 'u')],
    ];
    for (const argv of cases) {
      const io = captured();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(/^edit: .*\n\nusage: npm run edit -- /);
    }
  });

  it('--set moves the asked unit on each photo, alone or from a saved expression file', async () => {
    const dir = join(tmp, 'units');
    mkdirSync(dir, { recursive: true });
    copyFileSync(SAMPLE, join(dir, 'astronaut.png'));
    const run = async (out: string, ...flags: string[]) => {
      const io = captured();
      expect(await main([join(dir, 'astronaut.png'), ...flags, '--intensity', '1', '--out', join(tmp, out)], io), io.err()).toBe(0);
      return readPng(join(tmp, out, 'astronaut-edited.png'));
    };
    const original = readPng(SAMPLE);
    const frown = await run('u-set', '--set', 'au4=1.2');
    // the brows change; the mouth and chin do not (boxes from the face's own landmarks)
    const editor = await createEditor({ backends: ['cpu'], models: fileByteSource() });
    const pts = (await (await editor.open(new Uint8Array(readFileSync(SAMPLE)))).face(0)).landmarks.points;
    editor.dispose();
    const box = (idx: number[]) => [
      Math.min(...idx.map((i) => pts[i][0])),
      Math.min(...idx.map((i) => pts[i][1])),
      Math.max(...idx.map((i) => pts[i][0])),
      Math.max(...idx.map((i) => pts[i][1])),
    ];
    const changed = (img: PNG, [x0, y0, x1, y1]: number[]) => {
      let n = 0;
      let all = 0;
      for (let y = Math.round(y0); y < y1; y++)
        for (let x = Math.round(x0); x < x1; x++, all++) if (Math.abs(img.data[(y * 512 + x) * 4] - original.data[(y * 512 + x) * 4]) > 6) n++;
      return n / all;
    };
    expect(changed(frown, box([70, 63, 105, 66, 107, 336, 296, 334, 293, 300]))).toBeGreaterThan(0.2);
    expect(changed(frown, box([61, 291, 17, 152]))).toBeLessThan(0.02);
    const file = join(tmp, 'frown.json');
    writeFileSync(file, JSON.stringify({ format: 'leed-expression', version: 1, name: 'frown', units: { brow_lower: 1.2 } }));
    const fromFile = await run('u-file', '--neutral', '--set', 'au4=1.2');
    const saved = await run('u-saved', '--expression', file);
    let same = 0;
    for (let i = 0; i < saved.data.length; i += 4) if (Math.abs(saved.data[i] - fromFile.data[i]) <= 1) same++;
    expect(same / (saved.data.length / 4)).toBeGreaterThan(0.999);
  }, 300_000);

  it('a misspelt unit or a broken expression file exits 2 and says what it knows', async () => {
    const io = captured();
    expect(await main(['x.png', '--set', 'au4=1,frown=0.5', '--out', join(tmp, 'u')], io)).toBe(2);
    expect(io.err()).toContain('unknown unit "frown"');
    expect(io.err()).toContain('brow_lower');
    const range = captured();
    expect(await main(['x.png', '--set', 'jaw_drop=4', '--out', join(tmp, 'u')], range)).toBe(2);
    expect(range.err()).toContain('jaw_drop takes values from 0 to 1.5');
    for (const [content, says] of [
      ['{ not json', 'not JSON'],
      ['{"format":"leed-presets"}', '"format" must be "leed-expression"'],
      ['{"format":"leed-expression","version":1,"units":{"smirk":1}}', 'unknown unit "smirk"'],
    ]) {
      const file = join(tmp, 'bad.json');
      writeFileSync(file, content);
      copyFileSync(SAMPLE, join(tmp, 'x.png'));
      const bad = captured();
      expect(await main([join(tmp, 'x.png'), '--expression', file, '--out', join(tmp, 'u')], bad), content).toBe(2);
      expect(bad.err()).toContain(says);
    }
  }, 120_000);

  it('the script itself exits 2 on a usage error', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile('npx', ['tsx', 'src/node/edit-cli.ts', 'x.png', '--preset', 'grin', '--out', join(tmp, 'u')], { cwd: ROOT }, (err, _stdout, stderr) => {
        done({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
      });
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown preset "grin"/);
  });
});

describe('edit CLI, plain parts', () => {
  it('parses options', () => {
    const a = parseArgs([
      'a',
      'b',
      '--reference=ref.jpg',
      '--intensity',
      '-0.5',
      '--regions',
      'mouth,brows',
      '--face',
      'center',
      '--format',
      'jpg',
      '--quality',
      '0.8',
      '--out',
      'o',
    ]);
    expect(a).toMatchObject({
      inputs: ['a', 'b'],
      reference: { kind: 'photo', path: 'ref.jpg' },
      intensity: -0.5,
      regions: ['brows', 'mouth'],
      face: 'center',
      format: 'jpeg',
      quality: 0.8,
      out: 'o',
      backend: 'wasm',
    });
    expect(parseArgs(['a', '--neutral', '--face', '2', '--out', 'o'])).toMatchObject({ face: 2, format: 'png', quality: 0.92, regions: null, intensity: 1 });
    expect(parseArgs(['--help'])).toBe('help');
    expect(parseArgs(['a', '--set', 'AU12=0.5, lip-press=1', '--out', 'o'])).toMatchObject({
      reference: { kind: 'own' },
      units: { lip_corner_pull: 0.5, lip_press: 1 },
    });
    expect(parseArgs(['a', '--preset', 'anger', '--set', 'au24=1', '--out', 'o'])).toMatchObject({ reference: { kind: 'preset' }, units: { lip_press: 1 } });
    for (const bad of [
      ['a', '--neutral', '--out', 'o', '--quality', '0'],
      ['a', '--neutral', '--out', 'o', '--face', 'left'],
      ['--neutral', '--out', 'o'],
      ['a', '--neutral', '--out'],
    ]) {
      expect(() => parseArgs(bad), bad.join(' ')).toThrow(UsageError);
    }
  });

  it('names outputs without clashes and never over an input', () => {
    const dir = join(tmp, 'names');
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    for (const f of ['a/x.jpg', 'b/x.png', 'a/y.png', 'a/y-edited.png']) writeFileSync(join(dir, f), '');
    // Output folder = folder a: a/y.png would be written over the input a/y-edited.png.
    const inputs = collectInputs([join(dir, 'a'), join(dir, 'b'), join(dir, 'a', 'x.jpg'), join(dir, 'missing.png')], join(dir, 'a'));
    expect(inputs.map((i) => i.abs.slice(dir.length + 1))).toEqual(['a/x.jpg', 'a/y-edited.png', 'a/y.png', 'b/x.png', 'missing.png']);
    expect(inputs[4].error?.code).toBe('NOT_FOUND');
    const plan = planOutputs(inputs, join(dir, 'a'), 'png');
    expect(inputs.slice(0, 4).map((i) => plan.get(i)!.slice(dir.length + 1))).toEqual([
      'a/x-edited.png',
      'a/y-edited-edited.png',
      'a/y-2-edited.png',
      'a/x-2-edited.png',
    ]);
    expect(existsSync(join(dir, 'a', 'y-edited.png'))).toBe(true);
    // An output folder inside a walked folder is not walked (a second run does not edit the first's outputs).
    expect(collectInputs([dir], join(dir, 'a')).map((i) => i.abs.slice(dir.length + 1))).toEqual(['b/x.png']);
  });

  it('picks the largest face, the one nearest the centre, or an index', () => {
    const box = (x: number, w: number) => ({ x, y: 0, width: w, height: w, score: 1, keypoints: [] });
    const faces = [box(0, 50), box(400, 100), box(180, 40)];
    expect(pickFace(faces, 400, 40, 'largest')).toBe(1);
    expect(pickFace(faces, 400, 40, 'center')).toBe(2);
    expect(pickFace(faces, 400, 40, 0)).toBe(0);
    expect(pickFace([], 400, 40, 'largest')).toBe(0);
  });
});
