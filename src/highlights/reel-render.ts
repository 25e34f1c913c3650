import { rm } from 'node:fs/promises';
import { FramewiseError } from '../core/errors.ts';
import { Pipeline } from '../core/pipeline.ts';
import { render } from '../core/policy.ts';
import type { EffectContext } from '../effects/effect.ts';
import { CLI_EFFECT_CONTEXT, createEffect } from '../effects/registry.ts';
import { ClipsSource } from '../io/clips-source.ts';
import type { MediaCut } from '../io/media-cuts.ts';
import { MediaSink } from '../io/media-sink.ts';

/** How a reel is rendered. */
export interface ReelRenderOptions {
  input: string;
  inputOptions?: Record<string, string>;
  /** Media times of the clips, s, in order. */
  clips: readonly { startS: number; endS: number }[];
  /** The input's frame rate: clip ends are put on its picture grid so sound and pictures cut at the same instant. */
  fps: number;
  output: string;
  /** Effects applied to the reel's pictures (none by default). */
  effects?: readonly string[];
  effectContext?: EffectContext;
  signal?: AbortSignal;
  /** Pictures written so far. */
  onProgress?: (frames: number) => void;
}

/** The cuts of a clip list on the input's picture grid, µs. */
export function clipCuts(clips: ReelRenderOptions['clips'], fps: number): MediaCut[] {
  const onGrid = (s: number): number => Math.round((Math.round(s * fps) / fps) * 1e6);
  return clips.map((c) => ({ fromUs: onGrid(c.startS), toUs: onGrid(c.endS) })).filter((c) => c.toUs > c.fromUs);
}

/**
 * Render the clips of a file back to back into one file with their sound: pictures re-encoded for quality (through
 * the effects, if any), sound cut at the same instants and re-encoded, so every clip stays in sync.
 */
export async function renderReel(options: ReelRenderOptions): Promise<{ frames: number; durationS: number }> {
  const cuts = clipCuts(options.clips, options.fps);
  if (cuts.length === 0) throw new FramewiseError('invalid-argument', 'no clip was chosen: nothing to render (lower --min-score or check the input)');
  const ctx = options.effectContext ?? CLI_EFFECT_CONTEXT;
  const sink = new MediaSink({
    output: options.output,
    tuning: 'quality',
    audioFrom: options.input,
    audioCuts: cuts,
    ...(options.inputOptions ? { audioInputOptions: options.inputOptions } : {}),
  });
  const pipeline = new Pipeline({
    source: new ClipsSource({ input: options.input, ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}), cuts }),
    stages: (options.effects ?? []).map((e) => createEffect(e, ctx)),
    sink,
    policy: render(),
  });
  const abort = (): void => pipeline.stop();
  options.signal?.addEventListener('abort', abort, { once: true });
  const ticker = options.onProgress ? setInterval(() => options.onProgress?.(sink.framesWritten), 250) : null;
  try {
    const result = await pipeline.run();
    await pipeline.close();
    if (result.stopped || options.signal?.aborted) {
      await rm(options.output, { force: true });
      throw new FramewiseError('invalid-state', 'cancelled');
    }
  } finally {
    if (ticker) clearInterval(ticker);
    options.signal?.removeEventListener('abort', abort);
    await pipeline.close();
  }
  return { frames: sink.framesWritten, durationS: cuts.reduce((s, c) => s + (c.toUs - c.fromUs), 0) / 1e6 };
}
