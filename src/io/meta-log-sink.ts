import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { FrameSink } from '../core/sink.ts';
import type { SourceInfo } from '../core/source.ts';

/** Numbers in the log keep two decimals: pixels and scores need no more, and the file stays small. */
function rounded(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
}

/**
 * Writes what the stages found in each frame (`frame.meta`: faces, pose, reps, objects...) as one JSON line per
 * frame (`{"seq":..,"ptsUs":..,...meta}`) to a file, then hands the frame to `inner`. Writing waits when the disk
 * falls behind, so memory stays bounded.
 */
export class MetaLogSink implements FrameSink {
  readonly name: string;
  private stream: WriteStream | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly path: string,
    private readonly inner: FrameSink,
  ) {
    this.name = `${inner.name} + meta ${path}`;
  }

  async open(info: SourceInfo): Promise<void> {
    const stream = createWriteStream(this.path);
    stream.on('error', (err) => (this.failure = err));
    try {
      await once(stream, 'open'); // rejects with the stream's error
    } catch (err) {
      throw new FramewiseError('output-failed', `cannot write ${this.path}: ${err instanceof Error ? err.message : String(err)} (does its folder exist?)`, {
        cause: err,
      });
    }
    this.stream = stream;
    await this.inner.open?.(info);
  }

  async write(frame: Frame): Promise<void> {
    if (this.failure) throw new FramewiseError('output-failed', `cannot write ${this.path}: ${this.failure.message}`);
    const line = `${JSON.stringify({ seq: frame.seq, ptsUs: frame.ptsUs, ...frame.meta }, rounded)}\n`;
    if (this.stream && !this.stream.write(line)) await once(this.stream, 'drain');
    await this.inner.write(frame);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
    await this.inner.close();
  }
}
