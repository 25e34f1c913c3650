import { CallbackSink } from '../../core/callback-sink.ts';
import { nowNs } from '../../core/clock.ts';
import type { Frame } from '../../core/frame.ts';
import { FramePool } from '../../core/frame-pool.ts';
import { Pipeline } from '../../core/pipeline.ts';
import { live } from '../../core/policy.ts';
import { PushSource } from '../../core/push-source.ts';
import type { Stage } from '../../core/stage.ts';
import { FrameIdReader, FrameIdWriter } from '../../core/frame-id-stages.ts';
import { describeError, FramewiseError } from '../../core/errors.ts';
import { createEffect } from '../../effects/registry.ts';
import type { TargetDefinition } from './target-definition.ts';
import type { OutputHandler, StimulusInfo, StreamTarget } from './target.ts';

/**
 * `local:<effect>`: a Framewise live pipeline in this process, fed frame by frame. Like the server, it reads the
 * frame-ID code before the effects and writes it back after them, so effects that repaint the band (blur, mirror)
 * are still measured frame by frame.
 */
export class LocalTarget implements StreamTarget {
  readonly name: string;
  private source: PushSource | null = null;
  private pool: FramePool | null = null;
  private pipeline: Pipeline | null = null;
  private running: Promise<unknown> | null = null;
  private failure: string | null = null;

  /** Why the pipeline failed, when it did. */
  get error(): string | null {
    return this.failure;
  }

  constructor(
    private readonly stages: Stage[],
    private readonly deadlineMs = 1000,
  ) {
    this.name = `local:${stages.map((s) => s.name).join(',')}`;
  }

  get refused(): number {
    return this.source?.overflowed ?? 0;
  }

  async open(info: StimulusInfo, onOutput: OutputHandler): Promise<void> {
    this.pool = new FramePool({ width: info.width, height: info.height, format: 'i420' });
    this.source = new PushSource({ width: info.width, height: info.height, format: 'i420', fps: info.fps, paced: true, description: 'probe stimulus' });
    this.pipeline = new Pipeline({
      source: this.source,
      stages: [new FrameIdReader(), ...this.stages, new FrameIdWriter()],
      sink: new CallbackSink((frame) => onOutput(frame, nowNs()), 'probe-return'),
      // A stage that throws ends the run with its error (first in the verdict), instead of dropping frames quietly.
      policy: live({ deadlineMs: this.deadlineMs, onStageError: 'fail' }),
    });
    this.running = this.pipeline.run().catch((err: unknown) => {
      this.failure = `the pipeline failed: ${describeError(err)}`;
    });
  }

  send(frame: Frame): void {
    if (!this.source || !this.pool) return;
    const copy = this.pool.copyOf(frame);
    copy.captureNs = nowNs();
    this.source.push(copy);
  }

  async close(): Promise<void> {
    this.source?.end();
    await this.pipeline?.close();
    await this.running;
  }
}

/** `local:<effect>[,<effect>...]`. */
export const localTargetDefinition: TargetDefinition = {
  kind: 'local',
  usage: 'local:<effect>[,<effect>...]',
  summary: 'a Framewise live pipeline in this process',
  matches: (spec) => spec.startsWith('local:'),
  create: (spec) => {
    const effects = spec
      .slice('local:'.length)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (effects.length === 0) throw new FramewiseError('invalid-argument', 'local: needs an effect, e.g. local:passthrough or local:delay:300');
    return new LocalTarget(effects.map((e) => createEffect(e)));
  },
};
