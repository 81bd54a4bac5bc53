/**
 * The render session's GPU path (tfjs ops) on the real tfjs WebGPU backend, in a child process because
 * Dawn's Vulkan loader must be found at process start (scripts/check-render-webgpu.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../src/node/platform';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('render on WebGPU', () => {
  it.skipIf(!existsSync(SWIFTSHADER))('matches the CPU backend, leaves the identity untouched and frees its tensors', () => {
    const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'check-render-webgpu.ts')], {
      cwd: ROOT,
      env: { ...process.env, LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER },
      encoding: 'utf8',
      timeout: 110_000,
    });
    const line = out.split('\n').find((l) => l.startsWith('{"backend"'));
    expect(line).toBeDefined();
    const r = JSON.parse(line!) as { backend: string; maxDiff: number[]; identity: number; leaked: number };
    expect(r.backend).toBe('webgpu');
    expect(Math.max(...r.maxDiff)).toBeLessThanOrEqual(1); // refined, warp-only and identity renders
    expect(r.identity).toBeLessThanOrEqual(1);
    expect(r.leaked).toBe(0);
  });
});
