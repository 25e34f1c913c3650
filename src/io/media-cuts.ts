import { FramewiseError } from '../core/errors.ts';

/** A piece of an input's timeline, µs of its media time: [fromUs, toUs). */
export interface MediaCut {
  fromUs: number;
  toUs: number;
}

/** Refuse cut lists that are empty, reversed or overlapping (they must be in order, each one after the last). */
export function checkCuts(cuts: readonly MediaCut[]): void {
  if (cuts.length === 0) throw new FramewiseError('invalid-argument', 'there are no cuts to play');
  let last = Number.NEGATIVE_INFINITY;
  for (const cut of cuts) {
    if (!Number.isFinite(cut.fromUs) || !Number.isFinite(cut.toUs) || cut.fromUs < 0 || cut.toUs <= cut.fromUs || cut.fromUs < last)
      throw new FramewiseError('invalid-argument', `cut ${cut.fromUs}-${cut.toUs} µs is empty, negative or overlaps the one before it`);
    last = cut.toUs;
  }
}

/** Media time of the cuts played one after another, µs. */
export function cutsDurationUs(cuts: readonly MediaCut[]): number {
  return cuts.reduce((sum, c) => sum + (c.toUs - c.fromUs), 0);
}

/**
 * Where input media time `inputUs` lands in the output that plays the cuts back to back: inside a cut, its place
 * there; between cuts (or before the first), the start of the next one; after the last, the output's end.
 */
export function outputTimeUs(cuts: readonly MediaCut[], inputUs: number): number {
  let offset = 0;
  for (const cut of cuts) {
    if (inputUs < cut.fromUs) return offset;
    if (inputUs < cut.toUs) return offset + (inputUs - cut.fromUs);
    offset += cut.toUs - cut.fromUs;
  }
  return offset;
}

/**
 * An FFmpeg audio filter graph that keeps only the cuts, sample-exact, and plays them back to back with no gap:
 * the input split once per cut, each branch trimmed (`atrim`) and restarted at 0, then `concat`enated.
 */
export function audioCutsFilter(cuts: readonly MediaCut[]): string {
  checkCuts(cuts);
  const seconds = (us: number): string => (us / 1e6).toFixed(6);
  if (cuts.length === 1) {
    const [only] = cuts as [MediaCut];
    return `atrim=start=${seconds(only.fromUs)}:end=${seconds(only.toUs)},asetpts=PTS-STARTPTS`;
  }
  const labels = cuts.map((_, i) => `c${i}`);
  const split = `asplit=${cuts.length}${labels.map((l) => `[${l}]`).join('')}`;
  const trims = cuts.map((c, i) => `[c${i}]atrim=start=${seconds(c.fromUs)}:end=${seconds(c.toUs)},asetpts=PTS-STARTPTS[t${i}]`);
  return `${split};${trims.join(';')};${labels.map((_, i) => `[t${i}]`).join('')}concat=n=${cuts.length}:v=0:a=1`;
}
