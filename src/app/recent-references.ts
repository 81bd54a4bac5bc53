/**
 * The reference photos the user picked this session, the latest first (the reference picker's "Recent" row). Each
 * keeps its face alive in the worker (its landmarks and neutral stay computed), so picking one again costs an edit
 * and a frame, not a decode and an analysis. Kept for the session only: across reloads they would have to be decoded
 * and analysed again before use, which is what the row saves.
 */

/** How many are kept. */
const MAX_RECENT = 6;

/** One recent reference: the file's name and size (the same file picked again replaces its entry), its face and photo. */
export interface Recent<F, P> {
  name: string;
  size: number;
  face: F;
  photo: P;
}

/**
 * The list with `entry` first: an entry of the same file (name and size) gives way to it, and the list keeps at most
 * `max`. `dropped`: the entries that left the list (release them unless something else holds them).
 */
export function withRecent<T extends Recent<unknown, unknown>>(list: readonly T[], entry: T, max = MAX_RECENT): { list: T[]; dropped: T[] } {
  const others = list.filter((r) => r !== entry && !(r.name === entry.name && r.size === entry.size));
  const dropped = list.filter((r) => r !== entry && !others.includes(r));
  const kept = [entry, ...others];
  return { list: kept.slice(0, max), dropped: [...dropped, ...kept.slice(max)] };
}
