import { useEditorStore } from '../store-context';

/** The compute backend the engine runs on; a fallback shows why the better ones failed. */
export function BackendBadge() {
  const backend = useEditorStore((s) => s.backend);
  const status = useEditorStore((s) => s.status);
  if (!backend) {
    return (
      <span className="badge badge-pending" data-testid="backend-badge" data-backend="">
        {status === 'fatal' ? 'No backend' : 'Loading…'}
      </span>
    );
  }
  const fallback = backend.name !== 'webgpu';
  return (
    <span
      className={`badge ${fallback ? 'badge-fallback' : 'badge-ok'}`}
      data-testid="backend-badge"
      data-backend={backend.name}
      title={[backend.adapter ? `Adapter: ${backend.adapter}` : '', ...backend.fallbackReasons].filter(Boolean).join('\n')}
    >
      {backend.name.toUpperCase()}
      {fallback && backend.fallbackReasons.length > 0 && (
        <span className="badge-reasons" data-testid="backend-fallback">
          {' '}
          — fallback: {backend.fallbackReasons.join('; ')}
        </span>
      )}
    </span>
  );
}
