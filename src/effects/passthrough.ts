import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';

/** Returns every frame untouched: measures the engine alone. */
export class PassthroughStage implements Stage {
  readonly name = 'passthrough';
  readonly concurrency = Number.POSITIVE_INFINITY;

  process(frame: Frame): Frame {
    return frame;
  }
}
