/**
 * Start-up (edit.ts createEditor): a photo can be opened as soon as the face models are in; the expression
 * models and the refiner load meanwhile, an edit waits for them, and a failure of theirs reaches the edits
 * (and `editor.loaded`), not the start. CPU backend, real models.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createEditor, ErrorCode, type ByteSource } from '../src/engine/index';
import { fileByteSource } from '../src/node/platform';
import { sampleBytes } from './helpers';

/** The model files, with the reads of `held` paths kept back until `release()`. */
function heldSource(held: (path: string) => boolean) {
  const files = fileByteSource();
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const reads: string[] = [];
  const source: ByteSource = async (path) => {
    reads.push(path);
    if (held(path)) await gate;
    return files(path);
  };
  return { source, release, reads };
}

const isExpressionWeights = (p: string) => p === 'leed/disentangler.bin' || p === 'leed/refiner.bin';

describe('start-up', () => {
  it('opens a photo while the expression models load; an edit waits for them; progress says what loads', async () => {
    const { source, release } = heldSource(isExpressionWeights);
    const steps: [number, string][] = [];
    const editor = await createEditor({ backends: ['cpu'], models: source, onProgress: (f, l) => steps.push([f, l]) });
    try {
      // Capabilities come from the manifest (and the presets file), before the weights arrive.
      expect(editor.capabilities.expression).toBe(true);
      expect(editor.capabilities.refiner).toBe(true);
      expect(editor.capabilities.presets).toContain('happy');
      // The face models' warm-up and the expression models go on in the background, and the progress says so.
      expect(['Preparing the face models', 'Preparing the expression models']).toContain(steps.at(-1)?.[1]);
      expect(steps.at(-1)?.[0]).toBeLessThan(1);
      let isLoaded = false;
      void editor.loaded.then(() => {
        isLoaded = true;
      });

      const photo = await editor.open(sampleBytes());
      const face = await photo.face(0);
      expect(face.landmarks.points).toHaveLength(468);
      let made = false;
      const editP = face.edit({ preset: 'happy' }).then((e) => {
        made = true;
        return e;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(isLoaded).toBe(false);
      expect(made).toBe(false);

      release();
      await editor.loaded;
      const edit = await editP;
      const patch = await edit.render(1);
      expect(patch.width).toBeGreaterThan(0);
      // The refiner's warm-up (started by the first face) ends the progress at 1 too.
      await expect.poll(() => steps.at(-1)?.[0], { timeout: 30_000 }).toBe(1);
      const labels = steps.map((s) => s[1]);
      expect(labels).toContain('Preparing the expression models');
      expect(labels).toContain('Preparing the refiner');
      expect(labels.indexOf('Preparing the expression models')).toBeLessThan(labels.lastIndexOf('Ready'));
      edit.dispose();
      photo.dispose();
    } finally {
      release();
      editor.dispose();
    }
  }, 120_000);

  it('a broken expression model fails the edits and `loaded`, not the start', async () => {
    const files = fileByteSource();
    const source: ByteSource = async (path) => {
      const bytes = await files(path);
      if (path !== 'leed/refiner.bin') return bytes;
      const copy = new Uint8Array(bytes.slice(0));
      copy[100] ^= 0xff;
      return copy.buffer;
    };
    const editor = await createEditor({ backends: ['cpu'], models: source, warmUp: false });
    try {
      await expect(editor.loaded).rejects.toMatchObject({ code: ErrorCode.MODEL_INTEGRITY });
      const photo = await editor.open(sampleBytes());
      const face = await photo.face(0);
      await expect(face.edit({ preset: 'happy' })).rejects.toMatchObject({ code: ErrorCode.MODEL_INTEGRITY });
      photo.dispose();
    } finally {
      editor.dispose();
    }
  }, 120_000);

  it('disposed while loading: what arrives later is released', async () => {
    const { source, release } = heldSource(isExpressionWeights);
    const before = tf.memory().numTensors;
    const editor = await createEditor({ backends: ['cpu'], models: source, warmUp: false });
    editor.dispose();
    release();
    await editor.loaded;
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
