/** Prometheus text exposition (format 0.0.4): counters, gauges and fixed-bucket histograms. */

/** Label set of one sample. */
export type Labels = Record<string, string>;

/** Bucket upper bounds in ms for latency histograms: dense where live systems sit, sparse beyond a second. */
export const LATENCY_BUCKETS_MS = [5, 10, 20, 33, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000] as const;

/** A cumulative histogram over fixed buckets, cheap to record into (one small loop) and to expose. */
export class BucketHistogram {
  readonly boundsMs: readonly number[];
  private readonly counts: Float64Array;
  count = 0;
  sumMs = 0;

  constructor(boundsMs: readonly number[] = LATENCY_BUCKETS_MS) {
    this.boundsMs = boundsMs;
    this.counts = new Float64Array(boundsMs.length);
  }

  record(valueMs: number): void {
    this.count++;
    this.sumMs += valueMs;
    for (let i = 0; i < this.boundsMs.length; i++) {
      if (valueMs <= (this.boundsMs[i] as number)) {
        this.counts[i] = (this.counts[i] ?? 0) + 1;
        return;
      }
    }
  }

  /** Observations <= each bound (cumulative, as Prometheus wants). */
  cumulative(): number[] {
    let total = 0;
    return Array.from(this.counts, (c) => (total += c));
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function num(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
}

/** Builds one exposition: declare a metric family, then add its samples. */
export class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels, value: number): this {
    this.lines.push(`${name}${labelText(labels)} ${num(value)}`);
    return this;
  }

  /** Samples of a histogram recorded in ms, exposed in seconds as Prometheus convention asks. */
  histogram(name: string, labels: Labels, histogram: BucketHistogram): this {
    const cumulative = histogram.cumulative();
    histogram.boundsMs.forEach((bound, i) => this.sample(`${name}_bucket`, { ...labels, le: String(bound / 1000) }, cumulative[i] ?? 0));
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, histogram.count);
    this.sample(`${name}_sum`, labels, histogram.sumMs / 1000);
    return this.sample(`${name}_count`, labels, histogram.count);
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
