/**
 * GLSL programs for the render path on the tfjs WebGL backend, run through the backend's own program
 * machinery (`MathBackendWebGL.compileAndRun`): the same textures, shader cache and tensor bookkeeping
 * as tfjs's built-in kernels, so the results are ordinary tensors. They are the WebGL twins of the WGSL
 * kernels (webgpu-kernels.ts) and do the same float32 arithmetic, that of the typed-array ('js') sampler
 * in sampler.ts:
 * - pixel centres at integer coordinates, sample positions clamped to the image;
 * - the warp samples the photo bicubically (Catmull-Rom, a = -0.5, 4 x 4 taps clamped to the edge, the
 *   result clamped to 0..255: interpolate.ts sampleCubicInto), the crop and the paste-back bilinearly
 *   (interpolate.ts sampleInto);
 * - the flow grid upsampled with align-corners bilinear interpolation, inline per pixel;
 * - a pixel whose four surrounding grid nodes carry no motion (warp), or whose paste mask is 0
 *   (paste-back), is copied unchanged, so those pixels are bit-identical.
 *
 * Each replaces a chain of generic tfjs ops and their full-resolution index and coordinate tensors with
 * one pass. The programs write unpacked textures, one value per fragment (a pixel's channel), so each
 * fragment recomputes its pixel's sampling position: cheap next to the texture reads.
 *
 * GLSL ES 3.00 (WebGL 2: integer min / clamp, loops; sampler.ts uses them on WebGL 2 only).
 * Sizes are baked into the shader source (as tfjs's own programs do without shape uniforms): one
 * compilation per ROI and crop size, i.e. per render session. Real-valued parameters (the affine maps,
 * the grid's scale) are uniforms.
 *
 * Only the backend's types are imported here: the backend itself is loaded by backend.ts when WebGL is
 * chosen, and only the 'webgl' sampler (sampler.ts) calls these, which it allows only on that backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { Affine2 } from './aligned-crop';
import type { PasteGeometry } from './webgpu-kernels';

function run(program: GPGPUProgram, inputs: tf.Tensor[], uniforms: number[][]): tf.Tensor {
  const backend = tf.backend() as unknown as MathBackendWebGL;
  const info = backend.compileAndRun(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** An integer as a GLSL int literal (sizes baked into the source). */
function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}

/**
 * Bilinear read of channel `ch` of a w x h image through `fetch(x, y, ch)` (GLSL expressions of integer
 * pixel coordinates) at (x, y), clamped: as interpolate.ts sampleInto.
 */
function sampler1(fnName: string, fetch: (x: string, y: string, ch: string) => string, w: number, h: number): string {
  return `
    float ${fnName}(float xIn, float yIn, int ch) {
      float sx = clamp(xIn, 0.0, ${int(w - 1)}.0);
      float sy = clamp(yIn, 0.0, ${int(h - 1)}.0);
      int x0 = int(floor(sx));
      int y0 = int(floor(sy));
      float fx = sx - float(x0);
      float fy = sy - float(y0);
      int x1 = min(x0 + 1, ${int(w - 1)});
      int y1 = min(y0 + 1, ${int(h - 1)});
      float v00 = ${fetch('x0', 'y0', 'ch')};
      float v10 = ${fetch('x1', 'y0', 'ch')};
      float v01 = ${fetch('x0', 'y1', 'ch')};
      float v11 = ${fetch('x1', 'y1', 'ch')};
      float top = v00 + (v10 - v00) * fx;
      float bottom = v01 + (v11 - v01) * fx;
      return top + (bottom - top) * fy;
    }`;
}

/**
 * Bicubic (Catmull-Rom, a = -0.5) read of channel `ch` of a w x h image through `fetch(x, y, ch)` at
 * (x, y): the position clamped to the image, the 4 x 4 taps to its edge, the result to 0..255; as
 * interpolate.ts sampleCubicInto (the same weight polynomials, (0, 1, 0, 0) at a pixel).
 */
function cubicSampler1(fnName: string, fetch: (x: string, y: string, ch: string) => string, w: number, h: number): string {
  const row = (y: string) => `dot(wx, vec4(${['cx.x', 'cx.y', 'cx.z', 'cx.w'].map((x) => fetch(x, y, 'ch')).join(', ')}))`;
  return `
    vec4 ${fnName}Weights(float t) {
      return vec4(((-0.5 * t + 1.0) * t - 0.5) * t, (1.5 * t - 2.5) * t * t + 1.0, ((-1.5 * t + 2.0) * t + 0.5) * t, (0.5 * t - 0.5) * t * t);
    }
    float ${fnName}(float xIn, float yIn, int ch) {
      float sx = clamp(xIn, 0.0, ${int(w - 1)}.0);
      float sy = clamp(yIn, 0.0, ${int(h - 1)}.0);
      int x0 = int(floor(sx));
      int y0 = int(floor(sy));
      vec4 wx = ${fnName}Weights(sx - float(x0));
      vec4 wy = ${fnName}Weights(sy - float(y0));
      ivec4 cx = clamp(ivec4(x0 - 1, x0, x0 + 1, x0 + 2), 0, ${int(w - 1)});
      ivec4 ry = clamp(ivec4(y0 - 1, y0, y0 + 1, y0 + 2), 0, ${int(h - 1)});
      float acc = ${row('ry.x')} * wy.x;
      acc += ${row('ry.y')} * wy.y;
      acc += ${row('ry.z')} * wy.z;
      acc += ${row('ry.w')} * wy.w;
      return clamp(acc, 0.0, 255.0);
    }`;
}

/**
 * The warp: `pixels` ([h*w, C] float, 0..255) resampled bicubically (Catmull-Rom, clamped to 0..255) at
 * (i, j) + flow(i, j), where the flow is the rows x cols grid `flow` ([rows, cols, 2], x then y per
 * node) upsampled bilinearly with align corners.
 */
export function warpPixelsWebGL(pixels: tf.Tensor2D, h: number, w: number, flow: tf.Tensor3D): tf.Tensor2D {
  const [rows, cols] = flow.shape;
  const C = pixels.shape[1];
  const program: GPGPUProgram = {
    variableNames: ['X', 'Flow'],
    outputShape: [h * w, C],
    customUniforms: [
      { name: 'kx', type: 'float' },
      { name: 'ky', type: 'float' },
    ],
    userCode: `
    ${cubicSampler1('sampleX', (x, y, ch) => `getX(${y} * ${int(w)} + ${x}, ${ch})`, w, h)}
    vec2 node(int r, int c) {
      return vec2(getFlow(r, c, 0), getFlow(r, c, 1));
    }
    void main() {
      ivec2 coords = getOutputCoords();
      int k = coords.x;
      int ch = coords.y;
      int j = k / ${int(w)};
      int i = k - j * ${int(w)};
      float gx = float(i) * kx;
      float gy = float(j) * ky;
      int c0 = clamp(int(floor(gx)), 0, ${int(cols - 1)});
      int r0 = clamp(int(floor(gy)), 0, ${int(rows - 1)});
      int c1 = min(c0 + 1, ${int(cols - 1)});
      int r1 = min(r0 + 1, ${int(rows - 1)});
      float fx = gx - float(c0);
      float fy = gy - float(r0);
      vec2 a = node(r0, c0);
      vec2 b = node(r0, c1);
      vec2 c = node(r1, c0);
      vec2 d = node(r1, c1);
      vec2 zero = vec2(0.0);
      if (a == zero && b == zero && c == zero && d == zero) {
        setOutput(getX(k, ch)); // no motion: the pixel itself, bit for bit
        return;
      }
      vec2 t = a + (b - a) * fx;
      vec2 u = c + (d - c) * fx;
      vec2 m = t + (u - t) * fy;
      setOutput(sampleX(float(i) + m.x, float(j) + m.y, ch));
    }`,
  };
  return run(program, [pixels, flow], [[w > 1 ? (cols - 1) / (w - 1) : 0], [h > 1 ? (rows - 1) / (h - 1) : 0]]) as tf.Tensor2D;
}

/**
 * The aligned crop: `pixels` ([h*w, 4], 0..255) box-filtered by `pool` (pooled pixel (pi, pj) = mean of
 * ROI pixels pi*pool .. +pool-1, pj*pool .. +pool-1) and sampled bilinearly at pooled coordinates
 * `m` applied to crop pixel (u, v) -> [1, S, S, 3], RGB 0..1.
 */
export function extractCropWebGL(pixels: tf.Tensor2D, h: number, w: number, pool: number, size: number, m: Affine2): tf.Tensor4D {
  const ph = Math.floor(h / pool);
  const pw = Math.floor(w / pool);
  const program: GPGPUProgram = {
    variableNames: ['X'],
    outputShape: [1, size, size, 3],
    customUniforms: [
      { name: 'mx', type: 'vec3' },
      { name: 'my', type: 'vec3' },
    ],
    userCode: `
    float pooled(int pi, int pj, int ch) {
      float norm = 1.0 / ${int(pool * pool)}.0;
      float s = 0.0;
      for (int dy = 0; dy < ${int(pool)}; dy++) {
        int row = (pj * ${int(pool)} + dy) * ${int(w)} + pi * ${int(pool)};
        for (int dx = 0; dx < ${int(pool)}; dx++) { s += getX(row + dx, ch) * norm; }
      }
      return s;
    }
    ${sampler1('samplePooled', (x, y, ch) => `pooled(${x}, ${y}, ${ch})`, pw, ph)}
    void main() {
      ivec4 coords = getOutputCoords();
      float u = float(coords.z);
      float v = float(coords.y);
      float xs = mx.x * u + mx.y * v + mx.z;
      float ys = my.x * u + my.y * v + my.z;
      setOutput(samplePooled(xs, ys, coords.w) / 255.0);
    }`,
  };
  return run(program, [pixels], [m.slice(0, 3), m.slice(3, 6)]) as tf.Tensor4D;
}

/**
 * The paste-back: `pixels` ([h*w, 4], 0..255) + mask * (change + g * (cropUp - pixels)) on RGB, where the
 * change ((refined - crop) * 255), the crop (* 255) and 1 - attention are sampled bilinearly at the
 * pixel's crop position (each corner's value formed first, then interpolated, as sampler.ts does), and
 * g = clamp(1 - attention, 0, 1). Alpha and pixels with mask 0 are copied.
 */
export function pasteWebGL(
  pixels: tf.Tensor2D,
  h: number,
  w: number,
  crop: tf.Tensor4D,
  refined: tf.Tensor4D,
  attention: tf.Tensor4D,
  size: number,
  geo: PasteGeometry,
): tf.Tensor2D {
  const { rect, toCrop } = geo;
  const S = size;
  const program: GPGPUProgram = {
    variableNames: ['X', 'Crop', 'Refined', 'Attention', 'Mask'],
    outputShape: [h * w, 4],
    customUniforms: [
      { name: 'mu', type: 'vec3' },
      { name: 'mv', type: 'vec3' },
    ],
    userCode: `
    // per crop pixel (x, y) and channel: the change (0..255), the crop (0..255), 1 - attention
    ${sampler1('sampleChange', (x, y, ch) => `(getRefined(0, ${y}, ${x}, ${ch}) - getCrop(0, ${y}, ${x}, ${ch})) * 255.0`, S, S)}
    ${sampler1('sampleCrop', (x, y, ch) => `getCrop(0, ${y}, ${x}, ${ch}) * 255.0`, S, S)}
    ${sampler1('sampleGate', (x, y) => `1.0 - getAttention(0, ${y}, ${x}, 0)`, S, S)}
    void main() {
      ivec2 coords = getOutputCoords();
      int k = coords.x;
      int ch = coords.y;
      float p = getX(k, ch);
      if (ch == 3) { setOutput(p); return; }
      int j = k / ${int(w)};
      int i = k - j * ${int(w)};
      int li = i - ${int(rect.x)};
      int lj = j - ${int(rect.y)};
      if (li < 0 || lj < 0 || li >= ${int(rect.width)} || lj >= ${int(rect.height)}) { setOutput(p); return; }
      float wt = getMask(lj * ${int(rect.width)} + li);
      if (!(wt > 0.0)) { setOutput(p); return; }
      float u = mu.x * float(i) + mu.y * float(j) + mu.z;
      float v = mv.x * float(i) + mv.y * float(j) + mv.z;
      float change = sampleChange(u, v, ch);
      float cropUp = sampleCrop(u, v, ch);
      float g = clamp(sampleGate(u, v, 0), 0.0, 1.0);
      setOutput(p + wt * (change + g * (cropUp - p)));
    }`,
  };
  return run(program, [pixels, crop, refined, attention, geo.mask], [toCrop.slice(0, 3), toCrop.slice(3, 6)]) as tf.Tensor2D;
}
