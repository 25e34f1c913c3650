import { median, percentileSorted, theilSenSlope } from '../core/trend.ts';
import type { Arrival, ProbePhase, ProbeRecorder } from './recorder.ts';

/** One second of output. */
export interface ProbeWindow {
  startS: number;
  fps: number;
  p50Ms: number | null;
}

/** What one phase measured. */
export interface PhaseMetrics {
  phase: ProbePhase;
  targetFps: number;
  durationS: number;
  sent: number;
  received: number;
  /** Received frames matched to a sent frame (by id or beacon), as a fraction of received. */
  identifiedFraction: number;
  /** Received frames whose frame-ID code could be read, as a fraction of received. */
  readableFraction: number;
  /** Latency samples that came from beacon flashes (the code did not survive). */
  beaconSamples: number;
  /**
   * Sent frames that never came back although a later frame did: dropped. Null when too few returned frames carry
   * a readable frame-ID code to tell (a restyling system): then nobody knows which frames were dropped.
   */
  lost: number | null;
  latencyMs: { count: number; p50: number; p95: number; p99: number; max: number; mean: number };
  /** Mean absolute change of latency between consecutive matched frames. */
  jitterMs: number;
  windows: ProbeWindow[];
  medianFps: number;
  /** Share of windows at or above 0.8 x the target rate. */
  windowsAbove80: number;
  /** Theil-Sen slope of per-second median latency, with a bootstrap 95 % interval (null with under 3 windows). */
  driftMsPerS: number;
  driftCi: [number, number] | null;
  /** Median time between bursts when output arrives in bursts >= 4 frame periods apart; null when it flows. */
  chunkPeriodS: number | null;
  /** Time between consecutive returned frames, ms. */
  gapMs: { mean: number; std: number; p95: number; max: number };
  /**
   * Freezes as the W3C webrtc-stats define them on output arrival: a gap of at least max(3 x mean, mean + 150 ms),
   * the mean taken over the 30 gaps before it. Count, their summed length, and that as a share of the phase.
   */
  freezes: { count: number; totalMs: number; share: number; catchUps: number };
  reorders: number;
  duplicates: number;
}

/**
 * Freezes (W3C webrtc-stats definition) in a series of arrival times, ms: count, total frozen time, and how many were
 * followed by a catch-up burst (the frames held during the freeze arriving at once: most of the next 3 gaps under a
 * third of the usual gap).
 */
export function freezesIn(arrivalsMs: readonly number[]): { count: number; totalMs: number; catchUps: number } {
  const recent: number[] = [];
  let count = 0;
  let totalMs = 0;
  let catchUps = 0;
  for (let i = 1; i < arrivalsMs.length; i++) {
    const gap = (arrivalsMs[i] as number) - (arrivalsMs[i - 1] as number);
    if (recent.length >= 5) {
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      if (gap >= Math.max(3 * mean, mean + 150)) {
        count++;
        totalMs += gap;
        let quick = 0;
        for (let k = i + 1; k <= Math.min(arrivalsMs.length - 1, i + 3); k++) if ((arrivalsMs[k] as number) - (arrivalsMs[k - 1] as number) < mean / 3) quick++;
        if (quick >= 2) catchUps++;
        continue; // a freeze is not part of the normal cadence it is judged against
      }
    }
    recent.push(gap);
    if (recent.length > 30) recent.shift();
  }
  return { count, totalMs, catchUps };
}

const BOOTSTRAP_ROUNDS = 200;

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Bootstrap 95 % interval of the Theil-Sen slope, resampling windows (deterministic seed); null under 3 points. */
export function driftInterval(xs: number[], ys: number[], rounds = BOOTSTRAP_ROUNDS): [number, number] | null {
  if (xs.length < 3) return null;
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const slopes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const bx: number[] = [];
    const by: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      const k = Math.floor(next() * xs.length);
      bx.push(xs[k] as number);
      by.push(ys[k] as number);
    }
    slopes.push(theilSenSlope(bx, by));
  }
  slopes.sort((a, b) => a - b);
  return [percentileSorted(slopes, 2.5), percentileSorted(slopes, 97.5)];
}

/**
 * Bursts: arrivals separated by gaps of at least 4 frame periods, with the frames inside a burst arriving much
 * faster than the rate (a chunker releases what it held at once). Returns the median interval between burst starts.
 * A flowing stream with occasional stalls (a freeze, a late keyframe) has long gaps too, but its frames still arrive
 * one period apart between them: that is not chunking.
 */
export function chunkPeriod(arrivalsS: number[], fps: number): number | null {
  if (arrivalsS.length < 4) return null;
  const periodS = 1 / fps;
  const gap = 4 * periodS;
  const starts = [arrivalsS[0] as number];
  const inside: number[] = [];
  let gapTimeS = 0;
  for (let i = 1; i < arrivalsS.length; i++) {
    const d = (arrivalsS[i] as number) - (arrivalsS[i - 1] as number);
    if (d >= gap) {
      starts.push(arrivalsS[i] as number);
      gapTimeS += d;
    } else inside.push(d);
  }
  // Flowing output has few long gaps; bursts mean most frames share a burst with others.
  if (starts.length < 3 || starts.length > arrivalsS.length / 3) return null;
  const spanS = (arrivalsS[arrivalsS.length - 1] as number) - (arrivalsS[0] as number);
  // Most of the time is spent waiting between bursts, and a burst comes faster than the rate.
  if (spanS <= 0 || gapTimeS / spanS < 0.5 || median(inside) > 0.5 * periodS) return null;
  const periods = starts.slice(1).map((s, i) => s - (starts[i] as number));
  return median(periods);
}

/** Metrics of one phase: frames sent in [startNs, endNs) and what came back for them (and during them). */
export function analysePhase(rec: ProbeRecorder, phase: ProbePhase, fps: number, startNs: number, endNs: number): PhaseMetrics {
  const durationS = (endNs - startNs) / 1e9;
  let sent = 0;
  let lost = 0;
  for (let seq = 0; seq < rec.sentCount; seq++) {
    if (rec.phaseOf(seq) !== phase) continue;
    sent++;
    if (seq < rec.maxReceivedId && !rec.wasReceived(seq)) lost++;
  }
  const during = rec.arrivals.filter((a) => a.arrivedNs >= startNs && a.arrivedNs < endNs);
  const matched = rec.arrivals.filter((a): a is Arrival & { latencyMs: number } => a.phase === phase && a.latencyMs !== null);
  const latencies = matched.map((a) => a.latencyMs).sort((a, b) => a - b);
  const windowCount = Math.max(1, Math.floor(durationS));
  const windows: ProbeWindow[] = [];
  for (let w = 0; w < windowCount; w++) {
    const from = startNs + w * 1e9;
    const to = from + 1e9;
    const inWindow = during.filter((a) => a.arrivedNs >= from && a.arrivedNs < to);
    const lat = inWindow.filter((a) => a.latencyMs !== null).map((a) => a.latencyMs as number);
    windows.push({ startS: w, fps: inWindow.length, p50Ms: lat.length > 0 ? round(median(lat)) : null });
  }
  const withLatency = windows.filter((w): w is ProbeWindow & { p50Ms: number } => w.p50Ms !== null);
  const xs = withLatency.map((w) => w.startS);
  const ys = withLatency.map((w) => w.p50Ms);
  let jitter = 0;
  for (let i = 1; i < matched.length; i++)
    jitter += Math.abs((matched[i] as { latencyMs: number }).latencyMs - (matched[i - 1] as { latencyMs: number }).latencyMs);
  const ci = driftInterval(xs, ys);
  const arrivalMs = during.map((a) => a.arrivedNs / 1e6);
  const gaps = arrivalMs.slice(1).map((t, i) => t - (arrivalMs[i] as number));
  const gapMean = gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : 0;
  const gapStd = gaps.length > 1 ? Math.sqrt(gaps.reduce((a, g) => a + (g - gapMean) ** 2, 0) / (gaps.length - 1)) : 0;
  const sortedGaps = [...gaps].sort((a, b) => a - b);
  const frozen = freezesIn(arrivalMs);
  return {
    phase,
    targetFps: fps,
    durationS: round(durationS),
    sent,
    received: during.length,
    identifiedFraction: during.length > 0 ? round(during.filter((a) => a.via !== null).length / during.length) : 0,
    readableFraction: during.length > 0 ? round(during.filter((a) => a.id !== null).length / during.length) : 0,
    beaconSamples: matched.filter((a) => a.via === 'beacon').length,
    lost: during.length > 0 && during.filter((a) => a.id !== null).length / during.length >= 0.5 ? Math.min(lost, sent) : null,
    latencyMs: {
      count: latencies.length,
      p50: round(percentileSorted(latencies, 50)),
      p95: round(percentileSorted(latencies, 95)),
      p99: round(percentileSorted(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
      mean: round(latencies.length > 0 ? latencies.reduce((s, v) => s + v, 0) / latencies.length : 0),
    },
    jitterMs: round(matched.length > 1 ? jitter / (matched.length - 1) : 0),
    windows,
    medianFps: median(windows.map((w) => w.fps)),
    windowsAbove80: round(windows.filter((w) => w.fps >= 0.8 * fps).length / windows.length),
    driftMsPerS: round(theilSenSlope(xs, ys)),
    driftCi: ci ? [round(ci[0]), round(ci[1])] : null,
    chunkPeriodS: chunkPeriod(
      during.map((a) => (a.arrivedNs - startNs) / 1e9),
      fps,
    ),
    gapMs: { mean: round(gapMean), std: round(gapStd), p95: round(percentileSorted(sortedGaps, 95)), max: round(sortedGaps.at(-1) ?? 0) },
    freezes: {
      count: frozen.count,
      totalMs: round(frozen.totalMs),
      share: durationS > 0 ? round(frozen.totalMs / 1000 / durationS) : 0,
      catchUps: frozen.catchUps,
    },
    reorders: rec.reorders,
    duplicates: rec.duplicates,
  };
}
