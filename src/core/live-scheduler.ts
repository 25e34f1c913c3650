import { asError } from './errors.ts';
import { nowNs } from './clock.ts';
import type { Frame } from './frame.ts';
import { Mailbox } from './mailbox.ts';
import type { LivePolicy } from './policy.ts';
import { applyStage, deliver, type RunContext } from './run-context.ts';
import type { DropReason } from './stats.ts';

/**
 * Drive a run under the live policy: the source loop only ever puts into a one-slot mailbox (it never waits on the
 * pipeline), each stage's workers take the newest frame, drop it at entry if it is past the deadline, and pass the
 * result on. The sink is the last mailbox; it also refuses frames older than the last one written.
 */
export async function runLive(ctx: RunContext, policy: LivePolicy): Promise<void> {
  const deadlineNs = policy.deadlineMs * 1e6;
  const names = [...ctx.stages.map((s) => s.name), ctx.sink.name];
  const boxes = names.map(() => new Mailbox<Frame>());
  let fatal = null as Error | null;

  const drop = (frame: Frame, reason: DropReason, at: number): void => {
    ctx.stats.drop(reason, names[at] ?? 'pipeline');
    frame.release();
  };
  const post = (at: number, frame: Frame): void => {
    const displaced = (boxes[at] as Mailbox<Frame>).put(frame);
    if (displaced) drop(displaced, displaced === frame ? 'stopped' : 'superseded', at);
  };
  const late = (frame: Frame): boolean => nowNs() - frame.captureNs > deadlineNs;
  /**
   * Who made a frame late: of the time since it was due, the largest share went to the source (it was late before
   * it entered: a decoder holding it back), to a stage that processed it, or to the queue in front of a busy stage
   * (that stage's share, here the one at `at`).
   */
  const culprit = (frame: Frame, at: number): string => {
    let worst = 'source';
    let worstNs = frame.enteredNs - frame.captureNs;
    let since = frame.enteredNs;
    for (let j = 0; j < at && j < frame.trace.length; j++) {
      const spent = frame.trace.leaveNs(j) - since;
      if (spent > worstNs) {
        worst = names[j] ?? worst;
        worstNs = spent;
      }
      since = frame.trace.leaveNs(j);
    }
    return nowNs() - since > worstNs ? (names[at] ?? worst) : worst;
  };
  const dropLate = (frame: Frame, at: number): void => {
    ctx.stats.drop('deadline', culprit(frame, at));
    frame.release();
  };

  const stageWorker = async (index: number): Promise<void> => {
    const inbox = boxes[index] as Mailbox<Frame>;
    for (let frame = await inbox.take(); frame; frame = await inbox.take()) {
      if (ctx.signal.aborted) {
        drop(frame, 'stopped', index);
        continue;
      }
      if (late(frame)) {
        dropLate(frame, index);
        continue;
      }
      let out: Frame | null;
      try {
        out = await applyStage(ctx, index, frame);
      } catch (err) {
        ctx.stats.drop('stage-error', names[index] ?? 'stage');
        if (!frame.isReleased) frame.release();
        if (policy.onStageError === 'fail') {
          fatal ??= asError(err);
          stopAll();
        }
        continue;
      }
      if (out) post(index + 1, out);
      else ctx.stats.drop('filtered', names[index] ?? 'stage');
    }
  };

  const sinkWorker = async (): Promise<void> => {
    const at = names.length - 1;
    const inbox = boxes[at] as Mailbox<Frame>;
    let lastSeq = -1;
    for (let frame = await inbox.take(); frame; frame = await inbox.take()) {
      if (ctx.signal.aborted) drop(frame, 'stopped', at);
      else if (late(frame)) dropLate(frame, at);
      else if (frame.seq < lastSeq) drop(frame, 'superseded', at);
      else {
        lastSeq = frame.seq;
        try {
          await deliver(ctx, frame);
        } catch (err) {
          fatal ??= asError(err);
          stopAll();
        }
      }
    }
  };

  function stopAll(): void {
    boxes.forEach((box, at) => {
      const left = box.close();
      if (left) drop(left, 'stopped', at);
    });
  }
  const onAbort = (): void => stopAll();
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  const stageDone = ctx.stages.map((stage, index) => {
    const workers = Math.max(1, Math.min(policy.maxInFlight, stage.concurrency ?? 1));
    return Promise.all(Array.from({ length: workers }, () => stageWorker(index)));
  });
  const done = [...stageDone, sinkWorker()];

  try {
    for (let frame = await ctx.source.read(); frame; frame = await ctx.source.read()) {
      frame.enteredNs = nowNs();
      ctx.stats.frameIn(frame.enteredNs);
      // A fatal error downstream ends the run even when the source (a camera) would go on for ever.
      if (ctx.signal.aborted || fatal) {
        drop(frame, 'stopped', 0);
        break;
      }
      post(0, frame);
    }
  } catch (err) {
    fatal ??= asError(err);
    stopAll();
  }
  // End of stream: each stage finishes what it holds, then the next mailbox is ended, so the last frame gets out.
  for (let index = 0; index < boxes.length; index++) {
    (boxes[index] as Mailbox<Frame>).end();
    await done[index];
  }
  ctx.signal.removeEventListener('abort', onAbort);
  if (fatal) throw fatal;
}
