import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { FrameSource, SourceInfo } from '../core/source.ts';
import { checkCuts, cutsDurationUs, type MediaCut } from './media-cuts.ts';
import { MediaSource } from './media-source.ts';

/** Options of a ClipsSource. */
export interface ClipsSourceOptions {
  /** A file (or a URL that can seek). */
  input: string;
  inputOptions?: Record<string, string>;
  /** The pieces to play, in order, in the input's media time (µs from its stream's start). */
  cuts: readonly MediaCut[];
}

/**
 * Pieces of one file played back to back, as one stream: each cut is decoded from the keyframe before it (frame-exact
 * start, like a resumed segment) up to its end, and its pictures are re-timed to follow the previous cut's, so media
 * time runs from 0 to the cuts' total length without a gap. Pair with a MediaSink given the same cuts for audio.
 */
export class ClipsSource implements FrameSource {
  readonly name: string;
  private readonly options: ClipsSourceOptions;
  private current: MediaSource | null = null;
  private index = -1;
  private offsetUs = 0;
  private seq = 0;
  private info: SourceInfo | null = null;
  private closed = false;

  constructor(options: ClipsSourceOptions) {
    checkCuts(options.cuts);
    this.options = options;
    this.name = `clips:${options.input}`;
  }

  async open(): Promise<SourceInfo> {
    const first = await this.openCut(0);
    const durationS = cutsDurationUs(this.options.cuts) / 1e6;
    this.info = {
      ...first,
      paced: false,
      durationS,
      frameCount: Math.round(durationS * first.fps),
      description: `${first.description}, ${this.options.cuts.length} cuts`,
    };
    return this.info;
  }

  private async openCut(index: number): Promise<SourceInfo> {
    const cut = this.options.cuts[index] as MediaCut;
    const source = new MediaSource({
      input: this.options.input,
      ...(this.options.inputOptions ? { inputOptions: this.options.inputOptions } : {}),
      startAtUs: cut.fromUs,
      durationS: cut.toUs / 1e6,
    });
    this.current = source;
    this.index = index;
    const info = await source.open();
    if (this.info && (info.width !== this.info.width || info.height !== this.info.height))
      throw new FramewiseError('unsupported-format', `"${this.options.input}" changes picture size between cuts: clips of one size only`);
    return info;
  }

  async read(): Promise<Frame | null> {
    for (;;) {
      if (this.closed || !this.current) return null;
      const frame = await this.current.read();
      if (this.closed || !this.current) {
        frame?.release();
        return null;
      }
      if (frame) {
        const cut = this.options.cuts[this.index] as MediaCut;
        frame.ptsUs = this.offsetUs + (frame.ptsUs - cut.fromUs);
        frame.seq = this.seq++;
        return frame;
      }
      const done = this.current;
      this.current = null;
      await done.close();
      const cut = this.options.cuts[this.index] as MediaCut;
      this.offsetUs += cut.toUs - cut.fromUs;
      if (this.index + 1 >= this.options.cuts.length) return null;
      await this.openCut(this.index + 1);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const current = this.current;
    this.current = null;
    await current?.close();
  }
}
