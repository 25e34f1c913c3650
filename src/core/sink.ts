import type { Frame } from './frame.ts';
import type { SourceInfo } from './source.ts';

/**
 * Where frames end up. The pipeline keeps ownership of written frames and releases them after `write` resolves;
 * a sink that needs the pixels later copies them. `close()` finishes the output (flush, trailer) and is idempotent.
 */
export interface FrameSink {
  readonly name: string;
  open?(info: SourceInfo): Promise<void> | void;
  write(frame: Frame): Promise<void> | void;
  close(): Promise<void>;
}

/** A sink that discards frames: measures the pipeline alone. */
export class NullSink implements FrameSink {
  readonly name = 'null';
  write(): void {}
  async close(): Promise<void> {}
}
