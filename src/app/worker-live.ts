/// <reference lib="webworker" />
/**
 * The camera as the reference, in the worker (worker.ts; camera.ts drives it): one call per camera frame finds the
 * performer's face and edits a face of the photo toward it, with the performer's own neutral once it is learned
 * (performer.ts).
 */
import * as Comlink from 'comlink';
import { type Edit, type Editor, expressionToJSON, type Face } from '../engine/index';
import { createPerformer } from './performer';
import type { LiveOptions, LiveResult, RawPixels, RenderedFrame } from './protocol';

export interface LiveDeps {
  editor(): Editor;
  face(faceId: number): Face;
  /** Keeps an edit of face `faceId` under a new id (worker.ts's edits: rendered, exported, released like any). */
  addEdit(edit: Edit, faceId: number): number;
}

type Render = (editId: number, a: number, kind: 'preview' | 'full') => Promise<RenderedFrame>;

export function createLive(deps: LiveDeps) {
  const performer = createPerformer();
  return {
    /** The frame's edit, rendered by `render` (worker.ts's); the frame's bitmap is transferred. */
    async live(faceId: number, pixels: RawPixels, o: LiveOptions, render: Render): Promise<LiveResult> {
      if (o.restart) performer.reset();
      const target = deps.face(faceId);
      const photo = await deps.editor().open(pixels);
      try {
        if (photo.faces.length === 0) {
          performer.lost();
          return { frame: null, editId: -1, units: null, points: null, box: null, calibrating: performer.calibrating };
        }
        let best = 0;
        for (let i = 1; i < photo.faces.length; i++)
          if (photo.faces[i].width * photo.faces[i].height > photo.faces[best].width * photo.faces[best].height) best = i;
        const cam = await photo.face(best);
        const reference = performer.reference(cam);
        // a preview needs no expression texture: its network run would only hold the GPU from the next frame
        const edit = await target.edit(reference, { regions: o.regions, units: o.units, prepareTexture: o.kind === 'full' });
        const editId = deps.addEdit(edit, faceId);
        const frame = await render(editId, o.a, o.kind);
        const result: LiveResult = { frame, editId, units: { ...edit.units }, points: cam.landmarks.points, box: cam.box, calibrating: performer.calibrating };
        // the units and the displacement they leave, in template space: nothing of the camera frame (its teeth included)
        if (o.record) result.expression = expressionToJSON(edit.expression('recorded'));
        return Comlink.transfer(result, [frame.patch]);
      } finally {
        photo.dispose();
      }
    },
  };
}
