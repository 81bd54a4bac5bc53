/**
 * Which stock mouth a preset opens onto a face whose own mouth is closed (mouth-interior.ts interiorFor).
 *
 * One person's teeth on every face were the tell that gave edits away ("the same stock-teeth strip on every face"):
 * the models ship several (scripts/make-stock-mouth.ts: crops of London smiles, different widths, shapes and shades
 * of teeth), and each face takes the one whose owner's mouth and colouring are nearest its own: the mouth's width and
 * the lips' thickness (relative to the eyes' distance: a wide mouth with thin lips takes a wide row of teeth), the
 * skin's tone (relative to the whites of the eyes, so that the photo's exposure does not count) and the lips' colour.
 * The traits are read on the face's own photo, the stocks' on their owners' neutral photos of the same session, so
 * the pick is the same for every edit of a face, whatever preset or intensity.
 */
import { interOcular } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3, RGBAImage } from '../types';
import type { InteriorSource } from './mouth-interior';
import { bounds, eachPixel } from './mouth-frame';
import { type MouthPhoto, scleraWhite, whitePoint } from './mouth-photo';
import { insidePolygon } from './warp';

/** What a face's mouth and colouring look like, for picking a stock mouth (mouthTraits). */
export interface MouthTraits {
  /** Distance between the outer mouth corners, in IOD. */
  readonly width: number;
  /** Height of the lips at the middle (outer upper to outer lower contour), in IOD: thin or full lips. */
  readonly lips: number;
  /** The cheeks' luma over the whites of the eyes' (scleraWhite); null where the eyes cannot be read. */
  readonly skinSclera: number | null;
  /** The cheeks' luma over the photo's white point's (whitePoint): where the eyes cannot be read. */
  readonly skinWhite: number;
  /** The lips' colour: (R - G) over luma (full red lips are high; brown or pale ones lower). */
  readonly red: number;
}

/** A stock mouth: the inside of a smiling mouth, and the traits of its owner's face. */
export interface StockMouth extends InteriorSource {
  /** Its name (the London person it is from). */
  readonly id: string;
  readonly traits: MouthTraits;
}

/**
 * How much a difference in each trait counts: the distance is the sum of (difference / scale)^2. The scales are
 * about the spread of each trait over the London neutral photos, so each trait counts about as much as the others;
 * tone counts a little more (teeth that are too white for a face stand out more than teeth a little too wide).
 */
const SCALE = { width: 0.06, lips: 0.05, skin: 0.08, red: 0.12 } as const;
/**
 * Traits this close (traitDistance) are the stock's owner's own face, photographed in the session the stock is from
 * (the traits agree to their rounding: under 0.0005 apart on the WASM backend; the nearest other London face
 * lies 0.48 from a stock): that face takes another stock, so that an edit of an evaluation person's neutral photo is
 * never measured against a smile whose teeth it was given.
 */
const SAME_FACE = 0.02;
/** The cheek patches: a disc of this radius (IOD) around each of these landmarks (below the middle of each eye). */
const CHEEKS = { points: [50, 280], radius: 0.07 } as const;

/** The whole of `img`, as the region eachPixel walks. */
const whole = (img: RGBAImage) => ({ x: 0, y: 0, width: img.width, height: img.height });
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
const median = (xs: number[]) => (xs.length ? xs.sort((a, b) => a - b)[xs.length >> 1] : Number.NaN);

/** Median luma of the cheek discs (CHEEKS) around landmarks `which` of the face at `points` in `img`. */
function cheekLuma(img: RGBAImage, points: readonly Point3[], iod: number, which: readonly number[] = CHEEKS.points): number {
  const r = Math.max(2, CHEEKS.radius * iod);
  const out: number[] = [];
  for (const i of which) {
    const [cx, cy] = points[i];
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(img.height - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(img.width - 1, Math.ceil(cx + r)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const k = (y * img.width + x) * 4;
        out.push(luma(img.data[k], img.data[k + 1], img.data[k + 2]));
      }
    }
  }
  return median(out);
}

/** Median RGB of the lips (inside the outer lip ring, outside the inner mouth ring). */
function lipRGB(img: RGBAImage, points: readonly Point3[]): number[] {
  const ring = (idx: readonly number[]) => [0, 1].map((c) => idx.map((i) => points[i][c]));
  const [ox, oy] = ring(LANDMARK_SETS.outerLipRing);
  const [ix, iy] = ring(LANDMARK_SETS.innerMouthRing);
  const ch: number[][] = [[], [], []];
  eachPixel(whole(img), bounds(points, LANDMARK_SETS.outerLipRing), (x, y, k) => {
    if (!insidePolygon(ox, oy, x + 0.5, y + 0.5) || insidePolygon(ix, iy, x + 0.5, y + 0.5)) return false;
    for (let c = 0; c < 3; c++) ch[c].push(img.data[k + c]);
    return true;
  });
  return ch.map(median);
}

const traitCache = new WeakMap<readonly Point3[], MouthTraits>();

/** The traits of the face at `photo.points` in `photo.image` (MouthTraits). Cached per landmark array. */
export function mouthTraits(photo: MouthPhoto): MouthTraits {
  const cached = traitCache.get(photo.points);
  if (cached) return cached;
  const { image: img, points: p } = photo;
  const iod = Math.max(interOcular(p), 1e-6);
  const [a, b] = LANDMARK_SETS.mouthCorners.outer;
  const skin = cheekLuma(img, p, iod);
  const sclera = scleraWhite(img, p);
  const lip = lipRGB(img, p);
  const traits: MouthTraits = {
    width: Math.hypot(p[b][0] - p[a][0], p[b][1] - p[a][1]) / iod,
    lips: Math.hypot(p[17][0] - p[0][0], p[17][1] - p[0][1]) / iod,
    skinSclera: sclera ? skin / luma(...sclera) : null,
    skinWhite: skin / Math.max(luma(...whitePoint(img)), 1),
    red: (lip[0] - lip[1]) / Math.max(luma(lip[0], lip[1], lip[2]), 1),
  };
  traitCache.set(photo.points, traits);
  return traits;
}

/** How far apart two faces' traits are (SCALE): 0 for the same. Skin tone by the eyes' white where both have it. */
function traitDistance(a: MouthTraits, b: MouthTraits): number {
  const skin = a.skinSclera !== null && b.skinSclera !== null ? a.skinSclera - b.skinSclera : a.skinWhite - b.skinWhite;
  const terms = [(a.width - b.width) / SCALE.width, (a.lips - b.lips) / SCALE.lips, skin / SCALE.skin, (a.red - b.red) / SCALE.red];
  return terms.reduce((s, t) => s + (Number.isFinite(t) ? t * t : 0), 0);
}

/**
 * Which side of the image the light comes from on a face: the sign of the image-right cheek's luma less the
 * image-left one's (CHEEKS; 0 for an evenly lit face).
 */
function litSide(photo: MouthPhoto): number {
  const iod = Math.max(interOcular(photo.points), 1e-6);
  const [a, b] = CHEEKS.points.map((i) => cheekLuma(photo.image, photo.points, iod, [i]));
  const right = photo.points[CHEEKS.points[1]][0] > photo.points[CHEEKS.points[0]][0] ? b - a : a - b;
  return Math.sign(right);
}

const stockSides = new WeakMap<RGBAImage, number>();

/** The same for a stock's teeth: the sign of the right half's mean luma inside the mouth less the left half's. */
function teethLitSide(stock: StockMouth): number {
  const cached = stockSides.get(stock.image);
  if (cached !== undefined) return cached;
  const ring = LANDMARK_SETS.innerMouthRing;
  const xs = ring.map((i) => stock.points[i][0]);
  const ys = ring.map((i) => stock.points[i][1]);
  const mid = (Math.min(...xs) + Math.max(...xs)) / 2;
  const sum = [0, 0];
  const n = [0, 0];
  const img = stock.image;
  eachPixel(whole(img), bounds(stock.points, ring), (x, y, k) => {
    if (!insidePolygon(xs, ys, x + 0.5, y + 0.5)) return false;
    const side = x + 0.5 > mid ? 1 : 0;
    sum[side] += luma(img.data[k], img.data[k + 1], img.data[k + 2]);
    n[side]++;
    return true;
  });
  const s = Math.sign(sum[1] / Math.max(n[1], 1) - sum[0] / Math.max(n[0], 1));
  stockSides.set(stock.image, s);
  return s;
}

/**
 * The stock mouth for the face `own` (its photo and landmarks): the one whose owner's traits are nearest (ties: the
 * first), other than the owner's own (SAME_FACE), mirrored (InteriorSource.mirrored) where its teeth are lit from the
 * other side than the face; the first where the face is not known; null where none is shipped.
 */
export function pickStock(stocks: readonly StockMouth[], own: MouthPhoto | undefined): StockMouth | null {
  if (!stocks.length) return null;
  if (!own) return stocks[0];
  const t = mouthTraits(own);
  let best = 0;
  let bestD = Infinity;
  stocks.forEach((s, k) => {
    const d = traitDistance(t, s.traits);
    if (d >= SAME_FACE && d < bestD) {
      best = k;
      bestD = d;
    }
  });
  // Turned so that its teeth are lit from the face's side: faces that share a stock then do not all share its quirks
  // on the same side (a notch left of centre on every face gave the stock away).
  const side = litSide(own);
  return side !== 0 && side === -teethLitSide(stocks[best]) ? { ...stocks[best], mirrored: true } : stocks[best];
}
