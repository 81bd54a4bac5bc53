/**
 * The worker-side edits the store renders with: one current edit per (face, reference, regions, units),
 * created on first use (a new units value makes a new edit: the engine keeps the face's and the
 * reference's work, so that costs only the retargeting). An edit is released once it is neither the current one nor the one whose
 * frame is on screen (that one stays alive for the download). Calls to `get` are sequential (the
 * frame scheduler renders one frame at a time).
 */
import type { UnitValues } from './engine';
import type { EditUnits, ReferenceSpec, Region, WorkerApi } from './protocol';

/** A worker-side edit: its id and every unit's value in it. */
export interface EditRef {
  id: number;
  units: EditUnits;
}

export interface EditHandles {
  /** The edit for this face, reference, regions and units; created when they change. */
  get(faceId: number, reference: ReferenceSpec, regions?: Region[], units?: UnitValues): Promise<EditRef>;
  /** The frame on screen comes from edit `id` now (null: no frame). */
  show(id: number | null): void;
  /** Forgets every edit without releasing it (the worker released them with their face or photo). */
  reset(): void;
}

export function createEditHandles(api: Pick<WorkerApi, 'edit' | 'dispose'>): EditHandles {
  let current: { key: string; id: Promise<EditRef> } | null = null;
  let ids: { current: number | null; shown: number | null } = { current: null, shown: null };
  const release = (id: number | null) => {
    if (id !== null && id !== ids.current && id !== ids.shown) void api.dispose(id).catch(() => {});
  };
  return {
    get(faceId, reference, regions, units) {
      const key = JSON.stringify([faceId, reference, regions ?? null, units ?? null]);
      if (current?.key === key) return current.id;
      const previous = ids.current;
      const entry = { key, id: api.edit(faceId, reference, regions, units).then((r) => ({ id: r.editId, units: r.units })) };
      current = entry;
      ids.current = null;
      release(previous);
      entry.id.then(
        ({ id }) => {
          if (current === entry) ids.current = id;
          else release(id);
        },
        () => {
          if (current === entry) current = null;
        },
      );
      return entry.id;
    },
    show(id) {
      const old = ids.shown;
      ids.shown = id;
      release(old);
    },
    reset() {
      current = null;
      ids = { current: null, shown: null };
    },
  };
}
