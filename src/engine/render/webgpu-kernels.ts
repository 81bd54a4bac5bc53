/**
 * WGSL kernels for the render path on the tfjs WebGPU backend, run through the backend's own program
 * machinery (`WebGPUBackend.runWebGPUProgram`): the same buffers, command queue, pipeline cache and
 * tensor bookkeeping as tfjs's built-in kernels, so the results are ordinary tensors.
 *
 * Each kernel replaces a chain of some ten to a hundred generic tfjs ops (resizeBilinear of the flow grid,
 * range/add/reshape, four or sixteen gathers, slices and concats) and their full-resolution temporaries
 * with one pass that reads the ROI once and writes the result once. The arithmetic is that of the
 * typed-array ('js') sampler in sampler.ts, in float32:
 * - pixel centres at integer coordinates, sample positions clamped to the image;
 * - the warp samples the photo bicubically (Catmull-Rom, a = -0.5, 4 x 4 taps clamped to the edge, the
 *   result clamped to 0..255: interpolate.ts sampleCubicInto), the crop and the paste-back bilinearly
 *   (interpolate.ts sampleInto);
 * - the flow grid upsampled with align-corners bilinear interpolation, inline per pixel;
 * - a pixel whose four surrounding grid nodes carry no motion (warp), or whose paste mask is 0
 *   (paste-back), is copied unchanged, so those pixels are bit-identical.
 *
 * Only the backend's types are imported here: the backend itself is loaded by backend.ts when WebGPU
 * is chosen, and only the 'webgpu' sampler (sampler.ts) calls these, which it allows only on that backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { Affine2 } from './aligned-crop';

const WORKGROUP = 64;

/** A flat program: one invocation per `threads` item, `main(index)` gets the item's index. */
function flatProgram(
  name: string,
  outputShape: number[],
  threads: number,
  variableNames: string[],
  variableComponents: number[],
  outputComponent: number,
  uniforms: string,
  body: string,
): WebGPUProgram {
  return {
    shaderKey: name,
    outputShape,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(threads / WORKGROUP), 1, 1], // the backend reshapes it when it exceeds the device's limit
    workgroupSize: [WORKGROUP, 1, 1],
    variableNames,
    variableComponents,
    outputComponent,
    uniforms,
    getUserCode: () => body,
  };
}

function run(program: WebGPUProgram, inputs: tf.Tensor[], uniforms: Array<{ type: 'float32' | 'int32'; data: number[] }>): tf.Tensor {
  const backend = tf.backend() as unknown as WebGPUBackend;
  const info = backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Bilinear read of a vec4 image in `buffer` (w x h, row-major, every `stride`-th vec4 from `offset`) at (x, y), clamped: as interpolate.ts sampleInto. */
function sampler4(fnName: string, buffer: string, stride: number, offset: number): string {
  const at = (p: string) => (stride === 1 ? `${buffer}[${p}]` : `${buffer}[${stride} * (${p}) + ${offset}]`);
  return `
    fn ${fnName}(xIn : f32, yIn : f32, w : i32, h : i32) -> vec4<f32> {
      let sx = clamp(xIn, 0.0, f32(w - 1));
      let sy = clamp(yIn, 0.0, f32(h - 1));
      let x0 = i32(floor(sx));
      let y0 = i32(floor(sy));
      let fx = sx - f32(x0);
      let fy = sy - f32(y0);
      let x1 = min(x0 + 1, w - 1);
      let y1 = min(y0 + 1, h - 1);
      let v00 = ${at('y0 * w + x0')};
      let v10 = ${at('y0 * w + x1')};
      let v01 = ${at('y1 * w + x0')};
      let v11 = ${at('y1 * w + x1')};
      let top = v00 + (v10 - v00) * fx;
      let bottom = v01 + (v11 - v01) * fx;
      return top + (bottom - top) * fy;
    }`;
}

/**
 * Bicubic (Catmull-Rom, a = -0.5) read of a vec4 image in `buffer` (w x h, row-major) at (x, y): the
 * position clamped to the image, the 4 x 4 taps to its edge, the result to 0..255; as sampler.ts
 * sampleCubicInto (the same weight polynomials, (0, 1, 0, 0) at a pixel).
 */
function cubicSampler4(fnName: string, buffer: string): string {
  return `
    fn ${fnName}Weights(t : f32) -> vec4<f32> {
      return vec4<f32>(((-0.5 * t + 1.0) * t - 0.5) * t, (1.5 * t - 2.5) * t * t + 1.0, ((-1.5 * t + 2.0) * t + 0.5) * t, (0.5 * t - 0.5) * t * t);
    }
    fn ${fnName}Row(row : i32, cx : vec4<i32>, wx : vec4<f32>) -> vec4<f32> {
      return ${buffer}[row + cx.x] * wx.x + ${buffer}[row + cx.y] * wx.y + ${buffer}[row + cx.z] * wx.z + ${buffer}[row + cx.w] * wx.w;
    }
    fn ${fnName}(xIn : f32, yIn : f32, w : i32, h : i32) -> vec4<f32> {
      let sx = clamp(xIn, 0.0, f32(w - 1));
      let sy = clamp(yIn, 0.0, f32(h - 1));
      let x0 = i32(floor(sx));
      let y0 = i32(floor(sy));
      let wx = ${fnName}Weights(sx - f32(x0));
      let wy = ${fnName}Weights(sy - f32(y0));
      let cx = clamp(vec4<i32>(x0 - 1, x0, x0 + 1, x0 + 2), vec4<i32>(0), vec4<i32>(w - 1));
      let ry = clamp(vec4<i32>(y0 - 1, y0, y0 + 1, y0 + 2), vec4<i32>(0), vec4<i32>(h - 1)) * w;
      var acc = ${fnName}Row(ry.x, cx, wx) * wy.x;
      acc += ${fnName}Row(ry.y, cx, wx) * wy.y;
      acc += ${fnName}Row(ry.z, cx, wx) * wy.z;
      acc += ${fnName}Row(ry.w, cx, wx) * wy.w;
      return clamp(acc, vec4<f32>(0.0), vec4<f32>(255.0));
    }`;
}

/**
 * The warp: `pixels` ([h*w, 4] float, 0..255) resampled bicubically (Catmull-Rom, clamped to 0..255) at
 * (i, j) + flow(i, j), where the flow is the rows x cols grid `flow` ([rows*cols*2], x then y per node)
 * upsampled bilinearly with align corners.
 */
export function warpPixelsWebGPU(pixels: tf.Tensor2D, h: number, w: number, flow: tf.Tensor1D, cols: number, rows: number): tf.Tensor2D {
  const program = flatProgram(
    'leedWarp',
    [h * w, 4],
    h * w,
    ['x', 'flow'],
    [4, 1],
    4,
    'width : i32, height : i32, cols : i32, rows : i32, kx : f32, ky : f32,',
    `
    ${cubicSampler4('sampleX', 'x')}
    fn node(r : i32, c : i32) -> vec2<f32> {
      let k = 2 * (r * uniforms.cols + c);
      return vec2<f32>(flow[k], flow[k + 1]);
    }
    fn main(index : i32) {
      let w = uniforms.width;
      let h = uniforms.height;
      if (index >= w * h) { return; }
      let j = index / w;
      let i = index - j * w;
      let gx = f32(i) * uniforms.kx;
      let gy = f32(j) * uniforms.ky;
      let c0 = clamp(i32(floor(gx)), 0, uniforms.cols - 1);
      let r0 = clamp(i32(floor(gy)), 0, uniforms.rows - 1);
      let c1 = min(c0 + 1, uniforms.cols - 1);
      let r1 = min(r0 + 1, uniforms.rows - 1);
      let fx = gx - f32(c0);
      let fy = gy - f32(r0);
      let a = node(r0, c0);
      let b = node(r0, c1);
      let c = node(r1, c0);
      let d = node(r1, c1);
      if (all(a == vec2<f32>(0.0)) && all(b == vec2<f32>(0.0)) && all(c == vec2<f32>(0.0)) && all(d == vec2<f32>(0.0))) {
        setOutputAtIndex(index, x[index]); // no motion: the pixel itself, bit for bit
        return;
      }
      let t = a + (b - a) * fx;
      let u = c + (d - c) * fx;
      let m = t + (u - t) * fy;
      setOutputAtIndex(index, sampleX(f32(i) + m.x, f32(j) + m.y, w, h));
    }`,
  );
  return run(
    program,
    [pixels, flow],
    [
      { type: 'int32', data: [w] },
      { type: 'int32', data: [h] },
      { type: 'int32', data: [cols] },
      { type: 'int32', data: [rows] },
      { type: 'float32', data: [w > 1 ? (cols - 1) / (w - 1) : 0] },
      { type: 'float32', data: [h > 1 ? (rows - 1) / (h - 1) : 0] },
    ],
  ) as tf.Tensor2D;
}

/**
 * The aligned crop: `pixels` ([h*w, 4], 0..255) box-filtered by `pool` (pooled pixel (pi, pj) = mean of
 * ROI pixels pi*pool .. +pool-1, pj*pool .. +pool-1) and sampled bilinearly at pooled coordinates
 * `m` applied to crop pixel (u, v) -> [1, S, S, 3], RGB 0..1.
 */
export function extractCropWebGPU(pixels: tf.Tensor2D, h: number, w: number, pool: number, size: number, m: Affine2): tf.Tensor4D {
  const ph = Math.floor(h / pool);
  const pw = Math.floor(w / pool);
  const program = flatProgram(
    'leedCrop',
    [1, size, size, 3],
    size * size,
    ['x'],
    [4],
    1,
    'width : i32, pw : i32, ph : i32, pool : i32, size : i32, a0 : f32, a1 : f32, a2 : f32, a3 : f32, a4 : f32, a5 : f32,',
    `
    fn pooled(pi : i32, pj : i32) -> vec4<f32> {
      let p = uniforms.pool;
      let norm = 1.0 / f32(p * p);
      var s = vec4<f32>(0.0);
      for (var dy = 0; dy < p; dy++) {
        let row = (pj * p + dy) * uniforms.width + pi * p;
        for (var dx = 0; dx < p; dx++) { s += x[row + dx] * norm; }
      }
      return s;
    }
    fn main(index : i32) {
      let S = uniforms.size;
      if (index >= S * S) { return; }
      let v = index / S;
      let u = index - v * S;
      let xs = clamp(uniforms.a0 * f32(u) + uniforms.a1 * f32(v) + uniforms.a2, 0.0, f32(uniforms.pw - 1));
      let ys = clamp(uniforms.a3 * f32(u) + uniforms.a4 * f32(v) + uniforms.a5, 0.0, f32(uniforms.ph - 1));
      let x0 = i32(floor(xs));
      let y0 = i32(floor(ys));
      let fx = xs - f32(x0);
      let fy = ys - f32(y0);
      let x1 = min(x0 + 1, uniforms.pw - 1);
      let y1 = min(y0 + 1, uniforms.ph - 1);
      let v00 = pooled(x0, y0);
      let v10 = pooled(x1, y0);
      let v01 = pooled(x0, y1);
      let v11 = pooled(x1, y1);
      let top = v00 + (v10 - v00) * fx;
      let bottom = v01 + (v11 - v01) * fx;
      let px = (top + (bottom - top) * fy) / 255.0;
      result[3 * index] = px.x;
      result[3 * index + 1] = px.y;
      result[3 * index + 2] = px.z;
    }`,
  );
  return run(
    program,
    [pixels],
    [
      { type: 'int32', data: [w] },
      { type: 'int32', data: [pw] },
      { type: 'int32', data: [ph] },
      { type: 'int32', data: [pool] },
      { type: 'int32', data: [size] },
      ...m.map((a) => ({ type: 'float32' as const, data: [a] })),
    ],
  ) as tf.Tensor4D;
}

/** Where the paste-back acts: the mask over `rect` (ROI pixels), and ROI pixel (i, j) -> crop pixel (u, v). */
export interface PasteGeometry {
  rect: { x: number; y: number; width: number; height: number };
  /** [rect.height * rect.width] feathered mask weights, 0 where the paste leaves the pixel alone. */
  mask: tf.Tensor1D;
  /** ROI pixel (i, j) -> crop pixel coordinates (u, v), pixel centres at integers. */
  toCrop: Affine2;
}

/**
 * The paste-back: `pixels` ([h*w, 4], 0..255) + mask * (change + g * (cropUp - pixels)) on RGB, where
 * `table` ([S*S*8]: change RGB (0..255), 1 - attention, crop RGB (0..255), 0 per crop pixel) is sampled
 * bilinearly at the pixel's crop position, and g = clamp(1 - attention, 0, 1). Alpha and pixels with
 * mask 0 are copied.
 */
export function pasteWebGPU(pixels: tf.Tensor2D, h: number, w: number, table: tf.Tensor1D, size: number, geo: PasteGeometry): tf.Tensor2D {
  const program = flatProgram(
    'leedPaste',
    [h * w, 4],
    h * w,
    ['x', 'table', 'mask'],
    [4, 4, 1],
    4,
    'width : i32, height : i32, size : i32, rx : i32, ry : i32, rw : i32, rh : i32, ' + 'a0 : f32, a1 : f32, a2 : f32, a3 : f32, a4 : f32, a5 : f32,',
    `
    ${sampler4('sampleChange', 'table', 2, 0)}
    ${sampler4('sampleCrop', 'table', 2, 1)}
    fn main(index : i32) {
      let w = uniforms.width;
      if (index >= w * uniforms.height) { return; }
      let j = index / w;
      let i = index - j * w;
      let p = x[index];
      let li = i - uniforms.rx;
      let lj = j - uniforms.ry;
      if (li < 0 || lj < 0 || li >= uniforms.rw || lj >= uniforms.rh) { setOutputAtIndex(index, p); return; }
      let wt = mask[lj * uniforms.rw + li];
      if (!(wt > 0.0)) { setOutputAtIndex(index, p); return; }
      let u = uniforms.a0 * f32(i) + uniforms.a1 * f32(j) + uniforms.a2;
      let v = uniforms.a3 * f32(i) + uniforms.a4 * f32(j) + uniforms.a5;
      let ch = sampleChange(u, v, uniforms.size, uniforms.size);
      let cr = sampleCrop(u, v, uniforms.size, uniforms.size);
      let g = clamp(ch.w, 0.0, 1.0);
      let rgb = p.xyz + wt * (ch.xyz + g * (cr.xyz - p.xyz));
      setOutputAtIndex(index, vec4<f32>(rgb, p.w));
    }`,
  );
  const { rect, toCrop } = geo;
  return run(
    program,
    [pixels, table, geo.mask],
    [
      { type: 'int32', data: [w] },
      { type: 'int32', data: [h] },
      { type: 'int32', data: [size] },
      { type: 'int32', data: [rect.x] },
      { type: 'int32', data: [rect.y] },
      { type: 'int32', data: [rect.width] },
      { type: 'int32', data: [rect.height] },
      ...toCrop.map((a) => ({ type: 'float32' as const, data: [a] })),
    ],
  ) as tf.Tensor2D;
}
