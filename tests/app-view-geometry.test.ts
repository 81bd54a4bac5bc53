import { describe, expect, it } from 'vitest';
import { FACE_MARGIN, faceView, fitSize, MAX_ZOOM } from '../src/app/view-geometry';

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
});
