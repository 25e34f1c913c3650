import { FramewiseError } from './errors.ts';
import type { Frame } from './frame.ts';
import type { Stage, StageContext } from './stage.ts';

/**
 * A stage slot whose occupant can be replaced while the pipeline runs (a viewer picks another effect). The new
 * stage is opened before it takes over, so no frame waits on its start-up; the old one is closed once the frame it
 * may be processing is done. One frame at a time.
 */
export class SwitchableStage implements Stage {
  readonly name: string;
  private current: Stage;
  private ctx: StageContext | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  private switching: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(initial: Stage, name = 'effect') {
    this.current = initial;
    this.name = name;
  }

  /** Name of the stage in the slot now. */
  get activeName(): string {
    return this.current.name;
  }

  async open(ctx: StageContext): Promise<void> {
    this.ctx = ctx;
    await this.current.open?.(ctx);
  }

  process(frame: Frame, ctx: StageContext): Promise<Frame | null> {
    const run = Promise.resolve(this.current.process(frame, ctx));
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** Put `next` in the slot; resolves once it is processing frames and the previous stage is closed. */
  switchTo(next: Stage): Promise<void> {
    const step = this.switching.then(async () => {
      if (this.closed) {
        await next.close?.();
        throw new FramewiseError('invalid-state', 'the stage slot is closed');
      }
      if (this.ctx) await next.open?.(this.ctx);
      const previous = this.current;
      this.current = next;
      await this.busy;
      await previous.close?.();
    });
    this.switching = step.catch(() => undefined);
    return step;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.switching;
    await this.busy;
    await this.current.close?.();
  }
}
