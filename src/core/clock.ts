/** Monotonic time in nanoseconds, from `performance.now()` (available in Node and browsers). */
export function nowNs(): number {
  return performance.now() * 1e6;
}

/** Resolve after `ms` milliseconds; resolves early (without error) when `signal` aborts. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** How early the coarse timer hands over to fine polling: above typical setTimeout lateness. */
const SPIN_WINDOW_NS = 2e6;

/**
 * Resolve at monotonic time `dueNs` as precisely as the event loop allows: a timer for the bulk of the wait, then
 * polling with zero-delay macrotasks (other I/O still runs in between) for the last 2 ms. Paced sources use it so that
 * their own timer lateness does not show up as pipeline latency. Resolves early when `signal` aborts.
 */
export async function sleepUntilNs(dueNs: number, signal?: AbortSignal): Promise<void> {
  const coarseMs = (dueNs - nowNs() - SPIN_WINDOW_NS) / 1e6;
  if (coarseMs > 0) await sleepMs(coarseMs, signal);
  while (nowNs() < dueNs && !signal?.aborted) await yieldToEventLoop();
}

/** Node's setImmediate where there is one (a browser has none: a zero timeout there). */
const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
const yieldToEventLoop: () => Promise<void> = immediate
  ? () => new Promise((resolve) => immediate(() => resolve()))
  : () => new Promise((resolve) => setTimeout(resolve, 0));
