import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { modelBaseUrl } from './engine-client';
import { createEngineSupervisor, type EngineTestHooks } from './engine-supervisor';
import { createEditorStore } from './store';
import { EditorStoreProvider, type StoreHandle } from './store-context';
import './styles.css';

declare global {
  interface Window {
    /** Test builds only (vite.config.ts): break the engine on purpose (e2e/ux-view.spec.ts). */
    __leedEngine?: EngineTestHooks;
  }
}

/** One supervised engine worker (restarted when it fails) and one store for the lifetime of the provider. */
function startEditor(): StoreHandle {
  const engine = createEngineSupervisor();
  const store = createEditorStore({ api: engine.api, modelBaseUrl: modelBaseUrl() });
  engine.attach(store);
  if (__LEED_TEST_HOOKS__) window.__leedEngine = engine.test;
  void store.getState().start();
  return {
    store,
    dispose() {
      if (__LEED_TEST_HOOKS__ && window.__leedEngine === engine.test) delete window.__leedEngine;
      store.getState().dispose();
      engine.terminate();
    },
  };
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <EditorStoreProvider start={startEditor}>
      <App />
    </EditorStoreProvider>
  </StrictMode>,
);
