import type { Frame } from './frame.ts';
import type { FrameSink } from './sink.ts';

/** A sink that hands every frame to a function (synchronously: the frame is released right after). */
export class CallbackSink implements FrameSink {
  readonly name: string;
  private readonly onFrame: (frame: Frame) => void;

  constructor(onFrame: (frame: Frame) => void, name = 'callback') {
    this.onFrame = onFrame;
    this.name = name;
  }

  write(frame: Frame): void {
    this.onFrame(frame);
  }

  async close(): Promise<void> {}
}
