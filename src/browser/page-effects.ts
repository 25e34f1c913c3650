import { describeError, FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { FrameIdReader, FrameIdWriter } from '../core/frame-id-stages.ts';
import { Pipeline } from '../core/pipeline.ts';
import { live } from '../core/policy.ts';
import type { PipelineStats } from '../core/stats.ts';
import { SwitchableStage } from '../core/switchable-stage.ts';
import { buildEffect } from '../effects/effect-catalog.ts';
import type { EffectContext } from '../effects/effect.ts';
import { noPictures, type PictureSource } from '../effects/pictures.ts';
import { CameraSource } from './camera-source.ts';
import { TrackSink } from './track-sink.ts';
import type { BrowserRuntime } from './web-runtime.ts';

/** Options of `PageEffects.start`. */
export interface PageEffectsOptions {
  /** The page's runtime (createBrowserRuntime). */
  runtime: BrowserRuntime;
  /** The effect as typed on the server (`blur:16`, `replace:green`, `faces`). */
  effect: string;
  /** Where `replace:<picture>` finds pictures (default: none, colours only). */
  pictures?: PictureSource;
  /** Frames older than this at a stage are dropped (default 100 ms, the server's live default). */
  deadlineMs?: number;
  /** Called after every processed frame, with the frame (valid during the call) and its latency in the page (ms). */
  onFrame?: (frame: Frame, latencyMs: number) => void;
  /** Called once if the pipeline stops on its own (the camera ended, or a stage failed). */
  onEnd?: (why: string) => void;
}

/**
 * Effects run where the camera is: camera track -> the same live pipeline and effects as the server -> a processed
 * MediaStreamTrack, without a frame leaving the page. The frame-ID code of a stamped camera (the demo's latency
 * meter) is carried across the effects, as the server does. The effect can be switched while it runs.
 */
export class PageEffects {
  readonly track: MediaStreamTrack;
  private readonly slot: SwitchableStage;
  private readonly ctx: EffectContext;
  private readonly done: Promise<void>;
  private effectSpec: string;

  private constructor(
    private readonly pipeline: Pipeline,
    private readonly source: CameraSource,
    private readonly sink: TrackSink,
    slot: SwitchableStage,
    ctx: EffectContext,
    effect: string,
    onEnd: ((why: string) => void) | undefined,
  ) {
    this.track = sink.track;
    this.slot = slot;
    this.ctx = ctx;
    this.effectSpec = effect;
    this.done = pipeline.run().then(
      (result) => {
        if (!result.stopped) onEnd?.('the camera ended');
      },
      (err: unknown) => onEnd?.(`the page's pipeline failed: ${describeError(err)}`),
    );
  }

  /** Start processing `camera`; resolves once the first frame has been read (the effect's models are loaded by then). */
  static async start(camera: MediaStreamTrack, options: PageEffectsOptions): Promise<PageEffects> {
    const ctx: EffectContext = { pictures: options.pictures ?? noPictures, runtime: options.runtime };
    const slot = new SwitchableStage(buildEffect(options.effect, ctx));
    const source = new CameraSource(camera);
    const sink = new TrackSink();
    let started: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const pipeline = new Pipeline({
      source,
      stages: [new FrameIdReader(), slot, new FrameIdWriter()],
      sink,
      policy: live({ deadlineMs: options.deadlineMs ?? 100 }),
      shutdownTimeoutMs: 3000,
      onStart: () => started(),
      onFrameOut: (frame) => options.onFrame?.(frame, (performance.now() * 1e6 - frame.captureNs) / 1e6),
    });
    let failed: (err: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (failed = reject));
    const effects = new PageEffects(pipeline, source, sink, slot, ctx, options.effect, (why) => {
      failed(new FramewiseError('invalid-state', why));
      options.onEnd?.(why);
    });
    try {
      await Promise.race([ready, failure]);
    } catch (err) {
      await effects.stop();
      throw err;
    }
    return effects;
  }

  /** The effect running now. */
  get effect(): string {
    return this.effectSpec;
  }

  /** How frames are read from the camera ("processor" or "canvas") and handed to the output track ("generator" or "canvas"). */
  get modes(): { source: string; sink: string } {
    return { source: this.source.mode, sink: this.sink.mode };
  }

  /** Replace the effect without interrupting the stream (the new one's models load first); a bad spec throws before anything changes. */
  async setEffect(spec: string): Promise<void> {
    await this.slot.switchTo(buildEffect(spec, this.ctx));
    this.effectSpec = spec;
  }

  /** Latency in the page, fps, drops and per-stage times so far. */
  stats(): PipelineStats {
    return this.pipeline.stats.snapshot();
  }

  /** Stop processing and end the processed track (the camera track stays the caller's). */
  async stop(): Promise<void> {
    await this.pipeline.close();
    await this.done.catch(() => undefined);
  }
}
