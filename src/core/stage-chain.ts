import type { Frame } from './frame.ts';
import type { Stage, StageContext } from './stage.ts';

/**
 * Stages run one after another as one stage (`blur,grayscale` in a slot that holds one effect). Each stage gets
 * what the one before returned; a frame a stage replaced is released here, as the pipeline would between stages.
 * A stage that consumes the frame (null) ends the chain for that frame.
 */
export class StageChain implements Stage {
  readonly name: string;

  constructor(private readonly stages: readonly Stage[]) {
    this.name = stages.map((s) => s.name).join(',');
  }

  async open(ctx: StageContext): Promise<void> {
    for (const stage of this.stages) await stage.open?.(ctx);
  }

  async process(frame: Frame, ctx: StageContext): Promise<Frame | null> {
    let current: Frame = frame;
    for (const stage of this.stages) {
      const next = await stage.process(current, ctx);
      if (next !== current && current !== frame) current.release();
      if (next === null) return null;
      current = next;
    }
    return current;
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const stage of this.stages) await Promise.resolve(stage.close?.()).catch((err: unknown) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  }
}
