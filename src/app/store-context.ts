/**
 * The store in React: <EditorStoreProvider> hands one store down (a given one, or one it starts
 * with its own engine worker for its lifetime); `useEditorStore(selector)` reads it and throws a
 * coded error outside the provider.
 */
import { createContext, createElement, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { EditorStore, EditorStoreState } from './store';

/** A store with what it owns (its engine worker). */
export interface StoreHandle {
  store: EditorStore;
  dispose(): void;
}

export const NO_STORE_PROVIDER = 'NO_STORE_PROVIDER';

export class StoreContextError extends Error {
  readonly code = NO_STORE_PROVIDER;
  constructor(hook: string) {
    super(`${hook} must be called inside <EditorStoreProvider>`);
    this.name = 'StoreContextError';
  }
}

const StoreContext = createContext<EditorStore | null>(null);

export type EditorStoreProviderProps =
  | { store: EditorStore; children?: ReactNode }
  /** Called once per mount (twice under StrictMode, with a dispose in between). */
  | { start: () => StoreHandle; children?: ReactNode };

export function EditorStoreProvider(props: EditorStoreProviderProps) {
  const given = 'store' in props ? props.store : null;
  const start = 'start' in props ? props.start : null;
  const [started, setStarted] = useState<EditorStore | null>(null);
  useEffect(() => {
    if (!start) return;
    const handle = start();
    setStarted(handle.store);
    return () => {
      setStarted(null);
      handle.dispose();
    };
  }, [start]);
  const store = given ?? started;
  if (!store) return null;
  return createElement(StoreContext.Provider, { value: store }, props.children);
}

export function useEditorStoreApi(): EditorStore {
  const store = useContext(StoreContext);
  if (!store) throw new StoreContextError('useEditorStoreApi');
  return store;
}

export function useEditorStore<T>(selector: (s: EditorStoreState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new StoreContextError('useEditorStore');
  return useStore(store, selector);
}
