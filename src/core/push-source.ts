import { FramewiseError } from './errors.ts';
import type { Frame } from './frame.ts';
import type { FrameSource, SourceInfo } from './source.ts';

/**
 * A source the caller feeds (a WebRTC track, a probe, a test). `push` never waits: beyond `capacity` frames the
 * oldest waiting one is released and counted in `overflowed`, so a stalled reader cannot grow memory without bound.
 */
export class PushSource implements FrameSource {
  readonly name: string;
  private readonly info: SourceInfo;
  private readonly capacity: number;
  private readonly queue: Frame[] = [];
  private waiter: ((frame: Frame | null) => void) | null = null;
  private ended = false;
  /** Frames released unread because the queue was full. */
  overflowed = 0;

  constructor(info: SourceInfo, options: { name?: string; capacity?: number } = {}) {
    this.info = info;
    this.name = options.name ?? 'push';
    this.capacity = options.capacity ?? 2;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new FramewiseError('invalid-argument', 'PushSource capacity must be a whole number >= 1');
  }

  async open(): Promise<SourceInfo> {
    return this.info;
  }

  /** Hand a frame to the pipeline; ownership passes with it. Returns false (and releases it) after `end()`. */
  push(frame: Frame): boolean {
    if (this.ended) {
      frame.release();
      return false;
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter(frame);
      return true;
    }
    this.queue.push(frame);
    while (this.queue.length > this.capacity) {
      this.queue.shift()?.release();
      this.overflowed++;
    }
    return true;
  }

  read(): Promise<Frame | null> {
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** No more frames: the reader gets what is queued, then null. */
  end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(null);
  }

  async close(): Promise<void> {
    this.end();
    for (const frame of this.queue.splice(0)) frame.release();
  }
}
