/**
 * Beacon flashes found in what a system returned, and matched to the flashes sent: latency for systems whose output
 * carries no readable frame-ID code (they restyle, recolour, invert, mirror, shift or blur the whole picture).
 *
 * Detection is sign-free and place-free: a flash is a short pulse of whole-picture change (the picture jumps, then
 * jumps back to what it was), measured as the mean absolute change of a coarse luma grid between returned frames.
 * An inverted system turns the flash dark, a recolouring one tints it, a mirror or a shift moves it: the pulse stays.
 * Matching does not assume the latency is shorter than the gap between flashes: the flash schedule is pseudo-random
 * (1.5-2.5 s apart), so the chain of received flashes whose latencies agree with each other (allowing a slow drift)
 * picks out the right sent flash for each, whatever the delay.
 */

/** Grid of luma cells each returned picture is reduced to. */
export const GRID_COLUMNS = 16;
export const GRID_ROWS = 12;

/** A returned frame, reduced for flash detection. */
export interface GridSample {
  arrivedNs: number;
  /** Mean luma of each grid cell, row by row (GRID_COLUMNS x GRID_ROWS values). */
  cells: Float32Array;
}

/** A flash seen in the output: the arrival index of its first changed frame. */
export interface DetectedFlash {
  index: number;
  arrivedNs: number;
  /** Mean absolute grid change at the onset, luma levels. */
  strength: number;
}

/** A received flash tied to the sent flash it shows. */
export interface FlashMatch {
  /** Arrival index of the returned frame that starts the flash. */
  index: number;
  /** Sequence number of the sent frame that started the flash. */
  sentSeq: number;
  latencyMs: number;
}

/** How flash matching went, for the report. */
export interface FlashMatchSummary {
  /** Flashes whose start was sent during the run (and could have come back). */
  sent: number;
  /** Pulses of whole-picture change found in the output. */
  detected: number;
  /** Detected pulses tied to a sent flash by a consistent chain of latencies. */
  matched: number;
  /** matched / detected: how much of what looked like a flash the schedule explains (1 = all). */
  confidence: number;
  /** Flashes the best chain that shares no pair with the chosen one explains: close to `matched` means ambiguous. */
  alternative: number;
}

/** Mean absolute difference of two grids, luma levels. */
export function gridChange(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * Pulses of whole-picture change: frame i differs from frame i-1 far more than the frames around it differ from
 * each other, and within `maxPulseFrames` the picture comes back close to frame i-1 (the flash ended).
 */
export function detectFlashes(samples: readonly GridSample[], maxPulseFrames = 8): DetectedFlash[] {
  const n = samples.length;
  if (n < 3) return [];
  const change = new Float64Array(n);
  for (let i = 1; i < n; i++) change[i] = gridChange((samples[i] as GridSample).cells, (samples[i - 1] as GridSample).cells);
  const found: DetectedFlash[] = [];
  const WINDOW = 15;
  for (let i = 1; i < n; i++) {
    const c = change[i] as number;
    if (c < 6) continue;
    // The usual change around this frame (motion, noise, a restyle's flicker): a flash stands far above it.
    const around: number[] = [];
    for (let k = Math.max(1, i - WINDOW); k <= Math.min(n - 1, i + WINDOW); k++) if (Math.abs(k - i) > maxPulseFrames) around.push(change[k] as number);
    const base = median(around);
    const spread = median(around.map((v) => Math.abs(v - base)));
    if (c < Math.max(3 * base, base + 8 * spread + 4)) continue;
    // The pulse must end: a later frame close to the one before the onset again.
    const before = (samples[i - 1] as GridSample).cells;
    let ended = false;
    for (let k = i + 1; k <= Math.min(n - 1, i + maxPulseFrames); k++) {
      if (gridChange((samples[k] as GridSample).cells, before) < Math.max(0.4 * c, base * 2 + 2)) {
        ended = true;
        break;
      }
    }
    if (!ended) continue;
    const last = found.at(-1);
    if (last && i - last.index <= maxPulseFrames) continue; // the end of the same flash
    found.push({ index: i, arrivedNs: (samples[i] as GridSample).arrivedNs, strength: c });
  }
  return found;
}

/** How matching is allowed to bend. */
export interface MatchOptions {
  /** Longest latency considered, ms (default 30 000). */
  maxLatencyMs?: number;
  /** Latency change allowed between consecutive matched flashes: this much (ms) ... */
  toleranceMs?: number;
  /** ... plus this many ms per second between them (a system that queues drifts; default 150). */
  driftMsPerS?: number;
}

/**
 * Tie detected flashes to sent flash onsets (their due times, ns, by sequence number). The longest chain of pairs in
 * order on both sides whose latencies change by at most `toleranceMs + driftMsPerS x gap` from one pair to the next
 * wins (dynamic programming over the candidate pairs). Pairs outside the chain (noise that looked like a flash,
 * flashes the system dropped) are left unmatched.
 */
export function matchFlashes(
  detected: readonly DetectedFlash[],
  sent: readonly { seq: number; dueNs: number }[],
  options: MatchOptions = {},
): { matches: FlashMatch[]; summary: FlashMatchSummary } {
  const maxNs = (options.maxLatencyMs ?? 30_000) * 1e6;
  const tolNs = (options.toleranceMs ?? 120) * 1e6;
  const driftPerS = (options.driftMsPerS ?? 150) * 1e6;
  let driftNsPerS = 0;
  /** A candidate pair; in a chain: its length, summed latency change, predecessor, and latency slope (ns per s) into it. */
  type Pair = { j: number; i: number; latNs: number; score: number; cost: number; prev: number; slope: number };
  const pairs: Pair[] = [];
  detected.forEach((d, j) => {
    sent.forEach((s, i) => {
      const lat = d.arrivedNs - s.dueNs;
      if (lat >= 0 && lat <= maxNs) pairs.push({ j, i, latNs: lat, score: 1, cost: 0, prev: -1, slope: 0 });
    });
  });
  const chain = (excluded: ReadonlySet<number>): number[] => {
    for (let p = 0; p < pairs.length; p++) {
      const a = pairs[p] as Pair;
      a.score = excluded.has(p) ? 0 : 1;
      a.cost = 0;
      a.prev = -1;
      a.slope = 0;
      if (excluded.has(p)) continue;
      const aNs = (detected[a.j] as DetectedFlash).arrivedNs;
      for (let q = 0; q < p; q++) {
        const b = pairs[q] as Pair;
        if (b.score === 0 || b.j >= a.j || b.i >= a.i) continue;
        const gapS = (aNs - (detected[b.j] as DetectedFlash).arrivedNs) / 1e9;
        // A drifting system drifts steadily: once a chain has a slope, the next latency must follow it (a chain shifted
        // by one flash jumps by random gap differences and cannot); a chain's first step may start any drift.
        const predicted = b.latNs + b.slope * gapS;
        const allowed = b.prev >= 0 && driftNsPerS > 0 ? tolNs + 0.25 * Math.abs(b.slope) * gapS : tolNs + driftNsPerS * gapS;
        if (Math.abs(a.latNs - predicted) > allowed) continue;
        // Longest chain; between equals, the one whose latencies vary least (noise that could stand in for a real
        // flash at a latency within the tolerance loses to the flash itself).
        const cost = b.cost + Math.abs(a.latNs - b.latNs);
        if (b.score + 1 > a.score || (b.score + 1 === a.score && cost < a.cost)) {
          a.score = b.score + 1;
          a.cost = cost;
          a.prev = q;
          a.slope = driftNsPerS > 0 && gapS > 0 ? (a.latNs - b.latNs) / gapS : 0;
        }
      }
    }
    let best = -1;
    for (let p = 0; p < pairs.length; p++) {
      const c = pairs[p] as Pair;
      const b = pairs[best];
      if (!b || c.score > b.score || (c.score === b.score && c.cost < b.cost)) best = p;
    }
    const out: number[] = [];
    for (let p = best; p >= 0 && (pairs[p] as Pair).score > 0; p = (pairs[p] as Pair).prev) out.unshift(p);
    return out;
  };
  // Pairs are ordered by detection, then sent flash: a pair's predecessors all come before it. A steady latency is
  // tried first (tight: a chain shifted by one flash changes latency by the random gap differences and breaks at once);
  // a drifting one only when that explains too little of what was detected.
  let chosen: number[] = [];
  let alternative = 0;
  for (const drift of [0, driftPerS]) {
    driftNsPerS = drift;
    chosen = pairs.length > 0 ? chain(new Set()) : [];
    alternative = chosen.length > 0 ? chain(new Set(chosen)).length : 0;
    if (chosen.length >= 0.6 * detected.length) break;
  }
  const matches = dropStrays(
    chosen.map((p) => {
      const pair = pairs[p] as Pair;
      return {
        index: (detected[pair.j] as DetectedFlash).index,
        arrivedNs: (detected[pair.j] as DetectedFlash).arrivedNs,
        sentSeq: (sent[pair.i] as { seq: number }).seq,
        latencyMs: pair.latNs / 1e6,
      };
    }),
  ).map(({ index, sentSeq, latencyMs }) => ({ index, sentSeq, latencyMs }));
  return {
    matches,
    summary: {
      sent: sent.length,
      detected: detected.length,
      matched: matches.length,
      confidence: detected.length > 0 ? Math.round((matches.length / detected.length) * 1000) / 1000 : 0,
      alternative,
    },
  };
}

/**
 * A chain can take in noise that happens to sit within the tolerance of the true latency. Each match is checked
 * against the line through its neighbours in the chain (so a steady drift passes): one that misses it by more than
 * max(45 ms, 4 x the median miss) is dropped.
 */
function dropStrays<M extends { arrivedNs: number; latencyMs: number }>(matches: M[]): M[] {
  if (matches.length < 5) return matches;
  const miss = matches.map((m, k) => {
    const a = matches[k - 1] ?? matches[k + 2];
    const b = matches[k + 1] ?? matches[k - 2];
    if (!a || !b || a.arrivedNs === b.arrivedNs) return 0;
    const expected = a.latencyMs + ((b.latencyMs - a.latencyMs) * (m.arrivedNs - a.arrivedNs)) / (b.arrivedNs - a.arrivedNs);
    return Math.abs(m.latencyMs - expected);
  });
  const limit = Math.max(45, 4 * median(miss));
  return matches.filter((_, k) => (miss[k] as number) <= limit);
}
