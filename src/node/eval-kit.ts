/**
 * What the evaluation's editing sections (eval-ceiling.ts, eval-upper-face.ts, eval-presets.ts, eval-transfer.ts,
 * eval-neutralize.ts) share: the models of a run (the Kit: the editor, the face description model of
 * @vladmandic/human, decoded photos and the emotion model's reading of real photos), the photos they edit (the
 * evaluation split, eval-common.ts isEvalPerson), and the steps of an edit made through the editing API the app uses
 * (editor.open -> photo.face -> face.edit(reference) -> edit.render) and measured on the landmarks the engine finds
 * again on the edited image.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEditor, EditorError, encodeImage, ErrorCode, type Edit, type Editor, type Face, type Point3, type RGBAImage } from '../engine/index';
import {
  applyPatch,
  createFaceDescriber,
  decodeImage,
  EMOTIONS,
  faceMeasures,
  invertSimilarity,
  nearestFace,
  padImage,
  type Emotion,
  type FaceDescriber,
  type FaceMeasures,
  type Similarity,
} from '../engine/tools';
import { type Failures, isEvalPerson, modelSource, type EvalContext, type EvalFace } from './eval-common';
import { pointWasmAtNodeModules } from './platform';

/** Emotion-model label of each faces.csv label. */
export const LABEL_EMOTION: Record<string, Emotion> = {
  neutral: 'neutral',
  happy: 'happy',
  surprise: 'surprise',
  anger: 'angry',
  sad: 'sad',
  disgust: 'disgust',
  fear: 'fear',
};
/** Grey border added around every photo, in pixels: the photos are tight face crops, and the detector needs context. */
const PAD = 64;

/** The emotion model's top label. */
export const topEmotion = (p: Float32Array): Emotion => EMOTIONS[p.indexOf(Math.max(...p))];
/** A landmark file's points on the padded photo. */
export const padded = (pts: readonly Point3[]) => pts.map((p) => [p[0] + PAD, p[1] + PAD, p[2]] as Point3);
/**
 * Landmarks found on an edited image, in the source face's canonical frame (the frame x_t is computed in): the edit
 * moves pixels, not the head, so the source's transform is the one to undo. A face's own canonical frame is fitted to
 * its stable points, which the mesh sees move with the expression: the found face's frame would shift with the edit
 * and hide part of the motion (a small rise of the mouth corners under a slightly raised chin).
 */
export const inSourceFrame = (found: readonly Point3[], src: Similarity) => found.map((p) => invertSimilarity(src, p));
/** Change of each measure from `a` to `b`, % IOD. */
export const measureChange = (a: readonly Point3[], b: readonly Point3[]) => {
  const ma = faceMeasures(a);
  const mb = faceMeasures(b);
  return Object.fromEntries(Object.keys(ma).map((k) => [k, 100 * (mb[k as keyof FaceMeasures] - ma[k as keyof FaceMeasures])])) as FaceMeasures;
};

/** The evaluation split's photos, by label, in file order. */
export function splitByLabel(ctx: EvalContext): Map<string, EvalFace[]> {
  const m = new Map<string, EvalFace[]>();
  for (const f of ctx.faces) if (isEvalPerson(f.person)) m.set(f.expression, [...(m.get(f.expression) ?? []), f]);
  return m;
}

/** One source photo per person: the first neutral photo of each evaluation person. */
export function neutralSources(ctx: EvalContext): EvalFace[] {
  const out: EvalFace[] = [];
  for (const [person, list] of ctx.byPerson) {
    if (!isEvalPerson(person)) continue;
    const f = list.find((x) => x.expression === 'neutral');
    if (f) out.push(f);
  }
  return out;
}

/** Shared per run: the models, decoded photos, and the emotion model's reading of real photos. */
export interface Kit {
  editor: Editor;
  describer: FaceDescriber;
  image(f: EvalFace): Promise<RGBAImage>;
  /** Emotion probabilities of a real photo at its landmark file's points. */
  realEmotion(f: EvalFace): Promise<Float32Array>;
  /** Share of the evaluation split's photos of each label the emotion model reads as that label. */
  ceiling: Map<string, { agree: number; n: number; counts: Record<Emotion, number> }>;
}
const kits = new WeakMap<EvalContext, Promise<Kit>>();

/** The run's Kit, made by the first section that asks for it. */
export function kit(ctx: EvalContext): Promise<Kit> {
  let k = kits.get(ctx);
  if (!k) {
    k = makeKit(ctx);
    kits.set(ctx, k);
  }
  return k;
}

async function makeKit(ctx: EvalContext): Promise<Kit> {
  pointWasmAtNodeModules();
  const editor = await createEditor({ backends: [ctx.backend, 'cpu'], models: modelSource(), warmUp: false });
  const describer = await createFaceDescriber(modelSource());
  const images = new Map<string, RGBAImage>();
  const image = async (f: EvalFace) => {
    let img = images.get(f.image);
    if (!img) {
      img = padImage(await decodeImage(readFileSync(join(ctx.dir, 'images', f.image))), PAD);
      if (images.size > 200) images.clear();
      images.set(f.image, img);
    }
    return img;
  };
  const emotions = new Map<string, Float32Array>();
  const realEmotion = async (f: EvalFace) => {
    let e = emotions.get(f.image);
    if (!e) {
      e = await describer.emotion(await image(f), padded(f.points));
      emotions.set(f.image, e);
    }
    return e;
  };
  const ceiling: Kit['ceiling'] = new Map();
  for (const [label, list] of splitByLabel(ctx)) {
    const emo = LABEL_EMOTION[label];
    if (!emo) continue;
    const counts = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
    for (const f of list) counts[topEmotion(await realEmotion(f))]++;
    ceiling.set(label, { agree: counts[emo], n: list.length, counts });
  }
  return { editor, describer, image, realEmotion, ceiling };
}

/** Disposes the models of a run (eval-cli calls it after the last section). */
export async function disposeKit(ctx: EvalContext): Promise<void> {
  const k = kits.get(ctx);
  if (!k) return;
  const { editor, describer } = await k;
  describer.dispose();
  editor.dispose();
  kits.delete(ctx);
}

/** Share of the real photos labelled `label` that the emotion model reads as that label; NaN without any. */
export const ceilingShare = (k: Kit, label: string) => {
  const c = k.ceiling.get(label);
  return c?.n ? c.agree / c.n : Number.NaN;
};

/** A photo opened in the editor with its face (nearest the centre) analysed, N(x) included. */
export interface Opened {
  face: Face;
  img: RGBAImage;
  dispose(): void;
}
/** Opens `f` (undefined when the engine fails, counted in `fails`). */
export async function openFace(k: Kit, f: EvalFace, fails: Failures): Promise<Opened | undefined> {
  const img = await k.image(f);
  return fails.attempt(async () => {
    const photo = await k.editor.open(img);
    try {
      const face = await photo.face(nearestFace(photo.faces, [img.width / 2, img.height / 2]));
      await face.neutral();
      return { face, img, dispose: () => photo.dispose() };
    } catch (e) {
      photo.dispose();
      throw e;
    }
  });
}

interface Rendered {
  img: RGBAImage;
  motionScale: number;
}
/** The edit at intensity `a` pasted into the photo. */
export async function renderAt(edit: Edit, a: number, refiner: boolean, img: RGBAImage): Promise<Rendered> {
  const patch = await edit.render(a, { refiner, exact: true }); // never a gain derived from the preset measured before
  return { img: applyPatch(img, patch), motionScale: patch.motionScale };
}

/** The face the engine finds on an edited image (nearest the centre), or undefined (counted in `fails`). */
export async function refind(editor: Editor, img: RGBAImage, fails: Failures): Promise<Face | undefined> {
  return fails.attempt(async () => {
    const photo = await editor.open(img);
    try {
      if (!photo.faces.length) throw new EditorError(ErrorCode.NO_FACE, 'on the edited photo');
      return await photo.face(nearestFace(photo.faces, [img.width / 2, img.height / 2]));
    } finally {
      photo.dispose();
    }
  });
}

/**
 * With LEED_EVAL_SAVE=<folder>, the section's edited photos are written there as PNG (to judge the edits by eye:
 * the figures alone can look good over a picture that looks wrong).
 */
export async function saveForEye(img: RGBAImage, name: string): Promise<void> {
  const dir = process.env.LEED_EVAL_SAVE;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.png`), (await encodeImage(img, 'png')) as Uint8Array);
}
