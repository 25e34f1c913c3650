import type { Roi } from './roi.ts';

/** What a landmark model found in a crop, and the crop it points to for the next frame. */
export interface Tracked<R> {
  result: R;
  score: number;
  next: Roi;
}

/**
 * Follow-or-find for landmark models on video, as MediaPipe's tracking graphs do: run on the crop the previous
 * frame's landmarks gave; when that fails (score below `minScore`) or there is none, ask the detector for a crop.
 * The detector then only runs when the subject is lost.
 */
export class RoiTracker {
  private previous: Roi | null = null;

  constructor(
    private readonly enabled: boolean,
    private readonly minScore: number,
  ) {}

  /** The result for this frame, or null when nothing scored high enough. */
  async next<R>(run: (roi: Roi) => Promise<Tracked<R>>, find: () => Promise<Roi | null>): Promise<R | null> {
    if (this.previous) {
      const tracked = await run(this.previous);
      if (tracked.score >= this.minScore) return this.keep(tracked);
    }
    const roi = await find();
    const found = roi ? await run(roi) : null;
    return this.keep(found && found.score >= this.minScore ? found : null);
  }

  /** Forget the subject (the next frame is unrelated to the last). */
  reset(): void {
    this.previous = null;
  }

  private keep<R>(tracked: Tracked<R> | null): R | null {
    this.previous = this.enabled && tracked ? tracked.next : null;
    return tracked?.result ?? null;
  }
}
