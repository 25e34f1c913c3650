import { sleepMs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { Stage, StageContext } from '../core/stage.ts';
import type { EffectDefinition } from './effect.ts';

/**
 * Costs a fixed time per frame without using the CPU, like a model running on another thread or a GPU.
 * Used to test scheduling policies: live should hold latency near one stage time, render should keep every frame.
 */
export class DelayStage implements Stage {
  readonly name: string;
  readonly delayMs: number;

  constructor(delayMs: number) {
    if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 60_000) {
      throw new FramewiseError('invalid-argument', `delay must be between 0 and 60000 ms (got ${delayMs})`);
    }
    this.delayMs = delayMs;
    this.name = `delay:${delayMs}`;
  }

  async process(frame: Frame, ctx: StageContext): Promise<Frame> {
    await sleepMs(this.delayMs, ctx.signal);
    return frame;
  }
}

/** `delay:<ms>`: a fixed wait per frame. */
export const delayEffect: EffectDefinition = {
  name: 'delay',
  argument: { name: 'ms', required: true, help: 'the wait per frame in ms, 0-60000' },
  summary: 'waits a fixed time per frame without using the CPU (tests policies)',
  costMs: 0,
  create: (arg) => {
    const ms = Number(arg);
    if (!/^\d+(\.\d+)?$/.test(arg ?? '') || !Number.isFinite(ms))
      throw new FramewiseError('invalid-argument', `effect "delay" needs a time in ms, e.g. delay:50 (got "${arg}")`);
    return new DelayStage(ms);
  },
};
