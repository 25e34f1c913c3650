import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { nowNs } from '../../core/clock.ts';
import { describeError, FramewiseError } from '../../core/errors.ts';
import type { TargetDefinition } from './target-definition.ts';
import type { Frame } from '../../core/frame.ts';
import { y4mFrame, y4mHeader, Y4mParser } from '../../io/y4m.ts';
import type { OutputHandler, StimulusInfo, StreamTarget } from './target.ts';

/** Bytes of frames waiting in the pipe before further frames are refused, in frames. */
const MAX_QUEUED_FRAMES = 60;

/**
 * `exec:<command>`: a local program that reads Y4M (I420) frames on stdin and writes Y4M frames on stdout, like
 * `ffmpeg -f yuv4mpegpipe -i - ... -f yuv4mpegpipe -`. Its stderr is kept for error messages.
 */
export class ExecTarget implements StreamTarget {
  readonly name: string;
  private child: ChildProcessWithoutNullStreams | null = null;
  private frameBytes = 0;
  private stderrTail = '';
  private exited: Promise<number | null> | null = null;
  private failure: string | null = null;
  private closing = false;
  private startedMs = 0;
  refused = 0;

  constructor(private readonly command: string) {
    if (command.trim() === '')
      throw new FramewiseError('invalid-argument', 'exec target needs a command, e.g. exec:"ffmpeg -f yuv4mpegpipe -i - -f yuv4mpegpipe -"');
    this.name = `exec:${command}`;
  }

  async open(info: StimulusInfo, onOutput: OutputHandler): Promise<void> {
    const child = spawn('sh', ['-c', this.command], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.frameBytes = info.width * info.height * 1.5;
    const parser = new Y4mParser();
    this.closing = false;
    this.startedMs = Date.now();
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        // Ending on its own while frames were still being sent is a failure, whatever the exit code.
        if (!this.closing && this.failure === null)
          this.failure = `"${this.command}" exited ${signal ? `on ${signal}` : `with code ${code}`} after ${((Date.now() - this.startedMs) / 1000).toFixed(1)} s, while the probe was still sending`;
        resolve(code);
      }),
    );
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      const arrivedNs = nowNs();
      try {
        for (const frame of parser.push(chunk)) {
          onOutput(frame, arrivedNs);
          frame.release();
        }
      } catch (err) {
        this.failure = describeError(err);
        child.kill();
      }
    });
    child.stdin.on('error', () => undefined); // EPIPE when the program exits early; reported through `failure`.
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new FramewiseError('invalid-argument', `cannot start "${this.command}": ${err.message}`)));
    });
    child.stdin.write(y4mHeader(info.width, info.height, info.fps));
  }

  send(frame: Frame): void {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return;
    if (stdin.writableLength > MAX_QUEUED_FRAMES * this.frameBytes) {
      this.refused++;
      return;
    }
    stdin.write(y4mFrame(frame));
  }

  /** Why the program failed, when it did (its exit or a malformed stream, with its stderr). */
  get error(): string | null {
    if (this.failure) return `${this.failure}${this.stderrTail ? `\n${this.stderrTail}` : ''}`;
    return null;
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.closing = true;
    child.stdin.end();
    const exited = this.exited as Promise<number | null>;
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0 && code !== null && this.failure === null) this.failure = `"${this.command}" exited with code ${code}`;
  }
}

/** `exec:<command>`. */
export const execTargetDefinition: TargetDefinition = {
  kind: 'exec',
  usage: 'exec:<command reading y4m on stdin, writing y4m on stdout>',
  summary: 'any program on pipes (an FFmpeg filter chain, a model server wrapper)',
  matches: (spec) => spec.startsWith('exec:'),
  create: (spec) => new ExecTarget(spec.slice('exec:'.length)),
};
