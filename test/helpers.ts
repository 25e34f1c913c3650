import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Frame, FramePool, type FrameSink, type FrameSource, nowNs, sleepUntilNs, type SourceInfo } from '../src/core/index.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Absolute path of a file in ../shared/testdata. */
export function testdata(relative: string): string {
  return join(root, '..', 'shared', 'testdata', relative);
}

/** Absolute path inside the repository. */
export function repoPath(relative: string): string {
  return join(root, relative);
}

/** A source of `count` small frames, unpaced (render) or paced at `fps` (live). Tracks its pool for leak checks. */
export class CountingSource implements FrameSource {
  readonly name = 'counting';
  readonly pool = new FramePool({ width: 64, height: 48, format: 'rgba' });
  private seq = 0;
  private startNs = 0;
  closed = 0;

  constructor(
    private readonly count: number,
    private readonly fps = 30,
    private readonly paced = false,
  ) {}

  async open(): Promise<SourceInfo> {
    this.startNs = nowNs();
    return { width: 64, height: 48, format: 'rgba', fps: this.fps, paced: this.paced, frameCount: this.count, description: 'counting' };
  }

  async read(): Promise<Frame | null> {
    if (this.closed > 0 || this.seq >= this.count) return null;
    const seq = this.seq++;
    const dueNs = this.startNs + (seq * 1e9) / this.fps;
    if (this.paced) await sleepUntilNs(dueNs);
    const frame = this.pool.acquire();
    frame.seq = seq;
    frame.ptsUs = Math.round((seq * 1e6) / this.fps);
    frame.captureNs = this.paced ? dueNs : nowNs();
    return frame;
  }

  async close(): Promise<void> {
    this.closed++;
  }
}

/** A sink that remembers the seq of every frame it got. */
export class CollectSink implements FrameSink {
  readonly name = 'collect';
  readonly seqs: number[] = [];
  closed = 0;

  write(frame: Frame): void {
    this.seqs.push(frame.seq);
  }

  async close(): Promise<void> {
    this.closed++;
  }
}

/** A frame not from any pool, for stage tests. */
export function blankFrame(seq = 0): Frame {
  return Frame.alloc({ width: 64, height: 48, format: 'rgba', seq });
}

/** A fresh temporary folder, removed when the test file (or the calling test) ends. */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `framewise-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One checksum per decoded video frame of a file (FFmpeg's framemd5), with its timestamp. */
export function frameChecksums(path: string): string[] {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}
