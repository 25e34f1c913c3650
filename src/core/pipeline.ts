import { describeError, FramewiseError } from './errors.ts';
import type { Frame } from './frame.ts';
import { runLive } from './live-scheduler.ts';
import type { Policy } from './policy.ts';
import { runRender } from './render-scheduler.ts';
import type { RunContext } from './run-context.ts';
import type { FrameSink } from './sink.ts';
import type { FrameSource, SourceInfo } from './source.ts';
import type { Stage, StageContext } from './stage.ts';
import { type PipelineStats, StatsCollector } from './stats.ts';
import { nowNs } from './clock.ts';

/** How to build a pipeline. */
export interface PipelineOptions {
  source: FrameSource;
  stages?: readonly Stage[];
  sink: FrameSink;
  policy: Policy;
  /** Longest wait for any one component to open or close before giving up on it (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Called once every component is open, before the first frame. */
  onStart?: (source: SourceInfo) => void;
  /** Called after every frame that leaves the sink. */
  onFrameOut?: (frame: Frame, stats: StatsCollector) => void;
}

/** What a finished run reports. */
export interface PipelineResult {
  source: SourceInfo;
  stats: PipelineStats;
  /** True when the run ended by `stop()`/`close()` rather than at the end of the source. */
  stopped: boolean;
}

type State = 'idle' | 'running' | 'closed';

/**
 * source -> stages -> sink under a policy. The pipeline opens and closes every component itself, bounds every
 * shutdown wait, and `close()` is safe to call twice (also concurrently with `run()`).
 */
export class Pipeline implements AsyncDisposable {
  readonly stats: StatsCollector;
  private readonly options: PipelineOptions;
  private readonly stages: readonly Stage[];
  private readonly abort = new AbortController();
  private state: State = 'idle';
  private running: Promise<PipelineResult> | null = null;
  private closing: Promise<string[]> | null = null;

  constructor(options: PipelineOptions) {
    this.options = options;
    this.stages = options.stages ?? [];
    const names = this.stages.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new FramewiseError('invalid-argument', `two stages are named "${dup}": stage names must be unique`);
    this.stats = new StatsCollector(names);
  }

  /** Run until the source ends or `stop()` is called; resolves with the measurements, rejects on a fatal error. */
  run(): Promise<PipelineResult> {
    if (this.state !== 'idle') return Promise.reject(new FramewiseError('invalid-state', `pipeline already ${this.state}: a pipeline runs once`));
    this.state = 'running';
    this.running = this.execute();
    return this.running;
  }

  /** Ask the run to end: the source stops, frames in flight are dropped with reason "stopped". */
  stop(): void {
    if (!this.abort.signal.aborted) this.abort.abort();
  }

  /** Stop and wait (bounded) until every component is closed. Safe to call twice. */
  async close(): Promise<void> {
    this.stop();
    if (this.state === 'idle') {
      this.state = 'closed';
      await this.closeAll();
      return;
    }
    this.state = 'closed';
    await this.running?.catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async execute(): Promise<PipelineResult> {
    const { source, sink, policy } = this.options;
    const signal = this.abort.signal;
    const stopSource = (): void => void source.close().catch(() => undefined);
    signal.addEventListener('abort', stopSource, { once: true });
    try {
      const info = await this.bounded('open', source.name, source.open());
      const stageContext: StageContext = { mode: policy.kind, signal };
      for (const stage of this.stages) await this.bounded('open', stage.name, Promise.resolve(stage.open?.(stageContext)));
      await this.bounded('open', sink.name, Promise.resolve(sink.open?.(info)));
      const ctx: RunContext = {
        source,
        stages: this.stages,
        sink,
        stats: this.stats,
        stageContext,
        signal,
        ...(this.options.onFrameOut ? { onFrameOut: (f: Frame) => this.options.onFrameOut?.(f, this.stats) } : {}),
      };
      this.options.onStart?.(info);
      this.stats.start(nowNs());
      if (policy.kind === 'live') await runLive(ctx, policy);
      else await runRender(ctx, policy);
      const stats = this.stats.snapshot(nowNs());
      const failures = await this.closeAll();
      if (failures.length > 0) throw new FramewiseError('output-failed', `closing the pipeline failed: ${failures.join('; ')}`);
      return { source: info, stats, stopped: signal.aborted };
    } catch (err) {
      await this.closeAll();
      throw err;
    } finally {
      signal.removeEventListener('abort', stopSource);
      this.state = 'closed';
    }
  }

  /** Close source, stages (in reverse) and sink, each once and each bounded; returns what failed. */
  private closeAll(): Promise<string[]> {
    this.closing ??= this.closeEach();
    return this.closing;
  }

  private async closeEach(): Promise<string[]> {
    const { source, sink } = this.options;
    const failures: string[] = [];
    const attempt = async (name: string, work: () => Promise<void> | void): Promise<void> => {
      try {
        await this.bounded('close', name, Promise.resolve(work()));
      } catch (err) {
        failures.push(describeError(err));
      }
    };
    await attempt(source.name, () => source.close());
    for (const stage of [...this.stages].reverse()) await attempt(stage.name, () => stage.close?.());
    await attempt(sink.name, () => sink.close());
    return failures;
  }

  private async bounded<T>(what: 'open' | 'close', name: string, work: Promise<T>): Promise<T> {
    const limitMs = this.options.shutdownTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FramewiseError('timeout', `"${name}" did not ${what} within ${limitMs} ms`)), limitMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
