import { median, percentileSorted } from '../src/core/index.ts';

/** Median of repeated measurements. */
export const medianOf = median;

/** Nearest-rank percentile of unsorted samples. */
export function percentileOf(values: number[], p: number): number {
  return percentileSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/** A markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
