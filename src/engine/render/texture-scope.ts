/**
 * Where the expression texture's network (texture.ts) is asked about the motion: below the brows.
 *
 * It learned what motion does to the skin from pairs of news photos of one person, nearly all of them a smile and a
 * neutral face, in which the brows barely move. Asked about brows that knit or rise it has nothing to go on, and it
 * lit a band down the middle of the forehead to between the eyes (sadness, London 127). The creases (creases.ts),
 * driven by the warp's strain, show that skin's change instead; the network is shown the brows and forehead where
 * they are in the photo, so it sees the motion of the cheeks, the mouth and the lids only.
 */
import type { Point3 } from '../types';

/**
 * Canonical y (IOD, y down, 0 at the stable points' centroid) above which a landmark counts as brow or forehead: the
 * lids' tops lie at about -0.09, the brows' lower edges at about -0.3.
 */
const ABOVE_LIDS = -0.2;

/** `target`, with every brow and forehead landmark (by `canonical`, the face's canonical landmarks) kept at `source`. */
export function textureTarget(canonical: readonly Point3[], source: readonly Point3[], target: readonly Point3[]): Point3[] {
  return target.map((p, i) => (canonical[i][1] < ABOVE_LIDS ? source[i] : p));
}
