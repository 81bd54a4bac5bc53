/**
 * What an edit's Reference and regions mean to the stages below the API: whether a reference is a face, the
 * regions as a mask of the target (expression/target.ts), and the reference's mouth for the mouth-interior stage
 * (render/mouth-interior.ts interiorFor, where the policy lives).
 */
import { EditorError, ErrorCode } from '../errors';
import { REGIONS, type Region, type RegionMask } from '../expression/target';
import { interiorFor, type InteriorSource } from '../render/mouth-interior';
import type { MouthPhoto } from '../render/mouth-photo';
import { pickStock, type StockMouth } from '../render/stock-mouths';
import type { RGBAImage } from '../types';
import type { Face, Reference } from './types';

/** Each face's photo, so that a face used as a reference can lend its open mouth's pixels (mouth-interior.ts). */
const facePhotos = new WeakMap<Face, RGBAImage>();

/** Records the photo `face` was found in. */
export function rememberPhoto(face: Face, image: RGBAImage): void {
  facePhotos.set(face, image);
}

/** `face`'s photo and landmarks, when it is a face the editor found. */
function mouthOf(face: Face): MouthPhoto | undefined {
  const image = facePhotos.get(face);
  return image ? { image, points: face.landmarks.points } : undefined;
}

export function isFace(r: unknown): r is Face {
  return typeof r === 'object' && r !== null && 'canonical' in r && typeof (r as Face).neutral === 'function';
}

export function regionMask(regions: readonly Region[] | null): RegionMask | undefined {
  if (!regions) return undefined;
  for (const r of regions) if (!REGIONS.includes(r)) throw new EditorError(ErrorCode.BAD_ARGUMENT, `unknown region ${String(r)}`);
  const mask: RegionMask = { rest: 1 };
  for (const r of REGIONS) mask[r] = regions.includes(r) ? 1 : 0;
  return mask;
}

/**
 * Where the inside of the edited mouth comes from (render/mouth-interior.ts interiorFor): `face` edited toward
 * `reference`, limited to `regions`; `presetOpening` is how far the edit opens the mouth at intensity 1. Of the
 * `stocks`, the face takes the one nearest its own mouth and colouring (render/stock-mouths.ts pickStock).
 */
export function mouthInterior(
  face: Face,
  reference: Reference,
  regions: readonly Region[] | null,
  stocks: readonly StockMouth[],
  presetOpening: () => number,
): InteriorSource | undefined {
  const own = mouthOf(face);
  // a saved expression reaches here as a preset (units.ts mouthReference)
  const preset = !isFace(reference) && reference !== 'neutral' && 'preset' in reference;
  return interiorFor({
    own,
    reference: isFace(reference) ? { photo: mouthOf(reference) } : preset ? { preset: reference.preset } : 'neutral',
    mouthMoves: !regions || regions.includes('mouth'),
    // picked only when a preset may take it (reading the traits walks the photo's cheeks and lips)
    stock: preset ? pickStock(stocks, own) : null,
    presetOpening,
  });
}
