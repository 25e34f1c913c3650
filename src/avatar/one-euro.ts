/** Settings of a One Euro filter. */
export interface OneEuroOptions {
  /** Cut-off at rest, Hz: lower is steadier when still (default 1). */
  minCutoffHz?: number;
  /** How fast the cut-off rises with speed: higher lags less when moving (default 0.05 per unit/s). */
  beta?: number;
  /** Cut-off of the speed estimate, Hz (default 1). */
  derivativeCutoffHz?: number;
}

function alpha(cutoffHz: number, dtS: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtS);
}

/**
 * The One Euro filter (Casiez, Roussel, Vogel, CHI 2012): a low-pass filter whose cut-off rises with the signal's
 * speed, so a still value is steady (jitter filtered hard) and a moving one follows with little lag.
 */
export class OneEuroFilter {
  private readonly minCutoffHz: number;
  private readonly beta: number;
  private readonly derivativeCutoffHz: number;
  private value: number | null = null;
  private speed = 0;
  private lastS = 0;

  constructor(options: OneEuroOptions = {}) {
    this.minCutoffHz = options.minCutoffHz ?? 1;
    this.beta = options.beta ?? 0.05;
    this.derivativeCutoffHz = options.derivativeCutoffHz ?? 1;
  }

  /** The filtered value of `x` measured at time `timeS`. */
  filter(x: number, timeS: number): number {
    if (this.value === null) {
      this.value = x;
      this.lastS = timeS;
      return x;
    }
    if (timeS <= this.lastS) return this.value;
    const dt = timeS - this.lastS;
    this.lastS = timeS;
    const rawSpeed = (x - this.value) / dt;
    this.speed += alpha(this.derivativeCutoffHz, dt) * (rawSpeed - this.speed);
    const cutoff = this.minCutoffHz + this.beta * Math.abs(this.speed);
    this.value += alpha(cutoff, dt) * (x - this.value);
    return this.value;
  }

  /** Forget the history (the face was lost). */
  reset(): void {
    this.value = null;
    this.speed = 0;
  }
}
