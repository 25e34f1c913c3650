import { FramewiseError } from '../core/errors.ts';
import type { LiveSession } from './live-session.ts';

/** Refusal of a new session because the server is at its limit; carries the Retry-After hint. */
export class ServerFullError extends FramewiseError {
  readonly retryAfterS: number;

  constructor(limit: number, retryAfterS: number, why?: string) {
    super(
      'invalid-state',
      why === undefined
        ? `the server is running its limit of ${limit} live session(s): try again in ${retryAfterS} s, or start it with a higher --max-sessions`
        : `${why}: try again in ${retryAfterS} s`,
    );
    this.name = 'ServerFullError';
    this.retryAfterS = retryAfterS;
  }
}

/** Refusal of a WHEP viewer because the session or the server has as many as it may; carries the Retry-After hint. */
export class ViewersFullError extends FramewiseError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super('invalid-state', `${message}: try again in ${retryAfterS} s`);
    this.name = 'ViewersFullError';
  }
}

/**
 * Live sessions by id, with admission control: a slot is reserved before negotiation starts (so concurrent offers
 * cannot overshoot the limit) and given back when the session ends or negotiation fails.
 */
export class SessionRegistry {
  readonly maxSessions: number;
  private readonly sessions = new Map<string, LiveSession>();
  private reserved = 0;
  /** Offers refused because the server was full. */
  rejected = 0;
  /** Sessions that ever started. */
  started = 0;

  constructor(maxSessions: number) {
    if (!Number.isInteger(maxSessions) || maxSessions < 1)
      throw new FramewiseError('invalid-argument', `max sessions must be a whole number >= 1 (got ${maxSessions})`);
    this.maxSessions = maxSessions;
  }

  /** Reserve a slot or throw ServerFullError. Call `release` if the session then fails to start. */
  reserve(): void {
    if (this.sessions.size + this.reserved >= this.maxSessions) {
      this.rejected++;
      throw new ServerFullError(this.maxSessions, 5);
    }
    this.reserved++;
  }

  /** Turn a reservation into a running session. */
  add(session: LiveSession): void {
    this.reserved = Math.max(0, this.reserved - 1);
    this.sessions.set(session.id, session);
    this.started++;
  }

  /** Give back a reservation whose session never started. */
  release(): void {
    this.reserved = Math.max(0, this.reserved - 1);
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  get(id: string): LiveSession | undefined {
    return this.sessions.get(id);
  }

  all(): LiveSession[] {
    return [...this.sessions.values()];
  }

  get size(): number {
    return this.sessions.size;
  }
}
