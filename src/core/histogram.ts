/**
 * A log-linear histogram of non-negative integers (HDR style): exact below 2048, then 1024 buckets
 * per power of two, so any recorded value is reported within 0.1 %. Memory is fixed; recording allocates nothing.
 */
export class Histogram {
  private static readonly SUB = 1024;
  private readonly counts: Float64Array;
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;

  /** `maxValue`: the largest value kept exactly in range; larger ones are clamped (max still reports them). */
  constructor(maxValue = 2 ** 36) {
    this.counts = new Float64Array(Histogram.indexOf(Math.max(2048, Math.floor(maxValue))) + 1);
  }

  private static indexOf(value: number): number {
    if (value < 2 * Histogram.SUB) return value;
    const shift = Math.floor(Math.log2(value)) - 10;
    return 2 * Histogram.SUB + (shift - 1) * Histogram.SUB + (Math.floor(value / 2 ** shift) - Histogram.SUB);
  }

  /** The lowest value of bucket `index`, and its width. */
  private static bucketOf(index: number): [number, number] {
    if (index < 2 * Histogram.SUB) return [index, 1];
    const shift = Math.floor((index - 2 * Histogram.SUB) / Histogram.SUB) + 1;
    const sub = ((index - 2 * Histogram.SUB) % Histogram.SUB) + Histogram.SUB;
    return [sub * 2 ** shift, 2 ** shift];
  }

  /** Record one value (rounded down to an integer; negatives count as 0). */
  record(value: number): void {
    const v = value > 0 ? Math.floor(value) : 0;
    const index = Math.min(Histogram.indexOf(v), this.counts.length - 1);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    this.sum += v;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.total === 0 ? 0 : this.maxValue;
  }

  get min(): number {
    return this.total === 0 ? 0 : this.minValue;
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** The value at percentile `p` (0-100): the middle of the bucket holding it, clamped to [min, max]. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) {
        const [low, width] = Histogram.bucketOf(i);
        const mid = width === 1 ? low : low + (width - 1) / 2;
        return Math.min(Math.max(mid, this.minValue), this.maxValue);
      }
    }
    return this.maxValue;
  }

  /** Add every count of `other` into this histogram (same construction required). */
  merge(other: Histogram): void {
    if (other.counts.length !== this.counts.length) throw new RangeError('histograms of different ranges cannot be merged');
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.total += other.total;
    this.sum += other.sum;
    if (other.total > 0) {
      this.minValue = Math.min(this.minValue, other.minValue);
      this.maxValue = Math.max(this.maxValue, other.maxValue);
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
  }
}
