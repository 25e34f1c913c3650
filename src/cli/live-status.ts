import type { PipelineStats } from '../core/stats.ts';

/**
 * A live run's one-line status on stderr, as ffmpeg prints its own: frames, fps, latency p95 and drops. On a terminal
 * the line is rewritten every second; otherwise (a log file) a line is written every 5 seconds. Nothing is written
 * in the first 2 seconds, so short runs stay quiet.
 */
export class LiveStatus {
  private timer: NodeJS.Timeout | null = null;
  private startedMs = 0;
  private lastLineMs = 0;
  private written = false;
  private lastOut = 0;
  private lastAtMs = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly snapshot: () => PipelineStats,
  ) {}

  start(): void {
    this.startedMs = Date.now();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.startedMs < 2000) return;
    const tty = this.out.isTTY === true;
    if (!tty && now - this.lastLineMs < 5000) return;
    this.lastLineMs = now;
    const s = this.snapshot();
    const fps = this.lastAtMs > 0 ? ((s.framesOut - this.lastOut) * 1000) / (now - this.lastAtMs) : s.fpsOut;
    this.lastOut = s.framesOut;
    this.lastAtMs = now;
    const line = `frames ${s.framesIn} in, ${s.framesOut} out  fps ${fps.toFixed(1)}  latency p95 ${s.latencyMs.p95.toFixed(1)} ms  dropped ${s.dropped}  time ${((now - this.startedMs) / 1000).toFixed(0)} s`;
    this.out.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    this.written = true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.written && this.out.isTTY === true) this.out.write('\r\x1b[K');
    this.written = false;
  }
}
