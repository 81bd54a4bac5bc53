/**
 * Undo / redo of the edit (issue 25): a linear history of snapshots. A discrete action (a reference, a
 * region switch, a face) is recorded at once with `commit`; a moving slider with `settle`, which records
 * the value once it has rested for `delayMs` (or at `commit` / `flush`, e.g. on pointer up): a drag is one
 * step. Recording a snapshot equal to the present one is a no-op; a new step clears the redo stack.
 */
export interface HistoryOptions<T> {
  /** Whether two snapshots are the same edit (no step between them). */
  same(a: T, b: T): boolean;
  /** How long a slider must rest before its value becomes a step. */
  delayMs?: number;
  /** At most this many steps back (the oldest are dropped). */
  limit?: number;
  /** Called with every snapshot the history drops, and with all of them at `reset` (to release what they hold). */
  onDrop?(snapshot: T): void;
  /** Called when the counts of undo and redo steps may have changed. */
  onChange?(undo: number, redo: number): void;
}

export interface History<T> {
  /** A fresh history whose present is `present` (a new photo). */
  reset(present: T): void;
  /** Records `now` as a step at once (and any settling value before it). */
  commit(now: T): void;
  /** Records the value `now()` returns once it has not changed for `delayMs`. */
  settle(now: () => T): void;
  /** Records a settling value now (pointer up, before undo). */
  flush(): void;
  /** The snapshot to go back to (null: nothing to undo); `now` is recorded first when it differs. */
  undo(now: T): T | null;
  /** The snapshot to go forward to (null: nothing to redo). */
  redo(now: T): T | null;
  /** Every snapshot held (the present included). */
  snapshots(): T[];
  readonly canUndo: number;
  readonly canRedo: number;
}

export const SETTLE_MS = 400;
const LIMIT = 100;

export function createHistory<T>(options: HistoryOptions<T>): History<T> {
  const { same, delayMs = SETTLE_MS, limit = LIMIT } = options;
  let past: T[] = [];
  let future: T[] = [];
  let present: T | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let settling: (() => T) | null = null;
  const changed = () => options.onChange?.(past.length, future.length);
  const drop = (items: T[]) => {
    for (const item of items) options.onDrop?.(item);
  };
  const stop = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    settling = null;
  };
  const record = (now: T) => {
    if (present === null) {
      present = now;
      return;
    }
    if (same(present, now)) return;
    past.push(present);
    present = now;
    const gone = future;
    future = [];
    if (past.length > limit) gone.push(...past.splice(0, past.length - limit));
    drop(gone);
    changed();
  };
  /** Undo (`back`) or redo: the current state is recorded first, then one step taken from the past or the future. */
  const step = (now: T, back: boolean): T | null => {
    stop();
    record(now);
    // (record may have replaced the arrays: pick them after it)
    const [from, to] = back ? [past, future] : [future, past];
    const target = from.pop();
    if (target === undefined || present === null) return null;
    to.push(present);
    present = target;
    changed();
    return target;
  };
  const flush = () => {
    const get = settling;
    stop();
    if (get) record(get());
  };
  return {
    reset(now) {
      stop();
      const gone = [...past, ...future, ...(present === null ? [] : [present])];
      past = [];
      future = [];
      present = now;
      drop(gone);
      changed();
    },
    commit(now) {
      flush();
      record(now);
    },
    settle(now) {
      if (timer !== null) clearTimeout(timer);
      settling = now;
      timer = setTimeout(flush, delayMs);
    },
    flush,
    undo: (now) => step(now, true),
    redo: (now) => step(now, false),
    snapshots: () => [...past, ...future, ...(present === null ? [] : [present])],
    get canUndo() {
      return past.length;
    },
    get canRedo() {
      return future.length;
    },
  };
}
