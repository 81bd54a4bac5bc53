/**
 * The engine worker's heartbeat (engine-supervisor.ts). A worker that the browser terminates (it ends
 * a worker that ran out of memory) or that hangs says nothing: no error event, and its calls never
 * settle. So the supervisor pings it, and a worker that leaves a ping unanswered too long is treated
 * as crashed (restarted, the photo kept).
 *
 * A live worker answers only between its tasks, so the timeout must outlast the longest stretch of
 * synchronous engine work: the first run of a model compiles all its shaders (slow on a weak GPU and
 * slower still on a software one), and one inference on the CPU backend runs to its end unbroken; a
 * loaded phone stretches either several times over. Mistaking a busy worker for a dead one costs the
 * work done, and the restarted worker meets the same stretch again, so false alarms would loop into
 * the "keeps failing" state; a dead worker noticed half a minute late costs only that wait. Hence a
 * generous timeout, whether or not a call is outstanding (a worker is as likely to be killed in the
 * middle of a render as between two, and background model loading keeps an "idle" worker busy).
 */

export interface HeartbeatTiming {
  /** How often to ping. */
  intervalMs: number;
  /** How long a ping may go unanswered before the worker is given up for dead. */
  timeoutMs: number;
}

export const HEARTBEAT: HeartbeatTiming = { intervalMs: 5_000, timeoutMs: 30_000 };

/**
 * Pings every `intervalMs` (one ping at a time) and calls `onSilent` once, then stops, when a ping has
 * gone unanswered for `timeoutMs`. The silence is counted in intervals that fired, not by the clock:
 * a timer held back by a sleeping computer or a background tab counts once, not for the whole pause.
 * Any answer, a rejection included, is a sign of life. Returns `stop`.
 */
export function startHeartbeat(ping: () => Promise<unknown>, timing: HeartbeatTiming, onSilent: (silentMs: number) => void): () => void {
  let waiting = false;
  let missed = 0;
  const answered = () => {
    waiting = false;
    missed = 0;
  };
  const timer = setInterval(() => {
    if (!waiting) {
      waiting = true;
      Promise.resolve().then(ping).then(answered, answered);
      return;
    }
    missed++;
    if (missed * timing.intervalMs < timing.timeoutMs) return;
    clearInterval(timer);
    onSilent(missed * timing.intervalMs);
  }, timing.intervalMs);
  return () => clearInterval(timer);
}
