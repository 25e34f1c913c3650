/** A one-line progress bar on a TTY, redrawn at most 10 times a second. */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly total: number | undefined;
  private readonly startMs = performance.now();
  private lastDrawMs = 0;
  private drawn = false;

  constructor(stream: NodeJS.WriteStream, total: number | undefined) {
    this.stream = stream;
    this.total = total && total > 0 ? total : undefined;
  }

  update(done: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    const elapsedS = (now - this.startMs) / 1000;
    const fps = elapsedS > 0 ? done / elapsedS : 0;
    let line = `${done} frames  ${fps.toFixed(1)} fps`;
    if (this.total) {
      const ratio = Math.min(1, done / this.total);
      const width = 30;
      const filled = Math.round(ratio * width);
      const etaS = fps > 0 ? Math.max(0, (this.total - done) / fps) : 0;
      line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%  ${done}/${this.total} frames  ${fps.toFixed(1)} fps  ETA ${etaS.toFixed(0)} s`;
    }
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  finish(done: number): void {
    this.update(done, true);
    if (this.drawn) this.stream.write('\n');
  }
}
