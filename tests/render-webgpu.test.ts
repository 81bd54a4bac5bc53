/**
 * The render session's GPU path on the real tfjs WebGPU backend: the WGSL kernels (warp, crop, paste;
 * src/engine/render/webgpu-kernels.ts) that 'auto' picks there, and the generic tfjs-ops path that WebGL uses,
 * both against the CPU backend's typed-array path. In a child process because Dawn's Vulkan loader must
 * be found at process start (scripts/check-render-webgpu.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../src/node/platform';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('render on WebGPU', () => {
  it.skipIf(!existsSync(SWIFTSHADER))(
    'runs the WGSL kernels, matches the CPU backend (stretched lips of a new opening included), leaves the identity untouched and frees its tensors',
    () => {
      const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'check-render-webgpu.ts')], {
        cwd: ROOT,
        env: { ...process.env, LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER },
        encoding: 'utf8',
        timeout: 200_000,
      });
      const line = out.split('\n').find((l) => l.startsWith('{"backend"'));
      expect(line).toBeDefined();
      const r = JSON.parse(line!) as {
        backend: string;
        kernels: string[];
        maxDiff: number[];
        identity: number;
        leaked: number;
        opening: number;
        opsMaxDiff: number[];
        opsLeaked: number;
        peakBytes: { wgsl: number; ops: number };
      };
      expect(r.backend).toBe('webgpu');
      expect(r.kernels).toEqual(['leedWarp', 'leedCrop', 'leedPaste']); // the WGSL programs ran
      // refined (attention 1: the change alone), warp-only, identity, refined (attention ramp), and a closed mouth
      // opened (attention ramp; a new opening, so the session fills it with stretched lips first) renders
      expect(r.maxDiff).toHaveLength(5);
      expect(r.opening).toBe(1);
      expect(Math.max(...r.maxDiff)).toBeLessThanOrEqual(1);
      expect(r.identity).toBe(0); // no motion: every pixel bit-identical
      expect(r.leaked).toBe(0);
      expect(Math.max(...r.opsMaxDiff)).toBeLessThanOrEqual(1); // the WebGL path, run on WebGPU
      expect(r.opsLeaked).toBe(0);
      expect(r.peakBytes.wgsl).toBeLessThan(r.peakBytes.ops); // no full-resolution flow / index temporaries
    },
    210_000,
  );
});
