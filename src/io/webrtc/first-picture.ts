import { FramewiseError } from '../../core/errors.ts';
import type { SourceInfo } from '../../core/source.ts';

/**
 * What a WebRTC source's `open()` waits for: the first picture (its size makes the stream's info), a reason to give
 * up (an oversized picture, a close), or the time limit, whichever comes first.
 */
export class FirstPicture {
  private resolve: ((info: SourceInfo) => void) | null = null;
  private reject: ((err: Error) => void) | null = null;
  private readonly first = new Promise<SourceInfo>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor() {
    // A source closed before anyone waited: nobody is told, and that is fine.
    this.first.catch(() => undefined);
  }

  /** The first picture arrived: `open()` returns `info`. Later calls do nothing. */
  arrived(info: SourceInfo): void {
    this.resolve?.(info);
    this.resolve = null;
    this.reject = null;
  }

  /** `open()` fails with `err`, if it is still waiting. */
  fail(err: Error): void {
    this.reject?.(err);
    this.resolve = null;
    this.reject = null;
  }

  /** The info of the first picture, or an error after `limitMs`. */
  async wait(limitMs: number): Promise<SourceInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FramewiseError('timeout', `no video arrived on the WebRTC track within ${limitMs / 1000} s: is the sender's camera on?`)),
        limitMs,
      );
    });
    try {
      return await Promise.race([this.first, timeout]);
    } finally {
      clearTimeout(timer);
      this.resolve = null;
      this.reject = null;
    }
  }
}
