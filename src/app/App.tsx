/** The page layout; it also takes photos pasted or dropped anywhere on it, and installs the test hooks (test builds only). */
import { useEffect } from 'react';
import { AdjustPanel } from './components/AdjustPanel';
import { BackendBadge } from './components/BackendBadge';
import { EngineNotice } from './components/EngineNotice';
import { ExpressionPanel } from './components/ExpressionPanel';
import { FacePicker } from './components/FacePicker';
import { MeshToggle } from './components/MeshToggle';
import { PhotoInput } from './components/PhotoInput';
import { PhotoView } from './components/PhotoView';
import { ResultPanel } from './components/ResultPanel';
import { StatusBar } from './components/StatusBar';
import { VideoExport } from './components/VideoExport';
import { Welcome } from './components/Welcome';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { installTestHooks } from './test-hooks';
import { usePhotoDrop } from './use-photo-drop';

export function App() {
  const store = useEditorStoreApi();
  useEffect(() => (__LEED_TEST_HOOKS__ ? installTestHooks(window, store) : undefined), [store]);
  const photo = useEditorStore((s) => s.photo);
  const accepting = useEditorStore((s) => s.status !== 'starting' && s.status !== 'fatal');
  const openFile = useEditorStore((s) => s.openFile);
  const dragging = usePhotoDrop(openFile, accepting);

  return (
    <div className={`app${dragging ? ' dragging' : ''}${photo ? ' has-photo' : ''}`} data-testid="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden>
            ◐
          </span>
          <h1>Expression editor</h1>
        </div>
        <BackendBadge />
      </header>
      <StatusBar />
      <EngineNotice />
      <main className="layout">
        <section className="stage">{photo ? <PhotoView photo={photo} /> : <Welcome />}</section>
        {/* Slots: on a phone, once a photo is open, the expression controls come first (right under the photo). */}
        <aside className="panel">
          <div className="slot slot-photo">
            <PhotoInput />
          </div>
          <div className="slot slot-face">
            <FacePicker />
          </div>
          <div className="slot slot-mesh">
            <MeshToggle />
          </div>
          <div className="slot slot-expression">
            <ExpressionPanel />
          </div>
          <div className="slot slot-result">
            <ResultPanel />
          </div>
          <div className="slot slot-video">
            <VideoExport />
          </div>
          <div className="slot slot-adjust">
            <AdjustPanel />
          </div>
        </aside>
      </main>
      <footer className="foot">
        Everything runs in this browser tab. Your photo is never uploaded.{' '}
        <small>
          Teeth for presets: Face Research Lab London Set, DeBruine &amp; Jones 2017,{' '}
          <a href="https://doi.org/10.6084/m9.figshare.5047666.v5" rel="noreferrer" target="_blank">
            CC BY 4.0
          </a>
          .
        </small>
      </footer>
    </div>
  );
}
