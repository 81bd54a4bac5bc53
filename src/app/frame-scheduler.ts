/**
 * Newest-value frame scheduling for the slider: one render in flight at a time; values requested
 * meanwhile replace each other, and only the newest is rendered when the current frame is done.
 * Frames are delivered in request order, never an older value's after a newer one's; `cancel`
 * drops the pending value and the frame in flight (it is discarded when it arrives).
 */
export interface FrameSchedulerOptions<V, F> {
  render(value: V): Promise<F>;
  /** A frame for the newest value rendered so far. */
  deliver(frame: F, value: V): void;
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
  let seq = 0;
  let delivered = 0;
  let generation = 0;
  let running = false;

  async function pump(): Promise<void> {
    running = true;
    options.onBusy?.(true);
    try {
      while (pending) {
        const { value, seq: s } = pending;
        pending = null;
        const gen = generation;
        try {
          const frame = await options.render(value);
          if (gen !== generation || s <= delivered) options.discard?.(frame, value);
          else {
            delivered = s;
            options.deliver(frame, value);
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
      generation++;
    },
    get busy() {
      return running;
    },
  };
}
