/**
 * A one-slot mailbox where the newest item wins: `put` never waits and returns the item it displaced,
 * so a slow consumer sees the freshest frame instead of a growing queue.
 */
export class Mailbox<T> {
  private slot: T | null = null;
  /** Takers waiting for an item; at most one per worker, so this stays as small as the worker count. */
  private readonly waiters: ((item: T | null) => void)[] = [];
  private closed = false;

  /** Deliver `item`; returns the older item it replaced (the caller drops it), or `item` itself when closed. */
  put(item: T): T | null {
    if (this.closed) return item;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(item);
      return null;
    }
    const displaced = this.slot;
    this.slot = item;
    return displaced;
  }

  /** The next item; null once the mailbox is closed and empty. */
  take(): Promise<T | null> {
    if (this.slot !== null) {
      const item = this.slot;
      this.slot = null;
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No more puts: every waiting taker gets null. Returns the item still in the slot, for the caller to drop. */
  close(): T | null {
    this.closed = true;
    const left = this.slot;
    this.slot = null;
    for (const waiter of this.waiters.splice(0)) waiter(null);
    return left;
  }

  /**
   * Stop accepting items but let takers drain what is in the slot: they get null after it.
   * Used at end of stream, when the last frame must still be processed.
   */
  end(): void {
    this.closed = true;
    if (this.slot === null) for (const waiter of this.waiters.splice(0)) waiter(null);
  }
}
