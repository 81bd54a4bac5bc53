/**
 * Undo / redo of the edit in the store (issue 25): what one step holds (the face, the reference, the
 * intensity, the regions and the unit values), and applying a step back. The reference photos a step
 * holds stay alive in the worker while any step or the state holds them.
 */
import type { Region, UnitValues } from './engine';
import { createHistory, type History } from './history';
import type { FaceInfo } from './protocol';

/** One step of the edit; `R` is the reference as chosen, `P` the reference photo (store.ts's types). */
export interface EditStep<R = unknown, P = unknown> {
  selected: number | null;
  reference: R | null;
  referenceFace: FaceInfo | null;
  referencePhoto: P | null;
  intensity: number;
  regions: Region[];
  unitEdits: UnitValues;
}

export function stepOf<R, P>(s: EditStep<R, P>): EditStep<R, P> {
  return {
    selected: s.selected,
    reference: s.reference,
    referenceFace: s.referenceFace,
    referencePhoto: s.referencePhoto,
    intensity: s.intensity,
    regions: [...s.regions],
    unitEdits: { ...s.unitEdits },
  };
}

const sortedJson = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Whether two steps show the same reference (the same choice, and the same reference face). */
export function sameReference(a: EditStep, b: EditStep): boolean {
  return JSON.stringify(a.reference) === JSON.stringify(b.reference) && a.referenceFace?.faceId === b.referenceFace?.faceId;
}

function sameStep(a: EditStep, b: EditStep): boolean {
  return (
    a.selected === b.selected &&
    a.intensity === b.intensity &&
    sameReference(a, b) &&
    [...a.regions].sort().join() === [...b.regions].sort().join() &&
    sortedJson(a.unitEdits) === sortedJson(b.unitEdits)
  );
}

interface HistoryHost<R, P> {
  get(): EditStep<R, P>;
  set(partial: { history: { undo: number; redo: number } }): void;
  /** Releases a reference photo in the worker and closes its thumbnail. */
  releaseReference(face: FaceInfo | null, photo: P | null): void;
}

/** The store's history: steps of the edit; a reference photo is released once no step and not the state hold it. */
export function createEditHistory<R, P>(host: HistoryHost<R, P>): History<EditStep<R, P>> & { held(face: FaceInfo | null): boolean } {
  const held = (face: FaceInfo | null) => face !== null && (host.get().referenceFace === face || history.snapshots().some((s) => s.referenceFace === face));
  const history = createHistory<EditStep<R, P>>({
    same: sameStep,
    onDrop(step) {
      if (!held(step.referenceFace)) host.releaseReference(step.referenceFace, step.referencePhoto);
    },
    onChange: (undo, redo) => host.set({ history: { undo, redo } }),
  });
  return Object.assign(history, { held });
}
