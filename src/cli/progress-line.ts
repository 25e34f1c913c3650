import { FINAL_STATES, type JobRecord } from '../jobs/job.ts';

/** Progress on stderr: a line redrawn in place on a terminal, a line every few seconds otherwise. */
export class ProgressLine {
  private lastMs = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  note(text: string): void {
    if (this.enabled) this.stream.write(`${text}\n`);
  }

  show(job: JobRecord): void {
    const p = job.progress;
    this.frames(p.framesDone, p.framesTotal, p.fps, p.phase && job.state === 'running' ? p.phase : job.state, FINAL_STATES.has(job.state));
  }

  /** `done` of `total` things (`unit`, default frames), at `fps`, labelled `what`. */
  frames(done: number, total: number | null, fps: number | null, what: string, force = false, unit = 'frames'): void {
    if (!this.enabled) return;
    const now = Date.now();
    const tty = this.stream.isTTY === true;
    if (!force && now - this.lastMs < (tty ? 100 : 5000)) return;
    this.lastMs = now;
    const share = total ? ` ${Math.min(100, Math.round((100 * done) / total))}%` : '';
    const line = `${what}${share}  ${done}${total ? `/${total}` : ''} ${unit}${fps ? `  ${fps.toFixed(1)} fps` : ''}`;
    if (tty) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
