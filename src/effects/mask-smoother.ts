/**
 * Steadies a segmentation mask over time and softens its edges: an exponential moving average across frames
 * (`weight` of the new frame) damps flicker, then a 3x3 box filter feathers the boundary. Works at the model's
 * resolution (256 x 256), so it costs ~0.3 ms.
 */
export class MaskSmoother {
  private state: Float32Array | null = null;
  private out: Float32Array | null = null;

  constructor(
    private readonly size: number,
    private readonly weight = 0.6,
  ) {}

  /** Fold in this frame's probabilities; returns the smoothed mask (reused by the next call). */
  update(probabilities: Float32Array): Float32Array {
    const n = this.size;
    const state = (this.state ??= Float32Array.from(probabilities));
    const w = this.weight;
    for (let i = 0; i < state.length; i++) state[i] = (state[i] as number) + ((probabilities[i] as number) - (state[i] as number)) * w;
    const out = (this.out ??= new Float32Array(state.length));
    for (let y = 0; y < n; y++) {
      const ya = Math.max(0, y - 1) * n;
      const yb = y * n;
      const yc = Math.min(n - 1, y + 1) * n;
      for (let x = 0; x < n; x++) {
        const xa = Math.max(0, x - 1);
        const xc = Math.min(n - 1, x + 1);
        out[yb + x] =
          ((state[ya + xa] as number) +
            (state[ya + x] as number) +
            (state[ya + xc] as number) +
            (state[yb + xa] as number) +
            (state[yb + x] as number) +
            (state[yb + xc] as number) +
            (state[yc + xa] as number) +
            (state[yc + x] as number) +
            (state[yc + xc] as number)) /
          9;
      }
    }
    return out;
  }

  /** Forget the history (a new scene or stream). */
  reset(): void {
    this.state = null;
  }
}
