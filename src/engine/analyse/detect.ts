/**
 * Stage 2, detect: BlazeFace (MediaPipe, via @vladmandic/human) over the whole image, letterboxed
 * to 256x256. Returns every face with its box, score and six keypoints in image pixels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { FaceBox, Point2 } from '../types';
import type { ModelStore } from '../runtime/models';

export interface DetectorConfig {
  minScore: number;
  iouThreshold: number;
  maxFaces: number;
}
const DEFAULT_DETECTOR_CONFIG: DetectorConfig = { minScore: 0.5, iouThreshold: 0.3, maxFaces: 10 };

/** The detector's input side: every image it is given is letterboxed and resized to this. */
export const DETECTOR_INPUT = 256;
const INPUT = DETECTOR_INPUT;

/**
 * The model's four heads before its own reshapes (which fix the input at 256): scores and boxes at stride 16 (2
 * anchors a cell), then at stride 32 (6 anchors). Taken as outputs, the fully convolutional network runs on any
 * input side that is a multiple of 32.
 */
const HEADS = ['conv2d_33', 'conv2d_35', 'conv2d_34', 'conv2d_36'].map((c) => `StatefulPartitionedCall/functional_1/${c}/BiasAdd`);

/** The graph's input declared as any height and width (it is fixed at 256 only by the reshapes that HEADS skip). */
function freeInputSide(json: tf.io.ModelJSON): void {
  const nodes = (json.modelTopology as { node: { op: string; attr?: { shape?: { shape?: { dim?: { size: string }[] } } } }[] }).node;
  for (const n of nodes) {
    const dim = n.op === 'Placeholder' ? n.attr?.shape?.shape?.dim : undefined;
    if (dim?.length === 4) for (const d of [dim[1], dim[2]]) d.size = '-1';
  }
}

/** BlazeFace anchors for a `side` x `side` input: a grid at stride 16 x2, then at stride 32 x6, centres in input pixels. */
function blazeAnchors(side: number): Float32Array {
  const out: number[] = [];
  for (const [stride, n] of [
    [16, 2],
    [32, 6],
  ]) {
    const cells = Math.ceil(side / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let i = 0; i < n; i++) out.push(stride * (x + 0.5), stride * (y + 0.5));
  }
  return new Float32Array(out);
}

/** Index of the face whose box centre is nearest `centre` (-1 when there is none). */
export function nearestFace(faces: readonly FaceBox[], centre: readonly [number, number]): number {
  let best = -1;
  let bestD = Infinity;
  faces.forEach((f, i) => {
    const d = Math.hypot(f.x + f.width / 2 - centre[0], f.y + f.height / 2 - centre[1]);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

export interface FaceDetector {
  /** The configured score threshold: boxes below it are only returned when a call asks for them. */
  readonly minScore: number;
  /**
   * `image` is [H, W, 3] float 0..255; `scale` maps its pixels to the caller's image pixels.
   * `minScore` overrides the configured threshold for this call (the analyser asks for weaker boxes to verify them).
   * `input`: the square side the image is letterboxed to (a multiple of 32; DETECTOR_INPUT by default, as trained).
   */
  detect(image: tf.Tensor3D, scale?: number, minScore?: number, side?: number): Promise<FaceBox[]>;
  dispose(): void;
}

export async function createFaceDetector(store: ModelStore, config: Partial<DetectorConfig> = {}): Promise<FaceDetector> {
  const cfg = { ...DEFAULT_DETECTOR_CONFIG, ...config };
  const model: GraphModel = await store.loadGraphModel('human/blazeface.json', freeInputSide);
  const anchorsBySide = new Map<number, Float32Array>();

  async function detect(image: tf.Tensor3D, scale = 1, minScore = cfg.minScore, input = INPUT): Promise<FaceBox[]> {
    if (!(Number.isInteger(input) && input >= 32 && input % 32 === 0)) throw new Error(`detector input ${input}: a multiple of 32 expected`);
    const anchors = anchorsBySide.get(input) ?? blazeAnchors(input);
    anchorsBySide.set(input, anchors);
    const [h, w] = image.shape;
    const side = Math.max(h, w);
    // Letterbox: resize so the long side is INPUT, then pad (resizing first: padding a 2000 px image costs more than the model on the CPU backend).
    const rh = Math.max(1, Math.round((h * input) / side));
    const rw = Math.max(1, Math.round((w * input) / side));
    const kx = w / rw;
    const ky = h / rh; // input pixel -> image pixel
    const raw = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(image, [rh, rw]);
      const padded = tf.pad(resized, [
        [0, input - rh],
        [0, input - rw],
        [0, 0],
      ]);
      const x = tf.expandDims(tf.sub(tf.div(padded, 127.5), 1), 0);
      const [s16, b16, s32, b32] = (model.execute(x, HEADS) as tf.Tensor[]).map((t, i) => tf.reshape(t, [-1, i % 2 === 0 ? 1 : 16]));
      return tf.concat([tf.concat([s16, b16], 1), tf.concat([s32, b32], 1)], 0) as tf.Tensor2D; // [anchors, 17]
    });
    const data = await raw.data();
    raw.dispose();
    const n = anchors.length / 2;
    const boxes = new Float32Array(n * 4);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = data.subarray(i * 17, i * 17 + 17);
      const cx = r[1] + anchors[2 * i];
      const cy = r[2] + anchors[2 * i + 1];
      boxes.set([cy - r[4] / 2, cx - r[3] / 2, cy + r[4] / 2, cx + r[3] / 2], i * 4);
      scores[i] = 1 / (1 + Math.exp(-r[0]));
    }
    const boxT = tf.tensor2d(boxes, [n, 4]);
    const scoreT = tf.tensor1d(scores);
    const keepT = await tf.image.nonMaxSuppressionAsync(boxT, scoreT, cfg.maxFaces, cfg.iouThreshold, minScore);
    const keep = await keepT.data();
    tf.dispose([boxT, scoreT, keepT]);
    const faces: FaceBox[] = [];
    for (const i of keep) {
      const r = data.subarray(i * 17, i * 17 + 17);
      const fx = kx * scale;
      const fy = ky * scale;
      const keypoints: Point2[] = [];
      for (let j = 0; j < 6; j++) keypoints.push([(r[5 + 2 * j] + anchors[2 * i]) * fx, (r[6 + 2 * j] + anchors[2 * i + 1]) * fy]);
      faces.push({
        x: boxes[i * 4 + 1] * fx,
        y: boxes[i * 4] * fy,
        width: (boxes[i * 4 + 3] - boxes[i * 4 + 1]) * fx,
        height: (boxes[i * 4 + 2] - boxes[i * 4]) * fy,
        score: scores[i],
        keypoints,
      });
    }
    return faces.sort((a, b) => b.width * b.height - a.width * a.height);
  }

  return { minScore: cfg.minScore, detect, dispose: () => model.dispose() };
}
