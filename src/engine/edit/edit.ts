/**
 * The Edit handle: a face, a reference and regions, fixed; a slider position (intensity) then costs only the
 * target (plain arithmetic, expression/target.ts) and the render.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fromCanonical } from '../analyse/manifold';
import { EditorError, ErrorCode } from '../errors';
import { type Region, type RegionMask, targetCanonical } from '../expression/target';
import { encodeImage } from '../io/encode';
import { mouthOpening } from '../render/mouth-frame';
import { applyPatch, type RenderSession } from '../render/session';
import { ON_THIS_THREAD } from '../render/texture-gains';
import { textureTarget } from '../render/texture-scope';
import type { Point3, RGBAImage } from '../types';
import type { UnitName } from '../expression/units';
import type { EditorContext } from './context';
import { mouthInterior } from './reference';
import type { Edit, Face, Patch, Reference, RenderOptions } from './types';

/** The mouth's corners and lips and the cheeks beside them: where a smile's folds are. */
const UNWIND_POINTS = [61, 291, 0, 17, 13, 14, 40, 270, 91, 321, 50, 280, 205, 425, 36, 266] as const;

/** What an edit is made of (face.ts works it out once per edit). */
export interface EditPlan {
  reference: Reference;
  regions: Region[] | null;
  mask: RegionMask | undefined;
  /** The face's neutral N'(x), canonical. */
  srcN: Point3[];
  /** The displacement (null: neutralize), canonical, with the asked units set. */
  d: Point3[] | null;
  units: Record<UnitName, number>;
  /** The part of `d` the units do not explain, template space (edit.expression()). */
  residual: Point3[] | null;
  /** Whose mouth the mouth-interior stage takes the edit for (face.ts mouthReference). */
  mouthAs: Reference;
  /** Prepare the expression texture after the first preview (EditOptions.prepareTexture). */
  prepareTexture: boolean;
}

/** The Edit of `face` (in `image`) as `plan` says; `session` gives the face's render session. */
export function createEdit(ctx: EditorContext, image: RGBAImage, face: Face, plan: EditPlan, session: () => Promise<RenderSession>): Edit {
  const { reference, regions, mask, srcN, d, units } = plan;
  const { guard, models } = ctx;
  let closed = false;
  let last: { key: string; patch: Promise<Patch> } | null = null;
  const alive = () => {
    ctx.live();
    if (closed) throw new EditorError(ErrorCode.DISPOSED, 'the edit was disposed');
  };
  const target = (a: number): Point3[] => {
    alive();
    if (typeof a !== 'number' || !Number.isFinite(a)) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'intensity must be a finite number');
    return fromCanonical(targetCanonical(face.canonical.points, srcN, d, a, mask), face.canonical.transform);
  };
  /** The target at intensity 1: the edit's full expression (the same for every frame). */
  let full: Point3[] | undefined;
  const targetAtOne = () => {
    full ??= target(1);
    return full;
  };
  const interior = mouthInterior(face, plan.mouthAs, regions, models.stockMouths, () => mouthOpening(targetAtOne()));
  // How much of the photo's own expression around the mouth a target takes away (0: none; 1: all of it, its neutral):
  // the folds that fade where the warp stretches the skin (render/folds.ts) are that expression's folds.
  let neutralPts: Point3[] | undefined;
  const unwinds = (points: readonly Point3[]): number => {
    neutralPts ??= fromCanonical(srcN, face.canonical.transform);
    const n = neutralPts;
    const dist = (p: readonly Point3[]) => UNWIND_POINTS.reduce((acc: number, i) => acc + Math.hypot(p[i][0] - n[i][0], p[i][1] - n[i][1]), 0);
    const own = dist(face.landmarks.points);
    return own > 0 ? Math.min(1, Math.max(0, 1 - dist(points) / own)) : 0;
  };
  // The expression texture's network runs once per edit, in the background, so that the full frame that follows the
  // edit's first preview does not wait for all of it: started once that preview is handed on, not when the edit is
  // made (the preview would wait behind it on the GPU). A backend that computes on this thread (cpu, wasm) cannot run
  // it in the background: it would only hold the preview up, so there the full frame runs it, as does a full frame
  // asked for first. A failure shows on the next full frame.
  let textureDue = Boolean(models.texture && models.refiner && plan.prepareTexture) && !ON_THIS_THREAD.includes(tf.getBackend());
  const prepareTexture = () => {
    if (!textureDue) return;
    textureDue = false;
    setTimeout(() => {
      session()
        .then((s) => s.prepareTexture(textureAtOne()))
        .catch(() => {});
    });
  };
  // The network's target: the edit's at intensity 1, less the brows and forehead (render/texture-scope.ts).
  let textureFull: Point3[] | undefined;
  const textureAtOne = () => {
    textureFull ??= textureTarget(face.canonical.points, face.landmarks.points, targetAtOne());
    return textureFull;
  };
  // Gaze is drawn, not warped (render/eye-layer.ts): it follows the intensity as the landmarks do, unless the eyes are left out.
  const looks = !regions || regions.includes('eyes');
  const gaze = (a: number): [number, number] => (looks ? [a * units.gaze_x, a * units.gaze_y] : [0, 0]);
  const wantsRefiner = (o?: RenderOptions) => (o?.refiner ?? true) && models.refiner !== null;
  // `exact` (an export's, or the caller's): the texture network's own gain, never one derived for a part change (texture-gains.ts)
  const render = (a: number, o?: RenderOptions): Promise<Patch> =>
    guard(async () => {
      const exact = o?.exact === true;
      const points = target(a);
      const refine = wantsRefiner(o);
      const preview = o?.preview === true;
      const key = `${a}|${refine && !preview}|${o?.interior !== false}|${preview}|${o?.creases !== false}|${exact}`;
      if (last?.key === key) return last.patch;
      const p = (async () => {
        const s = await session();
        // The skin's change (render/texture.ts) is the edit's change at intensity 1 times the intensity (up to 1 the
        // targets lie on one line, beyond it they go on along the expression): one network run per edit, not per frame.
        const texture = a >= 0 ? { target: textureAtOne(), scale: a, exact } : undefined;
        const patch = await s.render(points, {
          useRefiner: refine && !preview,
          interior: o?.interior === false ? undefined : interior,
          preview,
          texture,
          creases: o?.creases !== false,
          unwind: unwinds(points),
          gaze: gaze(a),
        });
        if (preview) prepareTexture();
        return { ...patch, intensity: a, target: points };
      })();
      last = { key, patch: p };
      p.catch(() => {
        if (last?.patch === p) last = null;
      });
      return p;
    });
  const renderFull = (a: number, o?: RenderOptions) => guard(async () => applyPatch(image, await render(a, { ...o, preview: false })));
  return {
    face,
    reference,
    regions,
    displacement: d,
    units,
    expression: (name) => ({ name, units: { ...units }, residual: plan.residual ? plan.residual.map((p) => [...p] as Point3) : undefined }),
    target,
    render,
    renderFull,
    async export(a, format = 'png', quality, o) {
      const full = await renderFull(a, { ...o, exact: true });
      return guard(() => encodeImage(full, format, quality));
    },
    prepare: () =>
      guard(async () => {
        alive();
        if (!models.texture || !models.refiner) return;
        await (await session()).prepareTexture(textureAtOne(), true); // the network's own: a base for later derived gains
      }),
    dispose() {
      closed = true;
      last = null;
    },
  };
}
