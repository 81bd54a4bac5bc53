/**
 * Where the refiner runs: windows of the aligned crop around the paint region. The render session uses the
 * refiner's output only inside the paint region (mouth-mask.ts paintRegion: the target's mouth opening, eyes
 * that close), so the U-Net (refine.ts) runs only on square windows of the S x S crop that cover each part of
 * it plus `margin` pixels of context, instead of on the whole crop; with nothing to paint it does not run.
 *
 * A window's origin is a multiple of 8 in crop pixels, so the U-Net's three 2x2 poolings and nearest
 * upsamplings tile the window exactly as they tile the whole crop, and a window at the crop's edge sees the
 * same zero padding there. Sides come from a short ladder (multiples of 16, or the whole crop): GPU backends
 * compile their programs per tensor shape, so a slider that moves the mouth must not meet a new shape every frame.
 */
import type { Rect } from './warp';

/**
 * Context around the paint region (crop pixels at S = 128; scaled with S). Measured against the whole crop
 * (scripts/bench-refiner-windows.ts: the sample and the 12 London faces, happy preset and their own smile, 26
 * edits), inside the paint region, 0..255: margin 24 max 2, mean at most 0.11 grey levels; 16 (and 20, the
 * same windows) max 7, mean up to 1.05; 8 max 40, mean up to 4.
 */
export const REFINER_MARGIN = 24;

/** Grid of window origins (the U-Net pools 3 times). */
const ALIGN = 8;
/** Step of the window sides (multiples of ALIGN). */
const SIDE_STEP = 16;

/** Bounding box of the pixels of the S x S `mask` > 0 inside `within` (all of it by default); null when there are none. */
export function maskBox(mask: ArrayLike<number>, S: number, within: Rect = { x: 0, y: 0, width: S, height: S }): Rect | null {
  let x0 = S;
  let x1 = -1;
  let y0 = S;
  let y1 = -1;
  const u0 = Math.max(0, within.x);
  const u1 = Math.min(S, within.x + within.width);
  for (let v = Math.max(0, within.y); v < Math.min(S, within.y + within.height); v++)
    for (let u = u0; u < u1; u++)
      if (mask[v * S + u] > 0) {
        x0 = Math.min(x0, u);
        x1 = Math.max(x1, u);
        y0 = Math.min(y0, v);
        y1 = Math.max(y1, v);
      }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * The parts of the paint region `paint` (S x S, > 0 where the refiner's output is used), one box per source
 * mask in `parts` (the masks paint was grown from, e.g. the mouth and each closing eye): the paint pixels within
 * `grow` pixels of that mask's support. Every paint pixel lies within `grow` of some part (paintRegion only
 * feathers), so the boxes cover the paint region; a part that grew no paint gives no box.
 */
export function paintBoxes(paint: ArrayLike<number>, parts: readonly ArrayLike<number>[], S: number, grow: number): Rect[] {
  const boxes: Rect[] = [];
  for (const part of parts) {
    const b = maskBox(part, S);
    if (!b) continue;
    const inPaint = maskBox(paint, S, { x: b.x - grow, y: b.y - grow, width: b.width + 2 * grow, height: b.height + 2 * grow });
    if (inPaint) boxes.push(inPaint);
  }
  return boxes;
}

const union = (a: Rect, b: Rect): Rect => {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
};
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const area = (r: Rect) => r.width * r.height;

/** Origin on the ALIGN grid for a window of `side` in 0..S that holds [lo, hi), the box centred as well as the grid allows; null when none holds it. */
function origin(lo: number, hi: number, side: number, S: number): number | null {
  let best: number | null = null;
  let bestSlack = -1;
  for (let o = 0; o + side <= S; o += ALIGN) {
    if (o > lo || o + side < hi) continue;
    const slack = Math.min(lo - o, o + side - hi);
    if (slack > bestSlack) {
      best = o;
      bestSlack = slack;
    }
  }
  return best;
}

/** The smallest square window (ALIGN grid, side on the ladder) of the S x S crop that holds `box` grown by `margin` (clipped to the crop). */
export function windowFor(box: Rect, S: number, margin: number): Rect {
  const x0 = Math.max(0, box.x - margin);
  const y0 = Math.max(0, box.y - margin);
  const x1 = Math.min(S, box.x + box.width + margin);
  const y1 = Math.min(S, box.y + box.height + margin);
  if (S % ALIGN === 0) {
    for (let side = SIDE_STEP * Math.ceil(Math.max(x1 - x0, y1 - y0) / SIDE_STEP); side < S; side += SIDE_STEP) {
      const ox = origin(x0, x1, side, S);
      const oy = origin(y0, y1, side, S);
      if (ox !== null && oy !== null) return { x: ox, y: oy, width: side, height: side };
    }
  }
  return { x: 0, y: 0, width: S, height: S };
}

/**
 * Every window side refinerWindows can choose for an S x S crop and `margin`, smallest first: the input shapes a
 * warm-up of the refiner can compile on GPU backends. At S = 128 and REFINER_MARGIN: 32 and 48 (only for a part
 * in a corner of the crop, where the margin is cut), then 64 to 128 (a face's mouth: 80 to 96; an eye: 64 to 80).
 */
export function windowSides(S: number, margin: number): number[] {
  const sides: number[] = [];
  if (S % ALIGN === 0) for (let side = SIDE_STEP * Math.ceil(Math.min(S, margin + 1) / SIDE_STEP); side < S; side += SIDE_STEP) sides.push(side);
  return [...sides, S];
}

/**
 * The windows the refiner runs on for the paint region's parts `boxes` (crop pixels, paintBoxes): one window per
 * part, merged where windows overlap or where one window around both parts costs no more pixels than the two.
 * Disjoint; empty when there is nothing to paint; the whole crop when that is what it takes.
 */
export function refinerWindows(boxes: readonly Rect[], S: number, margin: number): Rect[] {
  let parts = boxes.map((box) => ({ box, win: windowFor(box, S, margin) }));
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < parts.length && !merged; i++)
      for (let j = i + 1; j < parts.length && !merged; j++) {
        const box = union(parts[i].box, parts[j].box);
        const win = windowFor(box, S, margin);
        if (overlap(parts[i].win, parts[j].win) || area(win) <= area(parts[i].win) + area(parts[j].win)) {
          parts = [...parts.filter((_, k) => k !== i && k !== j), { box, win }];
          merged = true;
        }
      }
  }
  return parts.map((p) => p.win);
}
