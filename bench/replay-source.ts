import { Frame, type FrameOwner, type FrameSource, nowNs, sleepUntilNs, type SourceInfo } from '../src/core/index.ts';
import { MediaSource } from '../src/io/media-source.ts';

const NO_POOL: FrameOwner = { recycle: () => undefined };

/** Decode a clip into memory once, so a benchmark can replay it with no decode cost. */
export async function decodeToMemory(input: string, limit = 300): Promise<{ frames: Frame[]; info: SourceInfo }> {
  const source = new MediaSource({ input, decoderThreads: 1 });
  const info = await source.open();
  const frames: Frame[] = [];
  for (let f = await source.read(); f && frames.length < limit; f = await source.read()) {
    frames.push(
      new Frame(
        { width: f.width, height: f.height, format: f.format },
        f.planes.map((p) => p.slice()),
        NO_POOL,
      ),
    );
    f.release();
  }
  await source.close();
  return { frames, info };
}

/** Hands out pre-decoded frames `count` times in a cycle, as fast as asked or paced at `fps`. */
export class ReplaySource implements FrameSource {
  readonly name = 'replay';
  private seq = 0;
  private startNs = 0;

  constructor(
    private readonly frames: Frame[],
    private readonly info: SourceInfo,
    private readonly count: number,
    private readonly pacedFps?: number,
  ) {}

  async open(): Promise<SourceInfo> {
    this.startNs = nowNs();
    return { ...this.info, paced: this.pacedFps !== undefined, frameCount: this.count };
  }

  async read(): Promise<Frame | null> {
    if (this.seq >= this.count) return null;
    const seq = this.seq++;
    let captureNs = nowNs();
    if (this.pacedFps) {
      const dueNs = this.startNs + (seq * 1e9) / this.pacedFps;
      await sleepUntilNs(dueNs);
      captureNs = dueNs;
    }
    const frame = this.frames[seq % this.frames.length] as Frame;
    frame.revive();
    frame.seq = seq;
    frame.captureNs = captureNs;
    return frame;
  }

  async close(): Promise<void> {}
}
