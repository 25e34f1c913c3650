import type { PhaseMetrics } from './analysis.ts';

/** The category a system falls in. */
export type Category = 'LIVE' | 'NEAR-LIVE' | 'GENERATION' | 'INCONCLUSIVE';

/** Thresholds of the verdict; every one can be changed (`framewise scope` derives them from requirements). */
export interface VerdictThresholds {
  liveP50Ms: number;
  liveP95Ms: number;
  /** Upper bound of the drift interval a live system may have. */
  maxDriftMsPerS: number;
  /** Lower bound of the drift interval from which a system that drops nothing is queueing (GENERATION). */
  queueDriftMsPerS: number;
  liveWarmFirstFrameMs: number;
  nearLiveP95Ms: number;
  /** Chunk period from which output counts as chunked generation rather than a stream. */
  nearLiveChunkS: number;
  generationFirstFrameMs: number;
  minIdentified: number;
  minSamples: number;
  /** Beacon flashes needed when the frame-ID code does not survive. */
  minBeaconSamples: number;
  /** Widest 95 % drift interval (ms/s) a verdict may rest on; wider means the run did not pin the trend down. */
  maxDriftIntervalMsPerS: number;
  /** Share of the time frozen (W3C freezes) from which a stream is flagged as freezing, whatever its category. */
  maxFreezeShare: number;
  /** Standard deviation of the gaps between returned frames, in frame periods, above which output is flagged as jittery. */
  maxGapJitter: number;
  /** Mean change of latency from one frame to the next, in frame periods, above which output is flagged as jittery. */
  maxLatencyJitter: number;
  /** A cold first frame slower than this is flagged (the system takes seconds to start). */
  slowFirstFrameMs: number;
  /** Least share of detected flashes the flash schedule must explain for latencies from flashes to count. */
  minFlashConfidence: number;
}

/** Defaults from the product definition of live (see the README's Probe section). */
export const DEFAULT_THRESHOLDS: VerdictThresholds = {
  liveP50Ms: 500,
  liveP95Ms: 1000,
  maxDriftMsPerS: 2,
  queueDriftMsPerS: 2,
  liveWarmFirstFrameMs: 3000,
  nearLiveP95Ms: 10_000,
  nearLiveChunkS: 0.5,
  generationFirstFrameMs: 10_000,
  minIdentified: 0.8,
  minSamples: 20,
  minBeaconSamples: 5,
  maxDriftIntervalMsPerS: 10,
  maxFreezeShare: 0.01,
  maxGapJitter: 0.35,
  maxLatencyJitter: 0.15,
  slowFirstFrameMs: 2000,
  minFlashConfidence: 0.6,
};

/** The decision and the numbers behind it. */
export interface Verdict {
  category: Category;
  /** Plain-words reasons, each with the number that decided it. */
  reasons: string[];
  /** Remarks that do not change the category (low fps, chunked, overload behaviour). */
  flags: string[];
}

/** Facts beside the sustain phase that the verdict uses. */
export interface VerdictInputs {
  /** The sustain phase of a stream probe (absent for job APIs). */
  sustain?: PhaseMetrics;
  warmFirstFrameMs: number | null;
  /** Time from the first frame sent to the first frame back, on the first (cold) start. */
  coldFirstFrameMs?: number | null;
  /** Flash matching, when latencies came from beacon flashes: how much of what was detected the schedule explains. */
  flashConfidence?: number | null;
  /** For job APIs: whether any media came back before the job completed, and the real-time factor. */
  job?: { streamedBeforeDone: boolean; realTimeFactor: number };
  /** The target's own failure during the run (it exited, closed, threw), or null. */
  failure?: string | null;
}

const ms = (n: number): string => `${Math.round(n)} ms`;

/**
 * Decide LIVE / NEAR-LIVE / GENERATION / INCONCLUSIVE from measured numbers. A target that failed during the run
 * is INCONCLUSIVE with its failure as the first reason (what was measured before follows): its numbers describe a
 * system that stopped working.
 */
export function decide(input: VerdictInputs, t: VerdictThresholds = DEFAULT_THRESHOLDS): Verdict {
  const measured = decideMeasured(input, t);
  if (!input.failure) return measured;
  return {
    category: 'INCONCLUSIVE',
    reasons: [`the target failed during the run: ${input.failure}`, ...measured.reasons.map((r) => `before that: ${r}`)],
    flags: measured.flags,
  };
}

function decideMeasured(input: VerdictInputs, t: VerdictThresholds): Verdict {
  const flags: string[] = [];
  if (input.job) {
    const { streamedBeforeDone, realTimeFactor } = input.job;
    const reasons = [`real-time factor ${realTimeFactor.toFixed(2)} (time to a playable result / length of the result)`];
    if (!streamedBeforeDone) reasons.push('no media came back before the job completed');
    if (!streamedBeforeDone || realTimeFactor > 1) return { category: 'GENERATION', reasons, flags };
    return { category: 'NEAR-LIVE', reasons: [...reasons, 'streams results, faster than real time'], flags };
  }
  const s = input.sustain;
  if (!s) return { category: 'INCONCLUSIVE', reasons: ['nothing was measured'], flags };
  const F = s.targetFps;
  if (s.received === 0) return { category: 'INCONCLUSIVE', reasons: [`no frame came back in ${s.durationS} s of sending ${s.sent} frames`], flags };
  if (s.readableFraction < t.minIdentified) {
    // The frame-ID code did not survive (a restyling system): fall back on the beacon flashes, if enough came back.
    if (s.beaconSamples < t.minBeaconSamples) {
      return {
        category: 'INCONCLUSIVE',
        reasons: [
          `only ${(s.readableFraction * 100).toFixed(0)} % of returned frames carried a readable frame-ID code (need ${t.minIdentified * 100} %), and only ${s.beaconSamples} beacon flashes were seen (need ${t.minBeaconSamples})`,
        ],
        flags,
      };
    }
    const confidence = input.flashConfidence ?? null;
    if (confidence !== null && confidence < t.minFlashConfidence)
      return {
        category: 'INCONCLUSIVE',
        reasons: [
          `the frame-ID codes did not survive and only ${(confidence * 100).toFixed(0)} % of the flashes found in the output fit the flash schedule (need ${(t.minFlashConfidence * 100).toFixed(0)} %): the output changes too much on its own to tell the flashes apart`,
        ],
        flags,
      };
    flags.push(
      `frame-ID codes did not survive (${(s.readableFraction * 100).toFixed(0)} % readable): latency comes from ${s.beaconSamples} beacon flashes${confidence === null ? '' : ` (${(confidence * 100).toFixed(0)} % of the flashes found fit the schedule)`}`,
    );
  }
  // Percentiles from a handful of samples are not evidence: p95 of 8 values is the largest of them.
  if (s.latencyMs.count < t.minSamples)
    return {
      category: 'INCONCLUSIVE',
      reasons: [
        `only ${s.latencyMs.count} latency samples (need ${t.minSamples} for percentiles)${s.readableFraction < t.minIdentified ? ': few beacon flashes came back; probe longer (--duration)' : ''}`,
      ],
      flags,
    };
  if (!s.driftCi) return { category: 'INCONCLUSIVE', reasons: [`only ${s.windows.length} one-second windows: drift needs at least 3 (probe longer)`], flags };
  const [driftLo, driftHi] = s.driftCi;
  const lossRate = s.sent > 0 && s.lost !== null ? s.lost / s.sent : 0;
  const warm = input.warmFirstFrameMs;
  const freezing = s.freezes.count > 0 && s.freezes.share > t.maxFreezeShare;
  const catchUp =
    s.freezes.catchUps > s.freezes.count / 2 ? '; after most, the held frames come back at once (catch-up bursts)' : '; what came in meanwhile is not shown';
  if (freezing)
    flags.push(
      `freezes: ${s.freezes.count} (W3C definition: a gap of at least max(3 x mean, mean + 150 ms)), ${(s.freezes.totalMs / 1000).toFixed(2)} s frozen, ${(s.freezes.share * 100).toFixed(1)} % of the time (> ${(t.maxFreezeShare * 100).toFixed(1)} %)${catchUp}`,
    );
  else if (s.freezes.count > 0) flags.push(`freezes: ${s.freezes.count}, ${(s.freezes.totalMs / 1000).toFixed(2)} s frozen in all`);
  const periodMs = 1000 / F;
  // Freezes explain the variation in gaps and latency when there are any: jitter is the variation of a flowing stream.
  if (!freezing && s.chunkPeriodS === null && (s.gapMs.std > t.maxGapJitter * periodMs || s.jitterMs > t.maxLatencyJitter * periodMs))
    flags.push(
      `jitter: latency changes ${s.jitterMs.toFixed(1)} ms from one frame to the next on average (${(s.jitterMs / periodMs).toFixed(2)} frame periods), gaps between frames vary by ${s.gapMs.std.toFixed(1)} ms (standard deviation), not in bursts`,
    );
  if (s.reorders > 0) flags.push(`reorders: ${s.reorders} frames came back after a later one`);
  if (s.duplicates > 0) flags.push(`duplicates: ${s.duplicates} frames came back more than once`);
  if (input.coldFirstFrameMs !== undefined && input.coldFirstFrameMs !== null && input.coldFirstFrameMs > t.slowFirstFrameMs)
    flags.push(`slow first frame: the first frame took ${(input.coldFirstFrameMs / 1000).toFixed(1)} s to come back (cold start)`);
  if (s.medianFps < 0.95 * F || s.windowsAbove80 < 0.95)
    flags.push(`low fps: median ${s.medianFps} of ${F} per second, ${(s.windowsAbove80 * 100).toFixed(0)} % of seconds at >= ${0.8 * F}`);
  if (lossRate > 0.01) flags.push(`drops ${(lossRate * 100).toFixed(1)} % of frames`);

  const generation: string[] = [];
  if (warm !== null && warm > t.generationFirstFrameMs) generation.push(`warm first frame ${ms(warm)} > ${ms(t.generationFirstFrameMs)}`);
  if (s.latencyMs.p95 > t.nearLiveP95Ms) generation.push(`p95 latency ${ms(s.latencyMs.p95)} > ${ms(t.nearLiveP95Ms)}`);
  if (driftLo > t.queueDriftMsPerS && lossRate <= 0.01)
    generation.push(
      `latency grows ${s.driftMsPerS.toFixed(1)} ms every second (95 % interval ${driftLo.toFixed(1)} to ${driftHi.toFixed(1)}) without dropping frames: it queues`,
    );
  if (generation.length > 0) return { category: 'GENERATION', reasons: generation, flags };
  const chunked = s.chunkPeriodS !== null;
  if (chunked) flags.push(`chunked: output arrives in bursts every ${(s.chunkPeriodS as number).toFixed(2)} s`);
  const live: string[] = [
    `p50 latency ${ms(s.latencyMs.p50)} (<= ${ms(t.liveP50Ms)})`,
    `p95 latency ${ms(s.latencyMs.p95)} (<= ${ms(t.liveP95Ms)})`,
    `drift ${s.driftMsPerS.toFixed(2)} ms/s, upper bound ${driftHi.toFixed(2)} (<= ${t.maxDriftMsPerS})`,
  ];
  if (warm !== null) live.push(`warm first frame ${ms(warm)} (<= ${ms(t.liveWarmFirstFrameMs)})`);
  const nearWithoutDrift: string[] = [];
  if (s.latencyMs.p95 > t.liveP95Ms) nearWithoutDrift.push(`p95 latency ${ms(s.latencyMs.p95)} is above ${ms(t.liveP95Ms)} but within ${ms(t.nearLiveP95Ms)}`);
  if (s.latencyMs.p50 > t.liveP50Ms) nearWithoutDrift.push(`p50 latency ${ms(s.latencyMs.p50)} is above ${ms(t.liveP50Ms)}`);
  if (chunked && (s.chunkPeriodS as number) >= t.nearLiveChunkS)
    nearWithoutDrift.push(`output comes in chunks every ${(s.chunkPeriodS as number).toFixed(2)} s (>= ${t.nearLiveChunkS} s)`);
  if (warm !== null && warm > t.liveWarmFirstFrameMs) nearWithoutDrift.push(`warm first frame ${ms(warm)} is above ${ms(t.liveWarmFirstFrameMs)}`);
  // Below the queueing threshold, LIVE needs the trend pinned down: a wide interval could hide a queue. (NEAR-LIVE
  // from chunks or latency above the live limits stands on its own.)
  if (driftHi - driftLo > t.maxDriftIntervalMsPerS && nearWithoutDrift.length === 0)
    return {
      category: 'INCONCLUSIVE',
      reasons: [
        `the drift is not pinned down: its 95 % interval ${driftLo.toFixed(2)} to ${driftHi.toFixed(2)} ms/s is ${(driftHi - driftLo).toFixed(1)} ms/s wide (at most ${t.maxDriftIntervalMsPerS}), from ${s.windows.filter((w) => w.p50Ms !== null).length} seconds with latency samples: probe longer (--duration)`,
      ],
      flags,
    };

  const isLive =
    s.latencyMs.p50 <= t.liveP50Ms &&
    s.latencyMs.p95 <= t.liveP95Ms &&
    driftHi <= t.maxDriftMsPerS &&
    (warm === null || warm <= t.liveWarmFirstFrameMs) &&
    !(chunked && (s.chunkPeriodS as number) >= t.nearLiveChunkS);
  if (isLive) return { category: 'LIVE', reasons: live, flags };

  const near = [...nearWithoutDrift];
  if (driftHi > t.maxDriftMsPerS) near.push(`drift upper bound ${driftHi.toFixed(2)} ms/s is above ${t.maxDriftMsPerS}`);
  return { category: 'NEAR-LIVE', reasons: near, flags };
}
