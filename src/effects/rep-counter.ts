import type { PoseLandmark } from '../models/pose-estimator.ts';

/** The angle at b, in degrees, between b->a and b->c. */
export function jointAngle(a: { x: number; y: number }, b: { x: number; y: number }, c: { x: number; y: number }): number {
  const ax = a.x - b.x;
  const ay = a.y - b.y;
  const cx = c.x - b.x;
  const cy = c.y - b.y;
  const norm = Math.hypot(ax, ay) * Math.hypot(cx, cy);
  if (norm === 0) return Number.NaN;
  return (Math.acos(Math.max(-1, Math.min(1, (ax * cx + ay * cy) / norm))) * 180) / Math.PI;
}

/** Where the counter is in a repetition. */
export type RepPhase = 'up' | 'down';

/**
 * Counts squats from BlazePose landmarks: the knee angle (hip-knee-ankle, both legs averaged, a leg the model cannot
 * see left out) going below `downDeg` starts a repetition and coming back above `upDeg` completes it. The gap
 * between the thresholds is hysteresis, so jitter around one threshold never counts twice.
 */
export class SquatCounter {
  reps = 0;
  phase: RepPhase = 'up';
  /** The last knee angle seen, or NaN when no leg was visible. */
  angleDeg = Number.NaN;

  constructor(
    private readonly downDeg = 110,
    private readonly upDeg = 155,
    private readonly minVisibility = 0.5,
  ) {}

  /** Fold in one frame's landmarks (33, BlazePose order); returns the repetitions so far. */
  update(landmarks: readonly PoseLandmark[]): number {
    const angles: number[] = [];
    for (const [hip, knee, ankle] of [
      [23, 25, 27],
      [24, 26, 28],
    ] as const) {
      const h = landmarks[hip];
      const k = landmarks[knee];
      const a = landmarks[ankle];
      if (h && k && a && Math.min(h.visibility, k.visibility, a.visibility) >= this.minVisibility) angles.push(jointAngle(h, k, a));
    }
    this.angleDeg = angles.length > 0 ? angles.reduce((s, v) => s + v, 0) / angles.length : Number.NaN;
    if (Number.isNaN(this.angleDeg)) return this.reps;
    if (this.phase === 'up' && this.angleDeg < this.downDeg) this.phase = 'down';
    else if (this.phase === 'down' && this.angleDeg > this.upDeg) {
      this.phase = 'up';
      this.reps++;
    }
    return this.reps;
  }

  reset(): void {
    this.reps = 0;
    this.phase = 'up';
    this.angleDeg = Number.NaN;
  }
}
