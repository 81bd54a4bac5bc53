/**
 * A second opinion on the eyes and brows, for the evaluation only (never in the app): MediaPipe's iris landmark
 * model, as the @vladmandic/human npm package ships it (models/iris.json + .bin, Apache-2.0; pinned here by sha256).
 * It sees one eye at a time, a 64 x 64 crop around it, and gives 71 points of the eye's surroundings (lid contours,
 * three rings around the eye, the brow's upper and lower edge) and 5 of the iris: a finer, eye-specific look than the
 * 468-point face mesh, which sees the whole face at 192 px. MediaPipe's own face landmarker uses it the same way, to
 * refine the mesh's eye points ("refine_landmarks"); `refineEyes` does what @vladmandic/human's iris.ts does: the crop
 * is the box of the eye's two corners enlarged 2.3 times and made square (here also turned by the eye line's roll),
 * the left eye is mirrored so both look like the model's right eye, and the points that correspond to mesh points
 * replace them (`IRIS_TO_MESH`, human's facemeshcoords.ts irisIndices).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { Point3, RGBAImage } from '../engine/index';
import { ROOT } from './platform';

const DIR = join(ROOT, 'node_modules', '@vladmandic', 'human', 'models');
/** sha256 of the files of @vladmandic/human 3.3.6. */
const PINNED: Record<string, string> = {
  'iris.json': '49038ac9dcc09aa05474d91d98e9db5b47af4830929bcf102ed5a56bfbabb465',
  'iris.bin': 'd7f296d184274213d4642681ae186112cbbec77fd2ab066257d3c56a1940bc71',
};
const SIZE = 64;
const ENLARGE = 2.3;

/** Mesh indices of each eye's parts (right eye: the subject's right, image left) and their index among the model's 71 points. */
const MESH_PARTS: Record<string, { right: number[]; left: number[]; iris: number[] }> = {
  EyeUpper0: { right: [246, 161, 160, 159, 158, 157, 173], left: [466, 388, 387, 386, 385, 384, 398], iris: [9, 10, 11, 12, 13, 14, 15] },
  EyeUpper1: { right: [247, 30, 29, 27, 28, 56, 190], left: [467, 260, 259, 257, 258, 286, 414], iris: [25, 26, 27, 28, 29, 30, 31] },
  EyeUpper2: { right: [113, 225, 224, 223, 222, 221, 189], left: [342, 445, 444, 443, 442, 441, 413], iris: [41, 42, 43, 44, 45, 46, 47] },
  EyeLower0: { right: [33, 7, 163, 144, 145, 153, 154, 155, 133], left: [263, 249, 390, 373, 374, 380, 381, 382, 362], iris: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
  EyeLower1: {
    right: [130, 25, 110, 24, 23, 22, 26, 112, 243],
    left: [359, 255, 339, 254, 253, 252, 256, 341, 463],
    iris: [16, 17, 18, 19, 20, 21, 22, 23, 24],
  },
  EyeLower2: {
    right: [226, 31, 228, 229, 230, 231, 232, 233, 244],
    left: [446, 261, 448, 449, 450, 451, 452, 453, 464],
    iris: [32, 33, 34, 35, 36, 37, 38, 39, 40],
  },
  EyeLower3: {
    right: [143, 111, 117, 118, 119, 120, 121, 128, 245],
    left: [372, 340, 346, 347, 348, 349, 350, 357, 465],
    iris: [54, 55, 56, 57, 58, 59, 60, 61, 62],
  },
  EyebrowUpper: { right: [156, 70, 63, 105, 66, 107, 55, 193], left: [383, 300, 293, 334, 296, 336, 285, 417], iris: [63, 64, 65, 66, 67, 68, 69, 70] },
  EyebrowLower: { right: [35, 124, 46, 53, 52, 65], left: [265, 353, 276, 283, 282, 295], iris: [48, 49, 50, 51, 52, 53] },
};
/** [mesh index, model point index, side] for every mesh point the model refines. */
export const IRIS_TO_MESH: readonly (readonly [number, number, 'right' | 'left'])[] = Object.values(MESH_PARTS).flatMap((p) => [
  ...p.right.map((m, k) => [m, p.iris[k], 'right'] as const),
  ...p.left.map((m, k) => [m, p.iris[k], 'left'] as const),
]);
/** The brows' mesh points the model refines (upper and lower edge, both brows). */
export const REFINED_BROW_POINTS: readonly number[] = [
  ...MESH_PARTS.EyebrowUpper.right,
  ...MESH_PARTS.EyebrowUpper.left,
  ...MESH_PARTS.EyebrowLower.right,
  ...MESH_PARTS.EyebrowLower.left,
];

export interface EyeModel {
  /** A copy of the mesh points `pts` (image pixels of `img`) with the eye and brow points the model refines replaced (x, y; z kept). */
  refineEyes(img: RGBAImage, pts: readonly Point3[]): Point3[];
  dispose(): void;
}

function pinned(name: string): Buffer {
  const bytes = readFileSync(join(DIR, name));
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== PINNED[name]) throw new Error(`eye-model: ${name} has sha256 ${got}, pinned ${PINNED[name]} (@vladmandic/human upgraded?)`);
  return bytes;
}

export async function loadEyeModel(): Promise<EyeModel> {
  const json = JSON.parse(pinned('iris.json').toString('utf8'));
  const bin = pinned('iris.bin');
  const model: GraphModel = await loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: new Uint8Array(bin).buffer,
    }),
  });
  return {
    refineEyes(img, pts) {
      const out = pts.map((p) => [...p] as Point3);
      const roll = Math.atan2(pts[263][1] - pts[33][1], pts[263][0] - pts[33][0]);
      const [cos, sin] = [Math.cos(roll), Math.sin(roll)];
      const eyes = [
        { side: 'right' as const, a: 33, b: 133, flip: false },
        { side: 'left' as const, a: 263, b: 362, flip: true },
      ];
      const boxes = eyes.map(({ a, b }) => {
        const cx = (pts[a][0] + pts[b][0]) / 2;
        const cy = (pts[a][1] + pts[b][1]) / 2;
        // the corners' box in the face's upright frame, enlarged and made square
        const w = Math.abs((pts[a][0] - pts[b][0]) * cos + (pts[a][1] - pts[b][1]) * sin);
        const h = Math.abs(-(pts[a][0] - pts[b][0]) * sin + (pts[a][1] - pts[b][1]) * cos);
        return { cx, cy, side: Math.max(w, h) * ENLARGE };
      });
      // only the window of the photo that the two turned crops can reach (their corners lie within side / sqrt 2 of
      // their centres), as RGB floats: not a copy of the whole photo per face
      const reach = (b: (typeof boxes)[number]) => b.side * Math.SQRT1_2 + 2;
      const wx0 = Math.max(0, Math.floor(Math.min(...boxes.map((b) => b.cx - reach(b)))));
      const wy0 = Math.max(0, Math.floor(Math.min(...boxes.map((b) => b.cy - reach(b)))));
      const wx1 = Math.min(img.width, Math.ceil(Math.max(...boxes.map((b) => b.cx + reach(b)))) + 1);
      const wy1 = Math.min(img.height, Math.ceil(Math.max(...boxes.map((b) => b.cy + reach(b)))) + 1);
      const [ww, wh] = [Math.max(1, wx1 - wx0), Math.max(1, wy1 - wy0)];
      const window = new Float32Array(ww * wh * 3);
      for (let y = 0; y < wh; y++)
        for (let x = 0; x < ww; x++) for (let c = 0; c < 3; c++) window[(y * ww + x) * 3 + c] = img.data[((y + wy0) * img.width + x + wx0) * 4 + c];
      const data = tf.tidy(() => {
        const rgb = tf.tensor4d(window, [1, wh, ww, 3]);
        const crops = boxes.map(({ cx: px, cy: py, side }, k) => {
          const [cx, cy] = [px - wx0, py - wy0];
          // output pixel (x, y) (centres at integers) -> image point centre + s R (m (x - o), y - o), m = -1 mirrors
          const s = side / SIZE;
          const o = SIZE / 2 - 0.5;
          const m = eyes[k].flip ? -1 : 1;
          const [a0, a1, b0, b1] = [m * s * cos, -s * sin, m * s * sin, s * cos];
          const t = [a0, a1, cx - (a0 + a1) * o, b0, b1, cy - (b0 + b1) * o, 0, 0];
          return tf.div(tf.image.transform(rgb, tf.tensor2d([t]), 'bilinear', 'nearest', 0, [SIZE, SIZE]), 255);
        });
        return (model.execute(tf.concat(crops)) as tf.Tensor).dataSync();
      });
      const per = data.length / 2;
      eyes.forEach(({ side, flip }, k) => {
        const { cx, cy, side: size } = boxes[k];
        const s = size / SIZE;
        for (const [mesh, idx, which] of IRIS_TO_MESH) {
          if (which !== side) continue;
          // model coordinates are in crop pixels, 0..SIZE; mirrored back for the left eye
          const u = (flip ? SIZE - data[k * per + 3 * idx] : data[k * per + 3 * idx]) - SIZE / 2;
          const v = data[k * per + 3 * idx + 1] - SIZE / 2;
          out[mesh][0] = cx + s * (cos * u - sin * v);
          out[mesh][1] = cy + s * (sin * u + cos * v);
        }
      });
      return out;
    },
    dispose: () => model.dispose(),
  };
}
