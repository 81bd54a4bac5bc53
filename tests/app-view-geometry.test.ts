import { describe, expect, it } from 'vitest';
import {
  clampZoom,
  FACE_MARGIN,
  faceView,
  fitSize,
  fitZoom,
  imagePoint,
  MAX_PIXEL_ZOOM,
  MAX_ZOOM,
  panBy,
  toggleZoom,
  zoomAt,
  zoomLimits,
  zoomPercent,
  zoomRect,
} from '../src/app/view-geometry';

describe('photo view geometry', () => {
  it('fits the photo to the room, keeping its aspect ratio', () => {
    expect(fitSize(512, 512, 650, 576)).toEqual({ w: 576, h: 576 });
    expect(fitSize(1600, 900, 800, 800)).toEqual({ w: 800, h: 450 });
    expect(fitSize(100, 100, 0, 500)).toEqual({ w: 0, h: 0 });
  });

  it('zooms to the face with a margin, centred, and never leaves the photo', () => {
    const view = { w: 576, h: 576 };
    const box = { x: 200, y: 150, width: 100, height: 110 };
    const r = faceView(512, 512, view, box);
    const k = r.w / 512;
    expect(k).toBeCloseTo(576 / (110 * FACE_MARGIN), 5);
    // The face centre lands in the middle of the view.
    expect(r.x + (box.x + box.width / 2) * k).toBeCloseTo(288, 5);
    expect(r.y + (box.y + box.height / 2) * k).toBeCloseTo(288, 5);
    // A face at the corner: the photo's edge stays at the view's edge.
    const c = faceView(512, 512, view, { x: 0, y: 0, width: 60, height: 60 });
    expect(c.x).toBe(0);
    expect(c.y).toBe(0);
    const e = faceView(512, 512, view, { x: 452, y: 452, width: 60, height: 60 });
    expect(e.x + e.w).toBeCloseTo(576, 5);
    expect(e.y + e.h).toBeCloseTo(576, 5);
  });

  it('does not zoom out below the fitted size, nor in beyond MAX_ZOOM', () => {
    const view = { w: 400, h: 400 };
    expect(faceView(512, 512, view, { x: 0, y: 0, width: 500, height: 500 })).toEqual({ x: 0, y: 0, w: 400, h: 400 });
    const tiny = faceView(4000, 4000, view, { x: 2000, y: 2000, width: 10, height: 10 });
    expect(tiny.w).toBeCloseTo(400 * MAX_ZOOM, 5);
  });

  it("fits, 1:1 and the zoom limits: from the smaller of fit and 1:1 up to 800 % of the photo's pixels", () => {
    const l = zoomLimits(1600, 900, { w: 800, h: 450 });
    expect(l.fit).toBeCloseTo(0.5, 9);
    expect(l.one).toBe(1);
    expect(l.min).toBeCloseTo(0.5, 9);
    expect(l.max).toBe(MAX_PIXEL_ZOOM);
    // A small photo in a large view: 1:1 is below fit, and allowed.
    const s = zoomLimits(512, 512, { w: 576, h: 576 });
    expect(s.fit).toBeCloseTo(1.125, 9);
    expect(s.min).toBe(1);
    // On a phone with 3 device pixels per CSS pixel, 1:1 is a third of a CSS pixel per image pixel.
    const hi = zoomLimits(4000, 3000, { w: 360, h: 270 }, 3);
    expect(hi.one).toBeCloseTo(1 / 3, 9);
    expect(hi.max).toBeCloseTo(8 / 3, 9);
    expect(zoomPercent({ k: 1 / 3, x: 0, y: 0 }, 3)).toBe(100);
    expect(fitZoom(1600, 900, { w: 800, h: 600 }, zoomLimits(1600, 900, { w: 800, h: 600 }))).toEqual({ k: 0.5, x: 0, y: 75 });
  });

  it('zooming about a point keeps the image point under it fixed', () => {
    const view = { w: 800, h: 450 };
    const l = zoomLimits(1600, 900, view);
    let z = fitZoom(1600, 900, view, l);
    for (const [k, p] of [
      [1, { x: 300, y: 200 }],
      [3.7, { x: 610, y: 95 }],
      [2, { x: 400, y: 225 }],
    ] as const) {
      const before = imagePoint(z, p);
      z = zoomAt(1600, 900, view, z, k, p, l);
      expect(z.k).toBe(k);
      const after = imagePoint(z, p);
      expect(after.x).toBeCloseTo(before.x, 9);
      expect(after.y).toBeCloseTo(before.y, 9);
    }
    // Beyond the limits the scale stops at them.
    expect(zoomAt(1600, 900, view, z, 100, { x: 400, y: 225 }, l).k).toBe(MAX_PIXEL_ZOOM);
    expect(zoomAt(1600, 900, view, z, 0.01, { x: 400, y: 225 }, l)).toEqual(fitZoom(1600, 900, view, l));
  });

  it('clamps pans so the photo cannot leave the view, and centres a photo smaller than it', () => {
    const view = { w: 800, h: 450 };
    const l = zoomLimits(1600, 900, view);
    const z = { k: 1, x: -400, y: -200 };
    expect(panBy(1600, 900, view, z, 10000, 10000, l)).toEqual({ k: 1, x: 0, y: 0 });
    expect(panBy(1600, 900, view, z, -10000, -10000, l)).toEqual({ k: 1, x: -800, y: -450 });
    expect(panBy(1600, 900, view, z, 30, -20, l)).toEqual({ k: 1, x: -370, y: -220 });
    // Smaller than the view: centred whatever the pan.
    const small = zoomLimits(512, 512, { w: 576, h: 576 });
    expect(clampZoom(512, 512, { w: 576, h: 576 }, { k: 1, x: -300, y: 900 }, small)).toEqual({ k: 1, x: 32, y: 32 });
  });

  it('double-click toggles fit and 1:1 at the clicked point', () => {
    const view = { w: 800, h: 450 };
    const l = zoomLimits(1600, 900, view);
    const fit = fitZoom(1600, 900, view, l);
    const p = { x: 500, y: 150 };
    const one = toggleZoom(1600, 900, view, fit, p, l);
    expect(one.k).toBe(1);
    expect(imagePoint(one, p).x).toBeCloseTo(imagePoint(fit, p).x, 9);
    expect(imagePoint(one, p).y).toBeCloseTo(imagePoint(fit, p).y, 9);
    expect(toggleZoom(1600, 900, view, one, p, l)).toEqual(fit);
    // Any other zoom goes back to fit too; a photo whose fit is 1:1 goes to 2:1.
    expect(toggleZoom(1600, 900, view, { k: 3, x: -100, y: -100 }, p, l)).toEqual(fit);
    const exact = zoomLimits(800, 450, view);
    expect(toggleZoom(800, 450, view, fitZoom(800, 450, view, exact), p, exact).k).toBe(2);
  });

  it('snaps the frame to device pixels at 1:1 and beyond only', () => {
    expect(zoomRect(100, 50, { k: 2, x: -10.4, y: 3.6 })).toEqual({ x: -10, y: 4, w: 200, h: 100 });
    expect(zoomRect(100, 50, { k: 0.5, x: 1.25, y: 3.6 })).toEqual({ x: 1.25, y: 3.6, w: 50, h: 25 });
    expect(zoomRect(100, 50, { k: 1, x: 1.2, y: 0.7 }, 2)).toEqual({ x: 1, y: 0.5, w: 100, h: 50 });
  });
});
