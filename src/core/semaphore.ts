/** A counting semaphore with FIFO waiters; `abort` rejects every waiter so shutdown never hangs. */
export class Semaphore {
  private available: number;
  private readonly waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(permits: number) {
    this.available = permits;
  }

  acquire(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve();
    else this.available++;
  }

  abort(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }
}
