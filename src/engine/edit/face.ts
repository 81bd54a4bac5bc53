/**
 * The Face handle: one analysed face of a photo. Its neutral N(x) is computed once, the fitted displacement once
 * per reference, and its render session (render/session.ts) made on the first render.
 */
import type { FaceAnalysis } from '../analyse/analyser';
import { EditorError, ErrorCode } from '../errors';
import type { Disentangler } from '../expression/disentangle';
import { correctNeutral, type PresetName, retarget } from '../expression/target';
import { createRenderSession, type RenderSession } from '../render/session';
import type { Point3, RGBAImage } from '../types';
import type { EditorContext } from './context';
import { createEdit } from './edit';
import { checkUnits, isExpression, mouthReference, recipeOf, withUnits } from './units';
import { residualToTemplate, type Expression } from '../expression/saved';
import { TEMPLATE } from '../analyse/manifold';
import { subShapes } from '../points';
import { fittedUnits, type UnitName } from '../expression/units';
import { isFace, regionMask, rememberPhoto } from './reference';
import type { Face, Reference } from './types';

/** What a face needs of its photo (photo.ts). */
export interface FacePhoto {
  readonly image: RGBAImage;
  /** The photo was closed. */
  closed(): boolean;
  /** Hands a render session to the photo, which disposes it when it is closed (at once when it already is). */
  adopt(session: RenderSession): void;
}

/** The Face for analysis `a`, face `index` of `photo`. */
export function createFace(ctx: EditorContext, photo: FacePhoto, index: number, a: FaceAnalysis): Face {
  const { guard, live, capabilities, models } = ctx;
  let neutralP: Promise<Point3[]> | null = null;
  // faces and saved expressions by identity, weakly: a camera makes a new reference face for every frame
  const fittedByName = new Map<string, Promise<Point3[] | null>>();
  const fittedByObject = new WeakMap<object, Promise<Point3[] | null>>();
  let session: Promise<RenderSession> | null = null;
  let unitFields: Record<UnitName, Point3[]> | null = null;
  /** The disentangler, once loaded (an edit made while the expression models load waits for them). */
  const needExpression = async (): Promise<Disentangler> => {
    if (!capabilities.expression) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'this build has no expression models');
    return (await ctx.expressionModels()).disentangler!;
  };
  const face: Face = {
    index,
    box: a.box,
    landmarks: a.landmarks,
    canonical: a.canonical,
    pose: a.landmarks.pose,
    neutral() {
      if (!neutralP) {
        neutralP = guard(async () => {
          live();
          const n = await (await needExpression()).neutral(a.canonical.points);
          // N corrected toward real neutral faces (target.ts correctNeutral) when the presets carry the statistics
          return models.presets?.neutral ? correctNeutral(n, models.presets.neutral) : n;
        });
        neutralP.catch(() => {
          neutralP = null;
        });
      }
      return neutralP;
    },
    edit: (reference, opts = {}) =>
      guard(async () => {
        live();
        if (photo.closed()) throw new EditorError(ErrorCode.DISPOSED, 'the photo was closed');
        await needExpression();
        const regions = opts.regions ? [...opts.regions] : null;
        const mask = regionMask(regions);
        const [srcN, d0] = await Promise.all([face.neutral(), fitted(reference)]);
        // a saved expression's units, or a preset's recipe, are asked for like the caller's own (which win)
        const asked = checkUnits({ ...recipeOf(reference), ...opts.units });
        const { d, values, residual } = withUnits(d0, fittedUnitsOf(srcN), asked);
        const plan = {
          reference,
          regions,
          mask,
          srcN,
          d,
          units: values,
          residual: residual && residualToTemplate(residual, srcN),
          mouthAs: mouthReference(reference, asked),
          prepareTexture: opts.prepareTexture !== false,
        };
        return createEdit(ctx, photo.image, face, plan, renderSession);
      }),
    renderTarget: (target, o) =>
      guard(async () => {
        live();
        if (capabilities.expression) await ctx.expressionModels(); // the refiner loads with them
        return (await renderSession()).render(target, { useRefiner: (o?.refiner ?? true) && models.refiner !== null });
      }),
  };

  /** The action units fitted to this face's proportions (computed once). */
  function fittedUnitsOf(srcN: Point3[]): Record<UnitName, Point3[]> {
    unitFields ??= fittedUnits(srcN);
    return unitFields;
  }

  /** The reference's displacement fitted to this face (cached per reference; null for 'neutral'). */
  function fitted(reference: Reference): Promise<Point3[] | null> {
    if (reference === 'neutral') return Promise.resolve(null);
    let key: string | object;
    if (isFace(reference)) key = reference;
    else if (isExpression(reference)) key = reference.expression;
    else if (typeof reference === 'object' && reference !== null && 'preset' in reference && typeof reference.preset === 'string')
      key = `preset:${reference.preset}`;
    else return Promise.reject(new EditorError(ErrorCode.BAD_ARGUMENT, "a reference is 'neutral', { preset }, { expression } or a Face"));
    const k = key;
    const named = typeof k === 'string';
    let p = named ? fittedByName.get(k) : fittedByObject.get(k);
    if (!p) {
      p = (async () => fitDisplacement(ctx, reference, await face.neutral()))();
      if (named) fittedByName.set(k, p);
      else fittedByObject.set(k, p);
      p.catch(() => (named ? fittedByName.delete(k) : fittedByObject.delete(k)));
    }
    return p;
  }

  function renderSession(): Promise<RenderSession> {
    if (photo.closed()) return Promise.reject(new EditorError(ErrorCode.DISPOSED, 'the photo was closed'));
    if (!session) {
      session = createRenderSession(photo.image, a, {
        refiner: models.refiner ?? undefined,
        texture: models.texture ?? undefined,
        sampler: ctx.options.sampler,
      });
      session.then(
        (s) => photo.adopt(s),
        () => {
          session = null;
        },
      );
    }
    return session;
  }
  rememberPhoto(face, photo.image);
  return face;
}

/**
 * The displacement d' of `reference` (a preset, another face, or a saved expression's residual: its units are set
 * by the edit) fitted to a face whose neutral is `srcN`.
 */
async function fitDisplacement(
  ctx: EditorContext,
  reference: Face | { preset: PresetName } | { expression: Expression },
  srcN: Point3[],
): Promise<Point3[] | null> {
  const { presets } = ctx.models;
  if (isExpression(reference)) {
    const r = reference.expression.residual;
    return r ? retarget(r, TEMPLATE, srcN) : null;
  }
  if (!isFace(reference)) {
    const name = reference.preset;
    if (!presets) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'this build has no expression presets');
    if (!presets.names.includes(name)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `no preset named ${name}`);
    return presets.fitted(name, srcN);
  }
  const refN = await reference.neutral();
  return retarget(subShapes(reference.canonical.points, refN), refN, srcN);
}
