import { nowNs } from './clock.ts';
import { asError, FramewiseError } from './errors.ts';
import type { Frame } from './frame.ts';
import type { RenderPolicy } from './policy.ts';
import { applyStage, deliver, type RunContext } from './run-context.ts';
import { Semaphore } from './semaphore.ts';
import { SequenceGate } from './sequence-gate.ts';

/**
 * Drive a run under the render policy: every frame, in order. Up to `concurrency` frames are in flight; the source
 * is not read while the window is full (backpressure). Each stage takes frames in order and works on up to its own
 * `concurrency` at once, so stages overlap across frames; the sink writes strictly in order.
 */
export async function runRender(ctx: RunContext, policy: RenderPolicy): Promise<void> {
  const window = new Semaphore(policy.concurrency);
  const gates = [...ctx.stages, ctx.sink].map(() => new SequenceGate());
  const slots = ctx.stages.map((s) => new Semaphore(Math.max(1, Math.min(policy.concurrency, s.concurrency ?? 1))));
  const inFlight = new Set<Promise<void>>();
  let fatal = null as Error | null;

  const fail = (err: unknown): void => {
    fatal ??= asError(err);
    const reason = fatal;
    for (const gate of gates) gate.abort(reason);
    for (const slot of slots) slot.abort(reason);
    window.abort(reason);
  };
  const stopped = new FramewiseError('invalid-state', 'pipeline stopped');
  const onAbort = (): void => fail(stopped);
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  /** Pass the gates of stages `from`.. and the sink without work, keeping order for the frames behind. */
  const skipFrom = async (from: number, ordinal: number): Promise<void> => {
    for (let g = from; g < gates.length; g++) {
      await gates[g]?.enter(ordinal);
      gates[g]?.leave();
    }
  };

  const carry = async (frame: Frame, ordinal: number): Promise<void> => {
    let current: Frame | null = frame;
    try {
      for (let index = 0; index < ctx.stages.length && current; index++) {
        const gate = gates[index] as SequenceGate;
        const slot = slots[index] as Semaphore;
        await gate.enter(ordinal);
        await slot.acquire();
        gate.leave();
        try {
          current = await applyStage(ctx, index, current);
        } catch (err) {
          if (policy.onStageError === 'fail') throw err;
          ctx.stats.drop('stage-error', ctx.stages[index]?.name ?? 'stage');
          if (current && !current.isReleased) current.release();
          current = null;
          await skipFrom(index + 1, ordinal);
          return;
        } finally {
          slot.release();
        }
        if (!current) {
          ctx.stats.drop('filtered', ctx.stages[index]?.name ?? 'stage');
          await skipFrom(index + 1, ordinal);
          return;
        }
      }
      const sinkGate = gates[gates.length - 1] as SequenceGate;
      await sinkGate.enter(ordinal);
      const out = current;
      current = null;
      await deliver(ctx, out);
      sinkGate.leave();
    } catch (err) {
      if (current && !current.isReleased) {
        current.release();
        if (err === stopped) ctx.stats.drop('stopped', 'pipeline');
      }
      fail(err);
    } finally {
      window.release();
    }
  };

  try {
    for (let ordinal = 0; !fatal; ordinal++) {
      await window.acquire();
      const frame = await ctx.source.read();
      if (!frame) break;
      ctx.stats.frameIn(nowNs());
      const task = carry(frame, ordinal);
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
  } catch (err) {
    if (!fatal) fail(err);
  }
  await Promise.all(inFlight);
  ctx.signal.removeEventListener('abort', onAbort);
  if (fatal && fatal !== stopped) throw fatal;
}
