/**
 * The worker-side edits the store renders with: one current edit per (face, reference, regions),
 * created on first use. An edit is released once it is neither the current one nor the one whose
 * frame is on screen (that one stays alive for the download). Calls to `get` are sequential (the
 * frame scheduler renders one frame at a time).
 */
import type { ReferenceSpec, Region, WorkerApi } from './protocol';

export interface EditHandles {
  /** Id of the edit for this face, reference and regions; created when they change. */
  get(faceId: number, reference: ReferenceSpec, regions?: Region[]): Promise<number>;
  /** The frame on screen comes from edit `id` now (null: no frame). */
  show(id: number | null): void;
  /** Forgets every edit without releasing it (the worker released them with their face or photo). */
  reset(): void;
}

export function createEditHandles(api: Pick<WorkerApi, 'edit' | 'dispose'>): EditHandles {
  let current: { key: string; id: Promise<number> } | null = null;
  let ids: { current: number | null; shown: number | null } = { current: null, shown: null };
  const release = (id: number | null) => {
    if (id !== null && id !== ids.current && id !== ids.shown) void api.dispose(id).catch(() => {});
  };
  return {
    get(faceId, reference, regions) {
      const key = JSON.stringify([faceId, reference, regions ?? null]);
      if (current?.key === key) return current.id;
      const previous = ids.current;
      const entry = { key, id: api.edit(faceId, reference, regions).then((r) => r.editId) };
      current = entry;
      ids.current = null;
      release(previous);
      entry.id.then(
        (id) => {
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
