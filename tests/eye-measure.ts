/**
 * Measures of an edited eye against the photo's own (tests/eyes.test.ts): the colour of the iris the lids uncover,
 * vertical streaks in the iris, the grain and sharpness of what the lids uncover, where the iris is. Each works on a
 * photo, its render, and the eye found on the photo (render/eye-find.ts), in that eye's coordinates (eye widths).
 */
import type { Point3, RGBAImage } from '../src/engine/index';
import { eyeContours, type EyeOnPhoto, findEyes, lidAt, toEye, toImage } from '../src/engine/render/eye-find';

function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

const lumaAt = (img: RGBAImage, x: number, y: number) => {
  const o = (y * img.width + x) * 4;
  return 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
};

/** Image pixels (x, y) of the eye's box whose eye coordinates pass `keep`. */
export function eyePixels(eye: EyeOnPhoto, img: RGBAImage, keep: (s: number, t: number) => boolean): [number, number][] {
  const f = eye.frame;
  const corners = [toImage(f, -0.1, -0.5), toImage(f, 1.1, -0.5), toImage(f, -0.1, 0.4), toImage(f, 1.1, 0.4)];
  const x0 = Math.max(1, Math.floor(Math.min(...corners.map((c) => c[0]))));
  const x1 = Math.min(img.width - 2, Math.ceil(Math.max(...corners.map((c) => c[0]))));
  const y0 = Math.max(1, Math.floor(Math.min(...corners.map((c) => c[1]))));
  const y1 = Math.min(img.height - 2, Math.ceil(Math.max(...corners.map((c) => c[1]))));
  const out: [number, number][] = [];
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const [s, t] = toEye(f, x, y);
      if (keep(s, t)) out.push([x, y]);
    }
  return out;
}

/** Mean CIELAB over pixels `px` of `img`. */
export function meanLab(img: RGBAImage, px: readonly [number, number][]): [number, number, number] {
  const m: [number, number, number] = [0, 0, 0];
  for (const [x, y] of px) {
    const o = (y * img.width + x) * 4;
    const l = srgbToLab(img.data[o], img.data[o + 1], img.data[o + 2]);
    for (let k = 0; k < 3; k++) m[k] += l[k] / px.length;
  }
  return m;
}

export const deltaE = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Where the lids lie on the photo and on a target: the real margins (the eye's found offsets on the mesh's rings). */
export function margins(eye: EyeOnPhoto, target: readonly Point3[], e: number) {
  const tgt = eyeContours(target, e);
  const open = (u: number, l: number) => l - u;
  const openS = open(lidAt(eye.upper, 0.5), lidAt(eye.lower, 0.5));
  const openT = open(lidAt(tgt.upper, 0.5), lidAt(tgt.lower, 0.5));
  const k = Math.min(1, Math.max(0, openT / openS));
  return {
    upS: (s: number) => lidAt(eye.upper, s) - eye.margin,
    lowS: (s: number) => lidAt(eye.lower, s) + eye.lowMargin,
    upT: (s: number) => lidAt(tgt.upper, s) - k * eye.margin,
    lowT: (s: number) => lidAt(tgt.lower, s) + eye.lowMargin,
  };
}

/**
 * The iris the target's lids uncover (hidden under the lid on the photo, shown on the render), against the iris the
 * photo shows (catchlights left out): ΔE of their mean colours, and how many pixels were uncovered.
 */
export function revealedIris(photo: RGBAImage, render: RGBAImage, eye: EyeOnPhoto, target: readonly Point3[], e: number) {
  const px = 1 / eye.frame.width;
  const m = margins(eye, target, e);
  const { iris } = eye;
  const inIris = (s: number, t: number) => Math.hypot(s - iris.s, t - iris.t) < iris.r - 2 * px;
  const revealed = eyePixels(eye, render, (s, t) => inIris(s, t) && t < m.upS(s) - px && t > m.upT(s) + 3 * px && t < m.lowT(s) - 2 * px);
  // the visible iris as far from its centre as the uncovered pixels are (its outer part: the pupil is no part of it)
  const rho = (x: number, y: number) => {
    const [s, t] = toEye(eye.frame, x, y);
    return Math.hypot(s - iris.s, t - iris.t);
  };
  const inner = Math.min(...revealed.map(([x, y]) => rho(x, y)));
  const shown = eyePixels(eye, photo, (s, t) => inIris(s, t) && t > m.upS(s) + 3 * px && t < m.lowS(s) - 2 * px).filter(
    ([x, y]) => lumaAt(photo, x, y) < eye.highlight && rho(x, y) >= inner,
  );
  return { dE: deltaE(meanLab(render, revealed), meanLab(photo, shown)), n: revealed.length };
}

/**
 * Vertical streaks in the iris: the mean |vertical| over the mean |horizontal| luminance step over the iris the render
 * shows, over the same on the photo's visible iris (an iris drawn out into vertical streaks loses its vertical steps: well under 1).
 */
export function irisStreak(photo: RGBAImage, render: RGBAImage, eye: EyeOnPhoto, target: readonly Point3[], e: number): number {
  const px = 1 / eye.frame.width;
  const m = margins(eye, target, e);
  const { iris } = eye;
  const inIris = (s: number, t: number) => Math.hypot(s - iris.s, t - iris.t) < iris.r - 3 * px;
  const ratio = (img: RGBAImage, up: (s: number) => number, low: (s: number) => number) => {
    let v = 0;
    let h = 0;
    for (const [x, y] of eyePixels(eye, img, (s, t) => inIris(s, t) && t > up(s) + 3 * px && t < low(s) - 3 * px)) {
      v += Math.abs(lumaAt(img, x, y + 1) - lumaAt(img, x, y - 1));
      h += Math.abs(lumaAt(img, x + 1, y) - lumaAt(img, x - 1, y));
    }
    return v / Math.max(1e-9, h);
  };
  return ratio(render, m.upT, m.lowT) / ratio(photo, m.upS, m.lowS);
}

/** RMS of luminance minus its 3 x 3 mean (grain) and mean |Laplacian| (sharpness) over pixels `px`. */
function grainAndSharpness(img: RGBAImage, px: readonly [number, number][]): { grain: number; sharp: number } {
  let g = 0;
  let s = 0;
  for (const [x, y] of px) {
    let mean = 0;
    for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) mean += lumaAt(img, x + i, y + j) / 9;
    g += (lumaAt(img, x, y) - mean) ** 2;
    s += Math.abs(4 * lumaAt(img, x, y) - lumaAt(img, x - 1, y) - lumaAt(img, x + 1, y) - lumaAt(img, x, y - 1) - lumaAt(img, x, y + 1));
  }
  const n = Math.max(1, px.length);
  return { grain: Math.sqrt(g / n), sharp: s / n };
}

/**
 * Grain and sharpness of the eyeball the target's lids uncover, over those of the eyeball the photo shows (away from
 * its lids' edges): the iris against the visible iris, the sclera against the visible sclera (the two differ: the
 * iris has fibres, the sclera is smooth), with the number of uncovered pixels of each.
 */
export function uncoveredTexture(photo: RGBAImage, render: RGBAImage, eye: EyeOnPhoto, target: readonly Point3[], e: number) {
  const px = 1 / eye.frame.width;
  const m = margins(eye, target, e);
  const { iris } = eye;
  const within = (s: number) => s > 0.15 && s < 0.85;
  const rho = (s: number, t: number) => Math.hypot(s - iris.s, t - iris.t);
  const part = (inside: boolean) => (s: number, t: number) => within(s) && (inside ? rho(s, t) < iris.r - 2 * px : rho(s, t) > iris.r + 3 * px);
  const ratio = (keep: (s: number, t: number) => boolean) => {
    // (the lashes' soft edge, the first pixels under the new margin, is the lid's)
    const uncovered = eyePixels(eye, render, (s, t) => keep(s, t) && t < m.upS(s) - px && t > m.upT(s) + 5 * px && t < m.lowT(s) - 3 * px);
    // as far from the iris's centre as the uncovered pixels (the pupil's edge and the catchlight are no part of it)
    const far = (x: number, y: number) => rho(...toEye(eye.frame, x, y));
    const inner = Math.min(...uncovered.map(([x, y]) => far(x, y)));
    const shown = eyePixels(eye, photo, (s, t) => keep(s, t) && rho(s, t) >= inner && t > m.upS(s) + 3 * px && t < m.lowS(s) - 3 * px).filter(
      ([x, y]) => rho(...toEye(eye.frame, x, y)) > iris.r || lumaAt(photo, x, y) < eye.highlight,
    );
    const a = grainAndSharpness(render, uncovered);
    const b = grainAndSharpness(photo, shown);
    return { grain: a.grain / b.grain, sharp: a.sharp / b.sharp, n: uncovered.length };
  };
  return { iris: ratio(part(true)), sclera: ratio(part(false)) };
}

/** The iris's centre as found on `img` with landmarks `points` (eye `e`), in the photo's eye's coordinates. */
export function irisOn(img: RGBAImage, points: readonly Point3[], e: number, photoEye: EyeOnPhoto): [number, number] | null {
  const found = findEyes(img, points)[e];
  if (!found) return null;
  const [x, y] = toImage(found.frame, found.iris.s, found.iris.t);
  return toEye(photoEye.frame, x, y);
}
