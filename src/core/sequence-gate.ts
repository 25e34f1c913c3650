import { FramewiseError } from './errors.ts';

/**
 * Lets ordinals 0, 1, 2, ... through strictly in order: `enter(n)` resolves once every lower ordinal has
 * called `leave()`. With an abort, every waiter rejects, so nothing hangs on a frame that will never come.
 */
export class SequenceGate {
  private next = 0;
  private readonly waiters = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private failure: Error | null = null;

  enter(ordinal: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (ordinal === this.next) return Promise.resolve();
    if (ordinal < this.next) return Promise.reject(new FramewiseError('invalid-state', `ordinal ${ordinal} already passed the gate`));
    return new Promise((resolve, reject) => this.waiters.set(ordinal, { resolve, reject }));
  }

  /** The current ordinal is done: let the next one in. */
  leave(): void {
    this.next++;
    const waiter = this.waiters.get(this.next);
    if (waiter) {
      this.waiters.delete(this.next);
      waiter.resolve();
    }
  }

  /** Reject every current and future waiter with `err`. */
  abort(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.waiters.values()) waiter.reject(this.failure);
    this.waiters.clear();
  }
}
