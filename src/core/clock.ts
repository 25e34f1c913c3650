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
