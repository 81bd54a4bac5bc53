/**
 * How each action unit moves the face (units.ts): designed from FACS's description of the unit's appearance. A field
 * is built from handles: sets of landmarks with a motion each (anchors move exactly so), spread to their neighbours
 * by a Gaussian fall-off of distance, and pins (landmarks that must not move, e.g. the eyes under a brow motion) that
 * pull the fall-off back to zero. Bilateral units are designed on the subject's right side and mirrored.
 */
import { TEMPLATE } from '../analyse/manifold';
import { LANDMARK_SETS } from '../landmark-sets';
import type { Point3 } from '../types';
import type { UnitName } from './unit-table';

// ---- Landmarks the fields are built on (MediaPipe FaceMesh indices, subject's right side) ----

const BROW_INNER = [107, 66, 55, 65];
const BROW_MID = [105, 52];
const BROW_OUTER = [70, 63, 46, 53];
const FOREHEAD = [108, 69, 104, 68, 71, 109, 67, 103, 54, 21];
const GLABELLA = [9, 8, 151];
/** Upper lid edge, outer corner to inner, and the lower lid's points facing each. */
const UPPER_LID = [246, 161, 160, 159, 158, 157, 173];
const LOWER_LID = [7, 163, 144, 145, 153, 154, 155];
const EYE_CORNERS = [33, 133];
const LID_CREASE = LANDMARK_SETS.rightEyeCrease;
const UNDER_EYE = [110, 24, 23, 22, 26, 112, 111, 117, 118, 119, 120, 121, 128, 31, 228, 229, 230, 231, 232, 233];
const CHEEK = [50, 101, 36, 205, 187, 123, 116, 147, 207, 206, 100, 126, 142, 203];
const NOSE_SIDE = [129, 49, 48, 102, 64, 98, 240, 235, 219, 218, 115, 131, 134, 51, 45, 220, 236, 198, 209, 217, 114, 188, 174];
const NOSE_MIDLINE = [1, 4, 5, 195, 197, 6, 168, 2, 19, 94, 141, 370, 164];
const MOUTH_CORNER = [61, 78];
/** Outer and inner upper lip (right half, corner side first) and the middle point of each. */
const UPPER_LIP_OUTER = [185, 40, 39, 37];
const UPPER_LIP_INNER = [191, 80, 81, 82];
const LOWER_LIP_OUTER = [146, 91, 181, 84];
const LOWER_LIP_INNER = [95, 88, 178, 87];
const MID_UPPER = [0, 13];
const MID_LOWER = [17, 14];
const PHILTRUM = [164, 167, 165, 92, 186, 57, 43, 106, 182, 83, 18, 313, 406, 335, 273, 287, 410, 322, 391, 393];
const CHIN = [152, 175, 199, 200, 18, 32, 208, 201, 194, 171, 140, 148, 176, 149, 150, 169, 170, 211, 210, 204, 202, 83, 182, 106, 43];

// ---- Building fields ----

/** Landmarks of the lips, brows and lids named in pairs across the midline (subject's right, then left). */
const PAIRS: readonly (readonly [readonly number[], readonly number[]])[] = [
  [
    [61, 78, 185, 40, 39, 37, 191, 80, 81, 82],
    [291, 308, 409, 270, 269, 267, 415, 310, 311, 312],
  ],
  [
    [146, 91, 181, 84, 95, 88, 178, 87],
    [375, 321, 405, 314, 324, 318, 402, 317],
  ],
  [
    [107, 66, 55, 65, 105, 52, 70, 63, 46, 53],
    [336, 296, 285, 295, 334, 282, 300, 293, 276, 283],
  ],
  [
    [246, 161, 160, 159, 158, 157, 173, 7, 163, 144, 145, 153, 154, 155, 33, 133],
    [466, 388, 387, 386, 385, 384, 398, 249, 390, 373, 374, 380, 381, 382, 263, 362],
  ],
];

/**
 * The landmark mirrored across the face's midline: the named pairs above, else the nearest template point to
 * (-x, y, z) (the template is not exactly symmetric, so nearest points alone would pair some lip points wrongly).
 */
const MIRROR: readonly number[] = (() => {
  const m = TEMPLATE.map((p) => {
    let best = 0;
    let bd = Infinity;
    TEMPLATE.forEach((q, j) => {
      const d = (q[0] + p[0]) ** 2 + (q[1] - p[1]) ** 2 + (q[2] - p[2]) ** 2;
      if (d < bd) {
        bd = d;
        best = j;
      }
    });
    return best;
  });
  for (const [r, l] of PAIRS) {
    r.forEach((i, k) => {
      m[i] = l[k];
      m[l[k]] = i;
    });
  }
  return m;
})();

interface Handle {
  /** Landmarks that move exactly as `move` says. */
  idx: readonly number[];
  /** Motion of each anchor (template space), from its index. */
  move: (i: number) => Point3;
  /** Fall-off (IOD units) of the motion around the anchors; 0 = the anchors only. */
  spread: number;
}

const at = (v: Point3) => () => v;

/**
 * The field of `handles`, with `pins` held still: an anchor moves as its handle says; any other point takes the
 * motion of each handle's nearest anchor weighted by a Gaussian of the distance to it (x, y), with the pins pulling
 * toward zero in the same way, normalised where the weights add up past 1. The stable points (eye corners, nose
 * bridge, face sides, forehead) are always pinned: the target is aligned on them (target.ts stabilize), so a unit
 * that moved them would shift the whole face.
 */
function field(handles: readonly Handle[], unitPins: readonly number[] = [], pinSpread = 0.06): Point3[] {
  const pins = [...unitPins, ...STILL];
  const pinSet = new Set(pins);
  const anchored = new Map<number, Point3>();
  for (const h of handles) for (const i of h.idx) if (!STABLE.has(i)) anchored.set(i, h.move(i));
  return TEMPLATE.map((p, i) => {
    const own = anchored.get(i);
    if (own) return [...own] as Point3;
    if (pinSet.has(i)) return [0, 0, 0];
    const nearest = (idx: readonly number[]) => {
      let best = idx[0];
      let bd = Infinity;
      for (const j of idx) {
        const d = (TEMPLATE[j][0] - p[0]) ** 2 + (TEMPLATE[j][1] - p[1]) ** 2;
        if (d < bd) {
          bd = d;
          best = j;
        }
      }
      return { j: best, d2: bd };
    };
    let wSum = 0;
    const out: Point3 = [0, 0, 0];
    for (const h of handles) {
      if (h.spread <= 0) continue;
      const { j, d2 } = nearest(h.idx);
      const w = Math.exp(-d2 / (2 * h.spread * h.spread));
      const v = h.move(j);
      for (let k = 0; k < 3; k++) out[k] += w * v[k];
      wSum += w;
    }
    if (pins.length) wSum += Math.exp(-nearest(pins).d2 / (2 * pinSpread * pinSpread));
    const s = wSum > 1 ? 1 / wSum : 1;
    return [out[0] * s, out[1] * s, out[2] * s];
  });
}

const mirrorIdx = (idx: readonly number[]) => idx.map((i) => MIRROR[i]);
const mirrorHandle = (h: Handle): Handle => ({
  idx: mirrorIdx(h.idx),
  spread: h.spread,
  move: (i) => {
    const v = h.move(MIRROR[i]);
    return [-v[0], v[1], v[2]];
  },
});
/** Handles designed on the subject's right side, with their mirror images on the left. */
const both = (handles: readonly Handle[]) => [...handles, ...handles.map(mirrorHandle)];

const EYE_RING_R = [...UPPER_LID, ...LOWER_LID, ...EYE_CORNERS];
const EYES = [...EYE_RING_R, ...mirrorIdx(EYE_RING_R)];
const LIPS_R = [...MOUTH_CORNER, ...UPPER_LIP_OUTER, ...UPPER_LIP_INNER, ...LOWER_LIP_OUTER, ...LOWER_LIP_INNER];
const LIPS = [...LIPS_R, ...mirrorIdx(LIPS_R), ...MID_UPPER, ...MID_LOWER];
const UPPER_LIPS = [...UPPER_LIP_OUTER, ...UPPER_LIP_INNER, ...mirrorIdx([...UPPER_LIP_OUTER, ...UPPER_LIP_INNER]), ...MID_UPPER];
const LOWER_LIPS = [...LOWER_LIP_OUTER, ...LOWER_LIP_INNER, ...mirrorIdx([...LOWER_LIP_OUTER, ...LOWER_LIP_INNER]), ...MID_LOWER];
const STILL = LANDMARK_SETS.stablePoints;
const STABLE = new Set(STILL);
const y = (i: number) => TEMPLATE[i][1];
const x = (i: number) => TEMPLATE[i][0];
/** The face's midline, which the mouth's motions are symmetric about. */
const MOUTH_CX = 0;

/** Lip points move toward the mouth's vertical centre line by `k` of their distance from it, and forward by `z`. */
const gather =
  (k: number, z: number) =>
  (i: number): Point3 => [-k * (x(i) - MOUTH_CX), 0, -z];

/** Points below the lip line move down by `amount`, fading toward the jaw's angles and up toward the lip line. */
function jawDown(amount: number): Point3[] {
  const lipLine = y(13);
  return TEMPLATE.map((p, i) => {
    if (UPPER_LIPS.includes(i) || p[1] <= lipLine) return [0, 0, 0];
    // The lower lip rides on the jaw as a whole (stretching it would smear its red over the chin); beside the mouth
    // the cheeks take the motion up over a short distance below the corners, and the jaw's angles move least.
    const down = LOWER_LIPS.includes(i) ? 1 : Math.min(1, (p[1] - lipLine) / 0.12);
    const lateral = Math.max(0.25, 1 - Math.max(0, Math.abs(p[0]) - 0.5) / 0.6);
    const w = down * lateral;
    // The jaw turns about its hinge: the chin also comes back a little.
    return [-0.08 * amount * w * Math.sign(p[0]), amount * w, 0.15 * amount * w];
  });
}

export const FIELDS: Record<UnitName, () => Point3[]> = {
  inner_brow_raise: () =>
    field(
      both([
        { idx: BROW_INNER, move: at([0.01, -0.1, 0]), spread: 0.12 },
        { idx: BROW_MID, move: at([0, -0.05, 0]), spread: 0.1 },
        { idx: FOREHEAD.slice(0, 3), move: at([0, -0.05, 0]), spread: 0.12 },
      ]),
      [...EYES, ...BROW_OUTER, ...mirrorIdx(BROW_OUTER), ...NOSE_MIDLINE],
    ),
  outer_brow_raise: () =>
    field(
      both([
        { idx: BROW_OUTER, move: at([-0.01, -0.1, 0]), spread: 0.12 },
        { idx: BROW_MID, move: at([0, -0.06, 0]), spread: 0.1 },
        { idx: FOREHEAD.slice(3, 6), move: at([0, -0.05, 0]), spread: 0.12 },
      ]),
      [...EYES, ...BROW_INNER, ...mirrorIdx(BROW_INNER)],
    ),
  brow_lower: () =>
    field(
      [
        ...both([
          { idx: BROW_INNER, move: at([0.04, 0.07, -0.01]), spread: 0.1 },
          { idx: BROW_MID, move: at([0.02, 0.05, 0]), spread: 0.1 },
          { idx: BROW_OUTER, move: at([0.005, 0.03, 0]), spread: 0.1 },
          { idx: LID_CREASE, move: at([0.005, 0.02, 0]), spread: 0 },
        ]),
        { idx: GLABELLA, move: at([0, 0.03, 0]), spread: 0.08 },
      ],
      [...EYES, ...NOSE_MIDLINE.filter((i) => y(i) > 0)],
    ),
  upper_lid_raise: () =>
    field(
      both([
        // The lid edge rises most at its middle, where the iris is.
        { idx: UPPER_LID, move: (i) => [0, -0.045 * Math.sin((Math.PI * (UPPER_LID.indexOf(i) + 1)) / (UPPER_LID.length + 1)), 0], spread: 0 },
        { idx: LID_CREASE, move: at([0, -0.02, 0]), spread: 0.05 },
      ]),
      [...EYE_CORNERS, ...mirrorIdx(EYE_CORNERS), ...LOWER_LID, ...mirrorIdx(LOWER_LID), ...BROW_INNER, ...BROW_OUTER],
    ),
  lid_tighten: () =>
    field(
      both([
        { idx: LOWER_LID, move: (i) => [0, -0.03 * Math.sin((Math.PI * (LOWER_LID.indexOf(i) + 1)) / (LOWER_LID.length + 1)), 0], spread: 0 },
        { idx: UPPER_LID, move: (i) => [0, 0.012 * Math.sin((Math.PI * (UPPER_LID.indexOf(i) + 1)) / (UPPER_LID.length + 1)), 0], spread: 0 },
        { idx: UNDER_EYE.slice(0, 6), move: at([0, -0.015, 0]), spread: 0.05 },
      ]),
      [...EYE_CORNERS, ...mirrorIdx(EYE_CORNERS), ...BROW_INNER, ...BROW_OUTER, ...mirrorIdx(BROW_INNER), ...mirrorIdx(BROW_OUTER)],
    ),
  cheek_raise: () =>
    field(
      both([
        { idx: CHEEK, move: at([-0.01, -0.05, -0.01]), spread: 0.1 },
        { idx: UNDER_EYE, move: at([0, -0.03, 0]), spread: 0.06 },
        { idx: LOWER_LID, move: (i) => [0, -0.015 * Math.sin((Math.PI * (LOWER_LID.indexOf(i) + 1)) / (LOWER_LID.length + 1)), 0], spread: 0 },
        // The outer corner's skin bunches in: crow's feet.
        { idx: [33, 130, 226, 247], move: at([0.01, -0.005, 0]), spread: 0 },
      ]),
      [...UPPER_LID, ...mirrorIdx(UPPER_LID), ...LIPS, ...NOSE_MIDLINE, ...BROW_INNER, ...BROW_OUTER, ...mirrorIdx(BROW_INNER), ...mirrorIdx(BROW_OUTER)],
    ),
  nose_wrinkle: () =>
    field(
      [
        ...both([
          { idx: NOSE_SIDE, move: at([0.005, -0.04, 0]), spread: 0.06 },
          { idx: BROW_INNER, move: at([0.01, 0.025, 0]), spread: 0.06 },
          { idx: UPPER_LIP_OUTER.slice(2), move: at([0, -0.02, 0]), spread: 0.04 },
        ]),
        { idx: [6, 168, 197, 195], move: at([0, -0.02, 0]), spread: 0.04 },
      ],
      [...EYES, ...LOWER_LIPS, ...MOUTH_CORNER, ...mirrorIdx(MOUTH_CORNER), 1, 4],
    ),
  upper_lip_raise: () =>
    field(
      [
        ...both([
          // The upper lip rises most beside its middle (the squared shape of AU10), pulling the folds beside the nose up.
          { idx: [...UPPER_LIP_OUTER.slice(1), ...UPPER_LIP_INNER.slice(1)], move: at([0, -0.065, -0.01]), spread: 0.05 },
          { idx: [UPPER_LIP_OUTER[0], UPPER_LIP_INNER[0]], move: at([0, -0.035, 0]), spread: 0.04 },
          { idx: [129, 49, 98, 64], move: at([0, -0.015, 0]), spread: 0.05 },
        ]),
        { idx: MID_UPPER, move: at([0, -0.05, -0.01]), spread: 0.05 },
      ],
      [...LOWER_LIPS, ...MOUTH_CORNER, ...mirrorIdx(MOUTH_CORNER), 1, 4, 5, ...EYES],
    ),
  lip_corner_pull: () =>
    field(
      both([
        { idx: MOUTH_CORNER, move: at([-0.07, -0.07, 0.01]), spread: 0.14 },
        { idx: CHEEK.slice(0, 6), move: at([-0.015, -0.035, -0.01]), spread: 0.08 },
      ]),
      [...MID_UPPER, ...MID_LOWER, ...NOSE_MIDLINE, ...EYES, ...CHIN.slice(0, 5)],
      0.1,
    ),
  lip_corner_depress: () =>
    field(
      both([
        { idx: MOUTH_CORNER, move: at([-0.01, 0.065, 0]), spread: 0.12 },
        { idx: [LOWER_LIP_OUTER[0], LOWER_LIP_INNER[0]], move: at([-0.005, 0.035, 0]), spread: 0 },
      ]),
      [...MID_UPPER, ...MID_LOWER, ...NOSE_MIDLINE, ...EYES],
      0.1,
    ),
  pucker: () =>
    field(
      [
        { idx: LIPS, move: gather(0.3, 0.06), spread: 0.08 },
        { idx: PHILTRUM, move: gather(0.15, 0.02), spread: 0 },
      ],
      [...NOSE_MIDLINE, ...EYES, 152],
    ),
  lip_stretch: () =>
    field(
      both([
        { idx: MOUTH_CORNER, move: at([-0.07, 0.015, 0.01]), spread: 0.12 },
        { idx: [...UPPER_LIP_OUTER, ...UPPER_LIP_INNER].slice(0, 2), move: at([-0.035, 0.005, 0]), spread: 0 },
        { idx: [...LOWER_LIP_OUTER, ...LOWER_LIP_INNER].slice(0, 2), move: at([-0.035, 0.01, 0]), spread: 0 },
      ]),
      [...MID_UPPER, ...MID_LOWER, ...NOSE_MIDLINE, ...EYES],
      0.1,
    ),
  funnel: () =>
    field(
      [
        { idx: UPPER_LIPS, move: (i) => [-0.25 * (x(i) - MOUTH_CX), -0.03, -0.05], spread: 0.05 },
        { idx: LOWER_LIPS, move: (i) => [-0.25 * (x(i) - MOUTH_CX), 0.05, -0.05], spread: 0.05 },
        ...both([{ idx: MOUTH_CORNER, move: (i) => [-0.25 * (x(i) - MOUTH_CX), 0.01, -0.02], spread: 0.06 }]),
      ],
      [...NOSE_MIDLINE, ...EYES],
    ),
  lip_press: () =>
    field(
      [
        // Inner lips meet at their midline; the red of each lip thins toward it.
        ...[UPPER_LIP_INNER, mirrorIdx(UPPER_LIP_INNER), [13]].map(
          (idx): Handle => ({ idx, move: (i) => [0, 0.5 * (y(lowerOf(i)) - y(i)) + 0.004, 0], spread: 0 }),
        ),
        ...[LOWER_LIP_INNER, mirrorIdx(LOWER_LIP_INNER), [14]].map(
          (idx): Handle => ({ idx, move: (i) => [0, -0.5 * (y(i) - y(upperOf(i))) - 0.004, 0], spread: 0 }),
        ),
        { idx: [...UPPER_LIP_OUTER, ...mirrorIdx(UPPER_LIP_OUTER), 0], move: at([0, 0.03, 0.01]), spread: 0.03 },
        { idx: [...LOWER_LIP_OUTER, ...mirrorIdx(LOWER_LIP_OUTER), 17], move: at([0, -0.035, 0.01]), spread: 0.03 },
        ...both([{ idx: MOUTH_CORNER, move: at([0.005, 0, 0]), spread: 0 }]),
      ],
      [...NOSE_MIDLINE, ...EYES, 152],
    ),
  lips_part: () =>
    field(
      [
        { idx: [...LOWER_LIP_INNER, ...mirrorIdx(LOWER_LIP_INNER), 14], move: (i) => [0, 0.07 * mid(i), 0], spread: 0 },
        { idx: [...LOWER_LIP_OUTER, ...mirrorIdx(LOWER_LIP_OUTER), 17], move: (i) => [0, 0.05 * mid(i), 0], spread: 0.04 },
        { idx: [...UPPER_LIP_INNER, ...mirrorIdx(UPPER_LIP_INNER), 13], move: (i) => [0, -0.015 * mid(i), 0], spread: 0 },
      ],
      [...NOSE_MIDLINE, ...EYES, ...MOUTH_CORNER, ...mirrorIdx(MOUTH_CORNER), 152],
    ),
  chin_raise: () =>
    field(
      [
        { idx: CHIN, move: (i) => [0, -0.05 * Math.max(0, 1 - Math.abs(x(i)) / 0.45), -0.01], spread: 0.06 },
        { idx: LOWER_LIPS, move: (i) => [0, -0.035 * mid(i), -0.025], spread: 0 },
        ...both([{ idx: MOUTH_CORNER, move: at([0, 0.01, 0]), spread: 0 }]),
      ],
      [...UPPER_LIPS, ...NOSE_MIDLINE, ...EYES],
    ),
  jaw_drop: () => {
    const d = jawDown(0.26);
    // The mouth's corners come down about half as far as the lower lip, and in a little; the upper lip stays.
    for (const c of [...MOUTH_CORNER, ...mirrorIdx(MOUTH_CORNER)]) d[c] = [-0.03 * Math.sign(x(c)), 0.12, 0];
    return d;
  },
  // The iris moves in the renderer (render/eye-layer.ts); sideways the lids stay, up or down they follow it a little.
  gaze_x: () => TEMPLATE.map(() => [0, 0, 0]),
  gaze_y: () =>
    field(
      both([
        { idx: UPPER_LID, move: (i) => [0, 0.03 * Math.sin((Math.PI * (UPPER_LID.indexOf(i) + 1)) / (UPPER_LID.length + 1)), 0], spread: 0 },
        { idx: LOWER_LID, move: (i) => [0, 0.008 * Math.sin((Math.PI * (LOWER_LID.indexOf(i) + 1)) / (LOWER_LID.length + 1)), 0], spread: 0 },
        { idx: LID_CREASE, move: at([0, 0.012, 0]), spread: 0.04 },
      ]),
      [...EYE_CORNERS, ...mirrorIdx(EYE_CORNERS), ...BROW_INNER, ...BROW_OUTER, ...mirrorIdx(BROW_INNER), ...mirrorIdx(BROW_OUTER)],
    ),
  blink_right: () => field(closeEye(), [...mirrorIdx(EYE_RING_R), ...BROW_INNER, ...BROW_OUTER]),
  blink_left: () => field(closeEye().map(mirrorHandle), [...EYE_RING_R, ...mirrorIdx([...BROW_INNER, ...BROW_OUTER])]),
};

/**
 * The right eye's lids meeting low in the opening (AU43): the upper lid comes most of the way. The field is scaled to
 * the face's neutral, and a photo's eyes may be opened wider than that: the eye layer (render/eye-layer.ts) closes
 * what is left.
 */
function closeEye(): Handle[] {
  const gap = (k: number): Point3 => [x(LOWER_LID[k]) - x(UPPER_LID[k]), y(LOWER_LID[k]) - y(UPPER_LID[k]), 0];
  const mean = UPPER_LID.reduce((s, _, k) => s + gap(k)[1], 0) / UPPER_LID.length;
  return [
    { idx: UPPER_LID, move: (i) => gap(UPPER_LID.indexOf(i)).map((v) => 0.85 * v) as Point3, spread: 0 },
    { idx: LOWER_LID, move: (i) => gap(LOWER_LID.indexOf(i)).map((v) => -0.15 * v) as Point3, spread: 0 },
    { idx: LID_CREASE, move: at([0, 0.35 * mean, 0]), spread: 0.04 },
  ];
}

/** 1 at the mouth's middle, falling toward its corners (a lip opens most at its middle). */
function mid(i: number): number {
  const half = (x(291) - x(61)) / 2;
  return Math.max(0.25, Math.cos((Math.PI / 2) * Math.min(1, Math.abs(x(i) - MOUTH_CX) / half)));
}

/** The inner-lip point facing `i` across the mouth (nearest in x on the other lip). */
function facing(i: number, on: readonly number[]): number {
  let best = on[0];
  for (const j of on) if (Math.abs(x(j) - x(i)) < Math.abs(x(best) - x(i))) best = j;
  return best;
}
const INNER_LOWER_ALL = [...LOWER_LIP_INNER, ...mirrorIdx(LOWER_LIP_INNER), 14];
const INNER_UPPER_ALL = [...UPPER_LIP_INNER, ...mirrorIdx(UPPER_LIP_INNER), 13];
const lowerOf = (i: number) => facing(i, INNER_LOWER_ALL);
const upperOf = (i: number) => facing(i, INNER_UPPER_ALL);
