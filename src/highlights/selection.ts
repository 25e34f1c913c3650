import { FramewiseError } from '../core/errors.ts';
import type { ScoredSecond } from './scoring.ts';
import { TICK_S } from './signals.ts';

/** How clips are chosen. */
export interface SelectionOptions {
  /** Target length of the reel, s: the clips (with their margins) never add up to more. */
  lengthS: number;
  /** Shortest clip core, s (default 3). */
  minClipS?: number;
  /** Longest clip core, s (default 15). */
  maxClipS?: number;
  /** Lead-in and lead-out around each core, s (default 1): each end moves to the calmest moment within it. */
  marginS?: number;
  /** Seconds scoring below this count against a clip (default 0.2): a reel may end up shorter than asked for rather than show nothing happening. */
  minScore?: number;
}

/** A chosen piece of the video. */
export interface ChosenClip {
  /** What plays, s of media time (margins included, on picture boundaries of the tick grid). */
  startS: number;
  endS: number;
  /** The seconds the selection chose for their score. */
  coreStartS: number;
  coreEndS: number;
  /** Index of its shot. */
  shot: number;
}

/** Cells of the selection table beyond which seconds are grouped into longer slots. */
const MAX_CELLS = 20_000_000;

/**
 * Choose clips to fill `lengthS` with the best-scoring seconds: a knapsack over the video's shots, solved exactly by
 * dynamic programming over time slots and used length (each clip lies inside one shot, is minClipS..maxClipS long,
 * costs its length plus its margins, and is worth the sum of its seconds' score above `minScore`; clips are at
 * least a slot apart). Each chosen core then gets its lead-in and lead-out, their ends moved to the calmest tick
 * (least picture change) within the margin and inside the shot, so a clip starts and ends between actions.
 */
export function chooseClips(
  seconds: readonly ScoredSecond[],
  shotStartsS: readonly number[],
  durationS: number,
  motionTicks: readonly number[],
  options: SelectionOptions,
): ChosenClip[] {
  const minClip = options.minClipS ?? 3;
  const maxClip = Math.max(minClip, options.maxClipS ?? 15);
  const margin = options.marginS ?? 1;
  const minScore = options.minScore ?? 0.2;
  if (!(options.lengthS > 0)) throw new FramewiseError('invalid-argument', `the reel length must be more than 0 s (got ${options.lengthS})`);
  if (!(minClip > 0) || !(margin >= 0)) throw new FramewiseError('invalid-argument', 'clip lengths must be more than 0 s and margins at least 0 s');
  const n = seconds.length;
  // Slot size: whole seconds unless the table would be too large (hours of video into a long reel).
  const slotS = Math.max(1, Math.ceil(Math.sqrt((n * options.lengthS) / MAX_CELLS)));
  const slots = Math.ceil(n / slotS);
  const capacity = Math.floor(options.lengthS / slotS);
  const marginCost = Math.ceil((2 * margin) / slotS);
  const minL = Math.max(1, Math.ceil(minClip / slotS));
  const maxL = Math.max(minL, Math.floor(maxClip / slotS));
  const value = new Float64Array(slots);
  for (const s of seconds) value[Math.floor(s.t / slotS)] = (value[Math.floor(s.t / slotS)] as number) + (s.score - minScore);
  const prefix = new Float64Array(slots + 1);
  for (let i = 0; i < slots; i++) prefix[i + 1] = (prefix[i] as number) + (value[i] as number);
  // The slot after the last slot of each slot's shot (a slot belongs to the shot its middle falls in).
  const shotEnd = new Int32Array(slots);
  const shotOf = (timeS: number): number => {
    let k = 0;
    while (k + 1 < shotStartsS.length && (shotStartsS[k + 1] as number) <= timeS) k++;
    return k;
  };
  for (let i = slots - 1; i >= 0; i--) {
    const next = i + 1 < slots && shotOf((i + 1.5) * slotS) === shotOf((i + 0.5) * slotS) ? (shotEnd[i + 1] as number) : i + 1;
    shotEnd[i] = next;
  }
  // best[t][c]: the most value from slots t.. with c slots of length left; choice: the clip length taken at t, or 0.
  const width = capacity + 1;
  const best = new Float64Array((slots + 2) * width);
  const choice = new Uint16Array((slots + 1) * width);
  for (let t = slots - 1; t >= 0; t--) {
    for (let c = 0; c <= capacity; c++) {
      let top = best[(t + 1) * width + c] as number;
      let took = 0;
      const longest = Math.min(maxL, (shotEnd[t] as number) - t, c - marginCost);
      for (let L = minL; L <= longest; L++) {
        const after = Math.min(slots + 1, t + L + 1);
        const v = (prefix[t + L] as number) - (prefix[t] as number) + (best[after * width + c - L - marginCost] as number);
        if (v > top + 1e-9) {
          top = v;
          took = L;
        }
      }
      best[t * width + c] = top;
      choice[t * width + c] = took;
    }
  }
  const cores: { start: number; end: number }[] = [];
  for (let t = 0, c = capacity; t < slots;) {
    const L = choice[t * width + c] as number;
    if (L === 0) {
      t++;
      continue;
    }
    cores.push({ start: t * slotS, end: Math.min(n, (t + L) * slotS) });
    c -= L + marginCost;
    t += L + 1;
  }
  return cores.map((core, i) => {
    const shot = shotOf(core.start + 0.5);
    const shotStart = shotStartsS[shot] as number;
    const shotStop = Math.min(durationS, shotStartsS[shot + 1] ?? durationS);
    const prevEnd = i > 0 ? (cores[i - 1] as { end: number }).end : 0;
    const nextStart = i + 1 < cores.length ? (cores[i + 1] as { start: number }).start : durationS;
    const startS = calmest(motionTicks, Math.max(shotStart, prevEnd, core.start - margin), core.start, 'earlier');
    const endS = calmest(motionTicks, Math.min(shotStop, durationS, core.end), Math.min(shotStop, nextStart, core.end + margin), 'later');
    return { startS: Math.max(shotStart, startS), endS: Math.min(shotStop, endS), coreStartS: core.start, coreEndS: core.end, shot };
  });
}

/** The tick boundary in [fromS, toS] with the least picture change around it; ties go `prefer` (more lead-in or lead-out). */
function calmest(motion: readonly number[], fromS: number, toS: number, prefer: 'earlier' | 'later'): number {
  const first = Math.ceil(fromS / TICK_S - 1e-9);
  const last = Math.floor(toS / TICK_S + 1e-9);
  if (last < first) return prefer === 'earlier' ? toS : fromS;
  let bestTick = prefer === 'earlier' ? last : first;
  let bestMotion = Number.POSITIVE_INFINITY;
  for (let k = first; k <= last; k++) {
    const around = Math.max(motion[k - 1] ?? 0, motion[k] ?? 0);
    const better = around < bestMotion - 1e-6 || (Math.abs(around - bestMotion) <= 1e-6 && (prefer === 'earlier' ? k < bestTick : k > bestTick));
    if (better) {
      bestMotion = around;
      bestTick = k;
    }
  }
  return Math.round(bestTick * TICK_S * 1000) / 1000;
}
