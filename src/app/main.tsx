import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createEngineClient, modelBaseUrl } from './engine-client';
import { createEditorStore } from './store';
import { EditorStoreProvider, type StoreHandle } from './store-context';
import './styles.css';

/** One engine worker and one store for the lifetime of the provider. */
function startEditor(): StoreHandle {
  const client = createEngineClient();
  const store = createEditorStore({ api: client.api, modelBaseUrl: modelBaseUrl() });
  void store.getState().start();
  return {
    store,
    dispose() {
      store.getState().dispose();
      client.terminate();
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
