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

/** BlazeFace anchors: 16x16 grid x2 then 8x8 grid x6, centres in input pixels. */
function blazeAnchors(): Float32Array {
  const out: number[] = [];
  for (const [stride, n] of [
    [16, 2],
    [32, 6],
  ]) {
    const cells = Math.ceil(INPUT / stride);
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
   */
  detect(image: tf.Tensor3D, scale?: number, minScore?: number): Promise<FaceBox[]>;
  dispose(): void;
}

export async function createFaceDetector(store: ModelStore, config: Partial<DetectorConfig> = {}): Promise<FaceDetector> {
  const cfg = { ...DEFAULT_DETECTOR_CONFIG, ...config };
  const model: GraphModel = await store.loadGraphModel('human/blazeface.json');
  const anchors = blazeAnchors();

  async function detect(image: tf.Tensor3D, scale = 1, minScore = cfg.minScore): Promise<FaceBox[]> {
    const [h, w] = image.shape;
    const side = Math.max(h, w);
    // Letterbox: resize so the long side is INPUT, then pad (resizing first: padding a 2000 px image costs more than the model on the CPU backend).
    const rh = Math.max(1, Math.round((h * INPUT) / side));
    const rw = Math.max(1, Math.round((w * INPUT) / side));
    const kx = w / rw;
    const ky = h / rh; // input pixel -> image pixel
    const raw = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(image, [rh, rw]);
      const padded = tf.pad(resized, [
        [0, INPUT - rh],
        [0, INPUT - rw],
        [0, 0],
      ]);
      const input = tf.expandDims(tf.sub(tf.div(padded, 127.5), 1), 0);
      const outs = model.execute(input) as tf.Tensor[];
      const bySize = [...outs].sort((a, b) => a.size - b.size); // [384x1, 512x1, 384x16, 512x16]
      const rows512 = tf.concat([bySize[1], bySize[3]], 2);
      const rows384 = tf.concat([bySize[0], bySize[2]], 2);
      return tf.squeeze(tf.concat([rows512, rows384], 1), [0]) as tf.Tensor2D; // [896, 17]
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
