/**
 * The saved expressions of this browser: a list of { name, json } in localStorage (the JSON is the engine's
 * expressionToJSON, checked by the worker before it gets here). The storage is injected so that the store's
 * tests run without a browser; a browser without storage (or with it full) keeps the list for the session only.
 */
import type { SavedExpression } from './protocol';

export type ExpressionStorage = Pick<Storage, 'getItem' | 'setItem'>;

const KEY = 'leed.expressions.v1';

/** The browser's localStorage, or null where there is none (Node, storage disabled). */
export function browserStorage(): ExpressionStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // reading localStorage throws where the user blocked storage
  }
}

/** The stored list; an unreadable entry is left out. */
export function loadExpressions(storage: ExpressionStorage | null): SavedExpression[] {
  try {
    const raw = storage?.getItem(KEY);
    const list: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(list)) return [];
    return list.filter((e): e is SavedExpression => typeof e?.name === 'string' && typeof e?.json === 'string').map((e) => ({ name: e.name, json: e.json }));
  } catch {
    return [];
  }
}

/** Writes the list; false when the storage refused it (full, blocked). */
export function storeExpressions(storage: ExpressionStorage | null, list: readonly SavedExpression[]): boolean {
  if (!storage) return false;
  try {
    storage.setItem(KEY, JSON.stringify(list));
    return true;
  } catch {
    return false;
  }
}

/** `list` with `e` in it: a saved expression of the same name is replaced (kept in its place), a new one goes last. */
export function withExpression(list: readonly SavedExpression[], e: SavedExpression): SavedExpression[] {
  return list.some((x) => x.name === e.name) ? list.map((x) => (x.name === e.name ? e : x)) : [...list, e];
}

/** The file name of an exported expression: its name made safe for a file system, `.expression.json`. */
export function expressionFilename(name: string): string {
  const base =
    name
      .trim()
      .replace(/[^\p{L}\p{N}._ -]+/gu, '')
      .replace(/\s+/g, '-')
      .slice(0, 60) || 'expression';
  return `${base}.expression.json`;
}
