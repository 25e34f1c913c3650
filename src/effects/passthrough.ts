import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';
import type { EffectDefinition } from './effect.ts';

/** Returns every frame untouched: measures the engine alone. */
export class PassthroughStage implements Stage {
  readonly name = 'passthrough';
  readonly concurrency = Number.POSITIVE_INFINITY;

  process(frame: Frame): Frame {
    return frame;
  }
}

/** `passthrough`: frames unchanged. */
export const passthroughEffect: EffectDefinition = {
  name: 'passthrough',
  summary: 'frames unchanged (measures the engine)',
  costMs: 0,
  create: () => new PassthroughStage(),
};
