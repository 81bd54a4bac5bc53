import { describe, expect, it } from 'vitest';
import { ErrorCode, isEditorError } from '../src/engine/errors';
import { initBackend } from '../src/engine/runtime/backend';
import { ModelStore, type ByteSource } from '../src/engine/runtime/models';
import { fileByteSource } from '../src/node/platform';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e) => (isEditorError(e) ? e.code : `other: ${(e as Error).message}`),
  );

describe('model store', () => {
  it('loads the pinned face mesh and refuses a tampered or unlisted file', async () => {
    await initBackend(['cpu']);
    const real = fileByteSource();
    const ok = new ModelStore(real);
    const mesh = await ok.loadGraphModel('human/facemesh.json');
    expect(mesh.inputs[0].shape).toEqual([-1, 192, 192, 3]);
    mesh.dispose();

    const tampered: ByteSource = async (path) => {
      const bytes = new Uint8Array(await real(path));
      if (path === 'human/facemesh.bin') bytes[1000] ^= 0xff; // one flipped byte in the weights
      return bytes.buffer;
    };
    expect(await codeOf(new ModelStore(tampered).loadGraphModel('human/facemesh.json'))).toBe(ErrorCode.MODEL_INTEGRITY);
    expect(await codeOf(ok.readVerified('human/not-a-model.json'))).toBe(ErrorCode.MODEL_INTEGRITY);
    const missing: ByteSource = async () => {
      throw new Error('ENOENT');
    };
    expect(await codeOf(new ModelStore(missing).readVerified('human/facemesh.json'))).toBe(ErrorCode.MODEL_LOAD);
  });
});
