/** The store's React provider and hooks (src/app/store-context.ts), rendered on the server renderer. */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { createEditorStore } from '../src/app/store';
import { EditorStoreProvider, NO_STORE_PROVIDER, StoreContextError, useEditorStore, useEditorStoreApi } from '../src/app/store-context';
import { fakeApi } from './app-fakes';

function Status() {
  const status = useEditorStore((s) => s.status);
  const intensity = useEditorStore((s) => s.intensity);
  return createElement('span', null, `${status} ${intensity}`);
}

const seenStore: { current: unknown } = { current: null };
function Api() {
  seenStore.current = useEditorStoreApi();
  return null;
}

describe('store provider', () => {
  it('hands its store to useEditorStore and useEditorStoreApi', () => {
    const store = createEditorStore({ api: fakeApi().api, modelBaseUrl: 'x' });
    const html = renderToString(createElement(EditorStoreProvider, { store }, createElement(Status), createElement(Api)));
    expect(html).toContain('starting 0'); // the server renderer reads the store's initial state
    expect(seenStore.current).toBe(store);
  });

  it('useEditorStore outside the provider throws a coded error', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    let error: unknown;
    try {
      renderToString(createElement(Status));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreContextError);
    expect((error as StoreContextError).code).toBe(NO_STORE_PROVIDER);
    expect((error as Error).message).toMatch(/useEditorStore must be called inside <EditorStoreProvider>/);
  });

  it('a provider that starts its own store renders nothing until it has one (it starts in an effect)', () => {
    const start = vi.fn(() => ({ store: createEditorStore({ api: fakeApi().api, modelBaseUrl: 'x' }), dispose() {} }));
    expect(renderToString(createElement(EditorStoreProvider, { start }, createElement(Status)))).toBe('');
    expect(start).not.toHaveBeenCalled();
  });
});
