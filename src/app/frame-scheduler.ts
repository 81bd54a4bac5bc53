/**
 * Newest-value frame scheduling for the slider: one render in flight at a time; values requested
 * meanwhile replace each other, and only the newest is rendered when the current frame is done.
 * Frames are delivered in request order, never an older value's after a newer one's; `cancel`
 * drops the pending value and the frame in flight (it is discarded when it arrives).
 *
 * Progressive frames (with `preview`): each new value first gets a cheap preview frame; when no newer
 * value is waiting, the same value gets its full frame. While the slider moves, only previews of the
 * newest value are rendered; the full frame follows as soon as it rests. A full frame that finishes
 * after a newer value was requested is discarded (that value's preview comes next).
 */
type FrameKind = 'preview' | 'full';

export interface FrameSchedulerOptions<V, F> {
  /** The full frame for `value`. */
  render(value: V): Promise<F>;
  /** A cheap preview frame for `value` (e.g. warp only); without it every frame is a full one. */
  preview?(value: V): Promise<F>;
  /** A frame for the newest value rendered so far. */
  deliver(frame: F, value: V, kind: FrameKind): void;
  /** A frame that arrived after `cancel` (release its resources). */
  discard?(frame: F, value: V): void;
  /** A render failed (not called for renders cancelled meanwhile). */
  onError(error: unknown, value: V): void;
  /** True while frames are being rendered. */
  onBusy?(busy: boolean): void;
}

export interface FrameScheduler<V> {
  request(value: V): void;
  cancel(): void;
  readonly busy: boolean;
}

export function createFrameScheduler<V, F>(options: FrameSchedulerOptions<V, F>): FrameScheduler<V> {
  let pending: { value: V; seq: number } | null = null;
  /** A value whose preview was delivered and whose full frame is still due. */
  let fullDue: { value: V; seq: number } | null = null;
  let seq = 0;
  let delivered = 0;
  let generation = 0;
  let running = false;

  async function pump(): Promise<void> {
    running = true;
    options.onBusy?.(true);
    try {
      while (pending || fullDue) {
        const gen = generation;
        const next = pending ?? fullDue!;
        const kind: FrameKind = pending && options.preview ? 'preview' : 'full';
        if (pending) pending = null;
        else fullDue = null;
        const { value, seq: s } = next;
        try {
          const frame = await (kind === 'preview' ? options.preview!(value) : options.render(value));
          // stale: cancelled, older than what is on screen, or (a full frame) overtaken by a newer request
          const stale =
            gen !== generation ||
            s < delivered ||
            (kind === 'preview' && s === delivered) ||
            (kind === 'full' && options.preview !== undefined && pending !== null);
          if (stale) options.discard?.(frame, value);
          else {
            delivered = s;
            options.deliver(frame, value, kind);
            if (kind === 'preview') fullDue = { value, seq: s };
          }
        } catch (e) {
          if (gen === generation) options.onError(e, value);
        }
      }
    } finally {
      running = false;
      options.onBusy?.(false);
    }
  }

  return {
    request(value) {
      pending = { value, seq: ++seq };
      if (!running) void pump();
    },
    cancel() {
      pending = null;
      fullDue = null;
      generation++;
    },
    get busy() {
      return running;
    },
  };
}
