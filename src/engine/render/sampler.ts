/**
 * Stage 7, sampling: every resampling of pixels the render session does (the interface: sampler-types.ts), with
 * four implementations:
 * - 'js': typed-array loops, for the tfjs CPU and WASM backends (their memory is the CPU's), whose generic
 *   gather and broadcasting kernels are far slower than a direct loop;
 * - 'ops': tfjs ops (resizeBilinear, gather), which any backend runs on its device (WebGL 1);
 * - 'webgpu': fused WGSL kernels (webgpu-kernels.ts), on the tfjs WebGPU backend only;
 * - 'webgl': the same kernels as GLSL programs (webgl-kernels.ts), on the tfjs WebGL backend only.
 * `createSampler` picks one once, for a render session; 'auto' asks tf.getBackend() then: 'js' on the
 * CPU and WASM backends, 'webgpu' on WebGPU, 'webgl' on WebGL 2, 'ops' elsewhere (WebGL 1).
 *
 * All four do the same float32 arithmetic (interpolate.ts): pixel centres at integer coordinates, sample
 * positions clamped to the image, and pixels the warp does not move or the paste does not touch copied bit for
 * bit. The warp samples the photo bicubically at the flow grid upsampled bilinearly (align corners); the
 * aligned crop and the paste-back sample bilinearly. They agree to within a rounding step of 0..255
 * (tests/render.test.ts, tests/render-webgpu.test.ts, e2e/sampler.spec.ts for 'webgl').
 */
import * as tf from '@tensorflow/tfjs-core';
import { EditorError, ErrorCode } from '../errors';
import { applyAffine, cropPixelToImage, type Affine2 } from './aligned-crop';
import { bicubicSample, bilinearSample, sampleCubicInto, sampleInto } from './interpolate';
import type { CropGeometry, CropSampler, Sampler, SamplerKind } from './sampler-types';
import type { FlowGrid } from './warp';
import { extractCropWebGL, pasteWebGL, warpPixelsWebGL } from './webgl-kernels';
import { extractCropWebGPU, pasteWebGPU, warpPixelsWebGPU, type PasteGeometry } from './webgpu-kernels';

/** The sampler for `kind`; 'webgpu' only on the tfjs WebGPU backend, 'webgl' only on WebGL (else BAD_ARGUMENT). */
export function createSampler(kind: SamplerKind = 'auto'): Sampler {
  const backend = tf.getBackend();
  // the GLSL programs use WebGL 2 (GLSL ES 3.00: integer min / clamp); tfjs on a WebGL 1 context gets 'ops'
  const webgl2 = backend === 'webgl' && tf.env().getNumber('WEBGL_VERSION') >= 2;
  // WASM: the typed-array loops over its CPU memory, an order of magnitude faster than its gathers
  const auto = { cpu: 'js', wasm: 'js', webgpu: 'webgpu', webgl: webgl2 ? 'webgl' : 'ops' } as const;
  const which = kind === 'auto' ? (auto[backend as keyof typeof auto] ?? 'ops') : kind;
  if ((which === 'webgpu' || which === 'webgl') && backend !== which)
    throw new EditorError(ErrorCode.BAD_ARGUMENT, `the '${which}' sampler needs the ${which === 'webgpu' ? 'WebGPU' : 'WebGL'} backend, not ${backend}`);
  if (which === 'webgl' && !webgl2) throw new EditorError(ErrorCode.BAD_ARGUMENT, "the 'webgl' sampler needs WebGL 2");
  if (which === 'js') return JS_SAMPLER;
  if (which === 'ops') return OPS_SAMPLER;
  if (which === 'webgpu') return WEBGPU_SAMPLER;
  if (which === 'webgl') return WEBGL_SAMPLER;
  throw new EditorError(ErrorCode.BAD_ARGUMENT, `unknown sampler '${String(kind)}'`);
}

/** Pixels per chunk of the tfjs-ops warp (whole rows, at least one): bounds its temporaries (about a dozen [chunk, C] float32 tensors at a time). */
const OPS_WARP_CHUNK_PIXELS = 1 << 16;
/** Where crop pixel (u, v) samples the pooled ROI (pooled pixel j covers ROI pixels j*pool .. j*pool+pool-1), row-major [S*S]. */
function cropPoints(g: CropGeometry): { xs: Float32Array; ys: Float32Array } {
  const { roi, size, pool } = g;
  const m = cropPixelToImage(g.rect, size);
  const xs = new Float32Array(size * size);
  const ys = new Float32Array(size * size);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const [x, y] = applyAffine(m, [u, v]);
      // pooled pixel j is centred at ROI pixel j*pool + (pool-1)/2
      xs[v * size + u] = (x - roi.x - (pool - 1) / 2) / pool;
      ys[v * size + u] = (y - roi.y - (pool - 1) / 2) / pool;
    }
  }
  return { xs, ys };
}

/** The flow grid as a [rows, cols, 2] tensor (x, y displacement per node). */
function gridTensor(grid: FlowGrid): tf.Tensor3D {
  const inter = new Float32Array(2 * grid.cols * grid.rows);
  for (let k = 0; k < grid.cols * grid.rows; k++) {
    inter[2 * k] = grid.dx[k];
    inter[2 * k + 1] = grid.dy[k];
  }
  return tf.tensor3d(inter, [grid.rows, grid.cols, 2]);
}

/** Typed-array loops: the grid is upsampled inline exactly as resizeBilinear(alignCorners) does; the photo is sampled bicubically. */
const JS_SAMPLER: Sampler = Object.freeze({
  kind: 'js' as const,
  warp(flat: tf.Tensor2D, h: number, w: number, grid: FlowGrid): tf.Tensor2D {
    const C = flat.shape[1];
    const src = flat.dataSync();
    const out = new Float32Array(src.length);
    const { cols, rows, dx, dy } = grid;
    const kx = w > 1 ? (cols - 1) / (w - 1) : 0;
    const ky = h > 1 ? (rows - 1) / (h - 1) : 0;
    for (let j = 0; j < h; j++) {
      const gy = j * ky;
      const r0 = Math.floor(gy);
      const r1 = Math.min(r0 + 1, rows - 1);
      const fy = gy - r0;
      for (let i = 0; i < w; i++) {
        const k = j * w + i;
        const gx = i * kx;
        const c0 = Math.floor(gx);
        const c1 = Math.min(c0 + 1, cols - 1);
        const fx = gx - c0;
        const a = r0 * cols + c0;
        const b = r0 * cols + c1;
        const c = r1 * cols + c0;
        const d = r1 * cols + c1;
        if (dx[a] === 0 && dy[a] === 0 && dx[b] === 0 && dy[b] === 0 && dx[c] === 0 && dy[c] === 0 && dx[d] === 0 && dy[d] === 0) {
          for (let ch = 0; ch < C; ch++) out[k * C + ch] = src[k * C + ch];
          continue;
        }
        const tx = dx[a] + (dx[b] - dx[a]) * fx;
        const bx = dx[c] + (dx[d] - dx[c]) * fx;
        const ty = dy[a] + (dy[b] - dy[a]) * fx;
        const by = dy[c] + (dy[d] - dy[c]) * fx;
        sampleCubicInto(src, h, w, C, i + tx + (bx - tx) * fy, j + ty + (by - ty) * fy, out, k * C);
      }
    }
    return tf.tensor2d(out, [h * w, C]);
  },
  crop(g: CropGeometry): CropSampler {
    const { size, pool } = g;
    const { width: w, height: h } = g.roi;
    const ph = Math.floor(h / pool);
    const pw = Math.floor(w / pool);
    const { xs, ys } = cropPoints(g);
    const { index, weight, u: us, v: vs } = g.paste;
    return {
      extract(roiPixels) {
        const src = roiPixels.dataSync();
        let pooled: ArrayLike<number> = src;
        if (pool > 1) {
          const p = new Float32Array(ph * pw * 4);
          const norm = 1 / (pool * pool);
          for (let j = 0; j < ph; j++)
            for (let dy = 0; dy < pool; dy++) {
              const row = (j * pool + dy) * w * 4;
              for (let i = 0; i < pw; i++)
                for (let dx = 0; dx < pool; dx++) {
                  const o = row + (i * pool + dx) * 4;
                  const q = (j * pw + i) * 4;
                  p[q] += src[o] * norm;
                  p[q + 1] += src[o + 1] * norm;
                  p[q + 2] += src[o + 2] * norm;
                }
            }
          pooled = p;
        }
        const out = new Float32Array(size * size * 3);
        const px = new Float32Array(4);
        for (let k = 0; k < size * size; k++) {
          sampleInto(pooled, ph, pw, 4, xs[k], ys[k], px, 0);
          out[3 * k] = px[0] / 255;
          out[3 * k + 1] = px[1] / 255;
          out[3 * k + 2] = px[2] / 255;
        }
        return tf.tensor4d(out, [1, size, size, 3]);
      },
      paste(roiPixels, crop, refined, attention) {
        const out = Float32Array.from(roiPixels.dataSync());
        const c = crop.dataSync();
        const r = refined.dataSync();
        const att = attention.dataSync();
        // per crop pixel: the change (3) and the crop itself (3), both in 0..255 units, and 1 - attention
        const both = new Float32Array(size * size * 7);
        for (let k = 0; k < size * size; k++) {
          for (let ch = 0; ch < 3; ch++) {
            both[7 * k + ch] = (r[3 * k + ch] - c[3 * k + ch]) * 255;
            both[7 * k + 3 + ch] = c[3 * k + ch] * 255;
          }
          both[7 * k + 6] = 1 - att[k];
        }
        const px = new Float32Array(7);
        for (let a = 0; a < index.length; a++) {
          sampleInto(both, size, size, 7, us[a], vs[a], px, 0);
          const o = 4 * index[a];
          const wt = weight[a];
          const gate = Math.min(1, Math.max(0, px[6]));
          for (let ch = 0; ch < 3; ch++) out[o + ch] += wt * (px[ch] + gate * (px[3 + ch] - out[o + ch]));
        }
        return tf.tensor2d(out, [w * h, 4]);
      },
      dispose() {},
    };
  },
});

/** tfjs ops: the warp gathers its sixteen taps per chunk of rows; the crop's and paste's coordinate tensors are made once, so that each render is same-shape ops and gathers. */
const OPS_SAMPLER: Sampler = Object.freeze({
  kind: 'ops' as const,
  warp(flat: tf.Tensor2D, h: number, w: number, grid: FlowGrid): tf.Tensor2D {
    const C = flat.shape[1];
    const { cols, rows, dx, dy } = grid;
    const kx = w > 1 ? (cols - 1) / (w - 1) : 0;
    const ky = h > 1 ? (rows - 1) / (h - 1) : 0;
    // pixel column i lies between node columns floor(i kx) and the next (as the 'js' sampler upsamples)
    const colNode = Int32Array.from({ length: w }, (_, i) => Math.min(Math.floor(i * kx), cols - 1));
    const nodeMoves = new Uint8Array(cols);
    const up = tf.tidy(() => tf.image.resizeBilinear(gridTensor(grid), [h, w], true)); // [h, w, 2], exact at the nodes
    // Chunks of rows, so that the sixteen gathers' temporaries are [rows * w, C] each, not [h * w, C]. In each
    // chunk only the columns between the first and the last pixel that can move are sampled; the pixels left and
    // right of them, and chunks with no motion at all, are copied bit for bit (the fast path of the other
    // samplers; a pixel sampled where its flow is exactly 0 comes back exactly too: weights (0, 1, 0, 0)).
    const step = Math.max(1, Math.floor(OPS_WARP_CHUNK_PIXELS / Math.max(1, w)));
    const chunks: tf.Tensor2D[] = [];
    for (let r0 = 0; r0 < h; r0 += step) {
      const n = Math.min(step, h - r0);
      // node columns with motion in any node row these pixel rows lie between
      const ra = Math.min(Math.floor(r0 * ky), rows - 1);
      const rb = Math.min(Math.floor((r0 + n - 1) * ky) + 1, rows - 1);
      nodeMoves.fill(0);
      for (let r = ra; r <= rb; r++) for (let c = 0; c < cols; c++) if (dx[r * cols + c] !== 0 || dy[r * cols + c] !== 0) nodeMoves[c] = 1;
      const moves = (i: number) => nodeMoves[colNode[i]] === 1 || nodeMoves[Math.min(colNode[i] + 1, cols - 1)] === 1;
      let iA = 0;
      while (iA < w && !moves(iA)) iA++;
      let iB = w - 1;
      while (iB >= iA && !moves(iB)) iB--;
      chunks.push(
        tf.tidy(() => {
          if (iA > iB) return tf.slice(flat, [r0 * w, 0], [n * w, C]); // nothing moves here
          const m = iB - iA + 1;
          const [ux, uy] = tf.split(tf.slice(up, [r0, iA, 0], [n, m, 2]), 2, 2);
          const xs = tf.add(tf.reshape(ux, [n, m]), tf.reshape(tf.range(iA, iB + 1, 1, 'float32'), [1, m]));
          const ys = tf.add(tf.reshape(uy, [n, m]), tf.reshape(tf.range(r0, r0 + n, 1, 'float32'), [n, 1]));
          const sampled = bicubicSample(flat, h, w, tf.reshape(xs, [n * m]) as tf.Tensor1D, tf.reshape(ys, [n * m]) as tf.Tensor1D);
          if (m === w) return sampled;
          const rowsIn = tf.reshape(tf.slice(flat, [r0 * w, 0], [n * w, C]), [n, w, C]) as tf.Tensor3D;
          const parts: tf.Tensor3D[] = [];
          if (iA > 0) parts.push(tf.slice(rowsIn, [0, 0, 0], [n, iA, C]));
          parts.push(tf.reshape(sampled, [n, m, C]) as tf.Tensor3D);
          if (iB < w - 1) parts.push(tf.slice(rowsIn, [0, iB + 1, 0], [n, w - 1 - iB, C]));
          return tf.reshape(tf.concat(parts, 1), [n * w, C]) as tf.Tensor2D;
        }),
      );
    }
    up.dispose();
    if (chunks.length === 1) return chunks[0];
    const out = tf.concat(chunks, 0) as tf.Tensor2D;
    tf.dispose(chunks);
    return out;
  },
  crop(g: CropGeometry): CropSampler {
    const { roi, size, pool } = g;
    const { width: w, height: h } = roi;
    const n = w * h;
    const ph = Math.floor(h / pool);
    const pw = Math.floor(w / pool);
    const { xs, ys } = cropPoints(g);
    // every ROI pixel's crop position, and the mask (0 where the paste leaves the pixel alone)
    const inv = g.rect.fromImage;
    const pus = new Float32Array(n);
    const pvs = new Float32Array(n);
    const mask = new Float32Array(n);
    for (let j = 0; j < h; j++) {
      const [s0, t0] = applyAffine(inv, [roi.x, roi.y + j]);
      for (let i = 0; i < w; i++) {
        pus[j * w + i] = (s0 + i * inv[0]) * size - 0.5;
        pvs[j * w + i] = (t0 + i * inv[3]) * size - 0.5;
      }
    }
    g.paste.index.forEach((k, a) => {
      mask[k] = g.paste.weight[a];
    });
    const t = { cropX: tf.tensor1d(xs), cropY: tf.tensor1d(ys), pasteU: tf.tensor1d(pus), pasteV: tf.tensor1d(pvs), pasteMask: tf.tensor2d(mask, [n, 1]) };
    return {
      extract(roiPixels) {
        return tf.tidy(() => {
          let src = roiPixels;
          if (pool > 1) src = tf.reshape(tf.avgPool(tf.reshape(roiPixels, [1, h, w, 4]) as tf.Tensor4D, pool, pool, 'valid'), [ph * pw, 4]) as tf.Tensor2D;
          const crop = tf.slice(bilinearSample(src, ph, pw, t.cropX, t.cropY), [0, 0], [size * size, 3]);
          return tf.reshape(tf.div(crop, 255), [1, size, size, 3]) as tf.Tensor4D;
        });
      },
      paste(roiPixels, crop, refined, attention) {
        return tf.tidy(() => {
          const table = tf.concat([tf.mul(tf.sub(refined, crop), 255), tf.mul(crop, 255), tf.sub(1, attention)], 3);
          const sampled = bilinearSample(tf.reshape(table, [size * size, 7]) as tf.Tensor2D, size, size, t.pasteU, t.pasteV);
          const change = tf.slice(sampled, [0, 0], [n, 3]);
          const cropUp = tf.slice(sampled, [0, 3], [n, 3]);
          const gate = tf.clipByValue(tf.slice(sampled, [0, 6], [n, 1]), 0, 1);
          const rgb = tf.slice(roiPixels, [0, 0], [n, 3]);
          const detail = tf.mul(gate, tf.sub(cropUp, rgb));
          // where the mask is 0 the pixel passes unchanged; alpha always does
          const outRgb = tf.add(rgb, tf.mul(t.pasteMask, tf.add(change, detail)));
          return tf.concat([outRgb, tf.slice(roiPixels, [0, 3], [n, 1])], 1) as tf.Tensor2D;
        });
      },
      dispose() {
        tf.dispose(Object.values(t));
      },
    };
  },
});

/** The paste mask over the paste rect, and the ROI pixel -> crop pixel map, as the WGSL and GLSL kernels take them. */
function pasteGeometry(g: CropGeometry): PasteGeometry {
  const { roi, size } = g;
  const w = roi.width;
  const { rect, index, weight } = g.paste;
  const mask = new Float32Array(rect.width * rect.height);
  index.forEach((k, a) => {
    mask[(Math.floor(k / w) - rect.y) * rect.width + (k % w) - rect.x] = weight[a];
  });
  // ROI pixel (i, j) -> crop pixel (u, v) = S (s, t) - 0.5, with (s, t) = inv(roi.x + i, roi.y + j)
  const inv = g.rect.fromImage;
  const toCrop: Affine2 = [
    size * inv[0],
    size * inv[1],
    size * (inv[0] * roi.x + inv[1] * roi.y + inv[2]) - 0.5,
    size * inv[3],
    size * inv[4],
    size * (inv[3] * roi.x + inv[4] * roi.y + inv[5]) - 0.5,
  ];
  return { rect, mask: tf.tensor1d(mask.length ? mask : new Float32Array(1)), toCrop };
}

/** Crop pixel (u, v) -> pooled ROI coordinates, as cropPoints. */
function cropMap(g: CropGeometry): Affine2 {
  const { roi, size, pool } = g;
  const m = cropPixelToImage(g.rect, size);
  return [m[0] / pool, m[1] / pool, (m[2] - roi.x - (pool - 1) / 2) / pool, m[3] / pool, m[4] / pool, (m[5] - roi.y - (pool - 1) / 2) / pool];
}

/**
 * The crop sampler of the GPU kernels (WGSL or GLSL): the crop map and the paste geometry computed once per crop
 * geometry, the kernels' own extract and paste on top (the WGSL ones share the GLSL ones' signatures).
 */
function kernelCrop(g: CropGeometry, extract: typeof extractCropWebGL, paste: typeof pasteWebGL): CropSampler {
  const { roi, size, pool } = g;
  const { width: w, height: h } = roi;
  const geo = pasteGeometry(g);
  const m = cropMap(g);
  return {
    extract: (roiPixels) => extract(roiPixels, h, w, pool, size, m),
    paste: (roiPixels, crop, refined, attention) => paste(roiPixels, h, w, crop, refined, attention, size, geo),
    dispose() {
      geo.mask.dispose();
    },
  };
}

/** WGSL kernels: the crop and paste positions are computed inline from affine maps; only the paste mask is a tensor. */
const WEBGPU_SAMPLER: Sampler = Object.freeze({
  kind: 'webgpu' as const,
  warp(flat: tf.Tensor2D, h: number, w: number, grid: FlowGrid): tf.Tensor2D {
    // one fused kernel: grid upsampling + sampling, no full-resolution flow or index tensors
    return tf.tidy(() => warpPixelsWebGPU(flat, h, w, tf.reshape(gridTensor(grid), [-1]) as tf.Tensor1D, grid.cols, grid.rows));
  },
  crop(g: CropGeometry): CropSampler {
    return kernelCrop(g, extractCropWebGPU, (roiPixels, h, w, crop, refined, attention, size, geo) =>
      tf.tidy(() => {
        // per crop pixel, two vec4s: change RGB (0..255) and 1 - attention; crop RGB (0..255) and 0
        const zero = tf.zeros([1, size, size, 1]);
        const table = tf.concat([tf.mul(tf.sub(refined, crop), 255), tf.sub(1, attention), tf.mul(crop, 255), zero], 3);
        return pasteWebGPU(roiPixels, h, w, tf.reshape(table, [-1]) as tf.Tensor1D, size, geo);
      }),
    );
  },
});

/** GLSL programs, the WGSL kernels' twins: the paste reads the crop, the refined crop and the attention directly (no table). */
const WEBGL_SAMPLER: Sampler = Object.freeze({
  kind: 'webgl' as const,
  warp(flat: tf.Tensor2D, h: number, w: number, grid: FlowGrid): tf.Tensor2D {
    return tf.tidy(() => warpPixelsWebGL(flat, h, w, gridTensor(grid)));
  },
  crop(g: CropGeometry): CropSampler {
    return kernelCrop(g, extractCropWebGL, pasteWebGL);
  },
});
