import { open } from 'node:fs/promises';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { FramePool } from '../core/frame-pool.ts';

/** The YUV4MPEG2 stream header for I420 frames of this size and rate. */
export function y4mHeader(width: number, height: number, fps: number): Buffer {
  const rate = Number.isInteger(fps) ? `${fps}:1` : `${Math.round(fps * 1000)}:1000`;
  return Buffer.from(`YUV4MPEG2 W${width} H${height} F${rate} Ip A1:1 C420jpeg\n`);
}

/** One I420 frame as a Y4M "FRAME" record (a fresh buffer the caller may hand to a stream). */
export function y4mFrame(frame: Frame): Buffer {
  if (frame.format !== 'i420') throw new FramewiseError('unsupported-format', `y4m carries i420 frames, got ${frame.format}`);
  return Buffer.concat([Buffer.from('FRAME\n'), ...frame.planes]);
}

/**
 * Incremental Y4M reader: feed it chunks of a byte stream, get I420 frames out. Only 4:2:0 streams are accepted;
 * anything else is a clear error rather than garbage pictures.
 */
export class Y4mParser {
  private pending: Buffer = Buffer.alloc(0);
  private pool: FramePool | null = null;
  private frameBytes = 0;
  private seq = 0;
  width = 0;
  height = 0;

  /** Frames completed by `chunk`, in order; each comes from a pool and must be released. */
  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Frame[] = [];
    if (!this.pool && !this.readHeader()) return out;
    for (;;) {
      const eol = this.pending.indexOf(0x0a);
      if (eol < 0) return out;
      if (this.pending.subarray(0, 5).toString('latin1') !== 'FRAME') {
        throw new FramewiseError('input-unreadable', `y4m stream is out of step: expected "FRAME", got "${this.pending.subarray(0, 16).toString('latin1')}"`);
      }
      if (this.pending.length < eol + 1 + this.frameBytes) return out;
      const frame = (this.pool as FramePool).acquire();
      let offset = eol + 1;
      for (const plane of frame.planes) {
        plane.set(this.pending.subarray(offset, offset + plane.byteLength));
        offset += plane.byteLength;
      }
      frame.seq = this.seq++;
      this.pending = this.pending.subarray(offset);
      out.push(frame);
    }
  }

  private readHeader(): boolean {
    const eol = this.pending.indexOf(0x0a);
    if (eol < 0) {
      if (this.pending.length > 1024) throw new FramewiseError('input-unreadable', 'y4m header missing: the program did not write a YUV4MPEG2 stream');
      return false;
    }
    const header = this.pending.subarray(0, eol).toString('latin1');
    if (!header.startsWith('YUV4MPEG2 ')) throw new FramewiseError('input-unreadable', `not a y4m stream (starts with "${header.slice(0, 20)}")`);
    const params = new Map(
      header
        .split(' ')
        .slice(1)
        .map((p) => [p[0] ?? '', p.slice(1)]),
    );
    const width = Number(params.get('W'));
    const height = Number(params.get('H'));
    const chroma = params.get('C') ?? '420';
    if (!chroma.startsWith('420')) throw new FramewiseError('unsupported-format', `y4m chroma "${chroma}" is not supported: write 4:2:0 (C420jpeg)`);
    if (!(width > 0 && height > 0) || width * height > 8192 * 8192)
      throw new FramewiseError('input-unreadable', `y4m header has an unusable size W${width} H${height}`);
    this.width = width;
    this.height = height;
    this.pool = new FramePool({ width, height, format: 'i420' });
    this.frameBytes = width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
    this.pending = this.pending.subarray(eol + 1);
    return true;
  }
}

/**
 * When `path` starts with a YUV4MPEG2 header whose size is unusable, the sentence that says so (FFmpeg reports
 * such files with an unrelated system error); null when the file is not y4m or its header is fine.
 */
export async function y4mHeaderProblem(path: string): Promise<string | null> {
  const line = await y4mHeaderLine(path);
  if (line === null) return null;
  for (const [key, name] of [
    ['W', 'width'],
    ['H', 'height'],
  ] as const) {
    const value = y4mField(line, key);
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 16384)
      return `"${path}" is a YUV4MPEG2 file whose header gives ${name} "${value ?? 'none'}": it must be a whole number from 1 to 16384`;
  }
  return null;
}

/** The picture size a YUV4MPEG2 file's header declares (whole numbers, however large), or null. */
export async function y4mDeclaredSize(path: string): Promise<{ width: number; height: number } | null> {
  const line = await y4mHeaderLine(path);
  if (line === null) return null;
  const [width, height] = [y4mField(line, 'W'), y4mField(line, 'H')].map((v) => (v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : 0));
  return width && height ? { width, height } : null;
}

/** The first line of a file when it is a YUV4MPEG2 header, else null. */
async function y4mHeaderLine(path: string): Promise<string | null> {
  let head: Buffer;
  try {
    const file = await open(path, 'r');
    try {
      head = Buffer.alloc(256);
      const { bytesRead } = await file.read(head, 0, 256, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
  const line = head.toString('latin1').split('\n')[0] ?? '';
  return line.startsWith('YUV4MPEG2 ') ? line : null;
}

function y4mField(line: string, key: string): string | undefined {
  return line
    .split(' ')
    .find((p) => p.startsWith(key))
    ?.slice(1);
}
