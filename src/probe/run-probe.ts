import { nowNs, sleepUntilNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { TestPatternSource } from '../io/test-pattern-source.ts';
import { analysePhase, type PhaseMetrics } from './analysis.ts';
import type { JobMeasurements } from './job-measurements.ts';
import { BeaconSchedule, paintFlash } from './beacon.ts';
import { type MatchingSummary, type ProbePhase, ProbeRecorder } from './recorder.ts';
import type { StimulusInfo, StreamTarget } from './targets/target.ts';
import type { ReceiverStats } from '../io/webrtc/receiver-stats.ts';
import { decide, DEFAULT_THRESHOLDS, type Verdict, type VerdictThresholds } from './verdict.ts';

/** How to probe a stream target. CLI defaults are long on purpose: drift needs minutes to show. */
export interface ProbeOptions {
  fps?: number;
  width?: number;
  height?: number;
  warmupS?: number;
  sustainS?: number;
  /** Seconds at 1.25 x the rate after the sustain phase (0 skips it). */
  overloadS?: number;
  /** Seconds to wait for stragglers after the last frame is sent. */
  drainS?: number;
  /** Start the target a second time to measure the warm time to first frame (default true). */
  measureWarm?: boolean;
  seed?: number;
  thresholds?: Partial<VerdictThresholds>;
  onProgress?: (p: ProbeProgress) => void;
  signal?: AbortSignal;
}

/** A once-a-second progress line. */
export interface ProbeProgress {
  phase: ProbePhase | 'drain';
  elapsedS: number;
  sent: number;
  received: number;
  lastLatencyMs: number | null;
}

/** Latency of one matched frame, for plots. */
export interface LatencySample {
  tS: number;
  latencyMs: number;
  phase: ProbePhase;
}

/** Everything a probe run found. */
export interface ProbeReport {
  /** `stream`: frames in, frames out. `job`: clips submitted to an HTTP job API. */
  kind: 'stream' | 'job';
  target: string;
  startedAt: string;
  stimulus: StimulusInfo;
  setup: { readyMs: number; coldFirstFrameMs: number | null; warmFirstFrameMs: number | null };
  phases: PhaseMetrics[];
  verdict: Verdict;
  thresholds: VerdictThresholds;
  samples: LatencySample[];
  refused: number;
  /** How returned frames were matched to sent ones: codes read, beacon flashes found and tied, their agreement. */
  matching?: MatchingSummary;
  job?: JobMeasurements;
  /** For WebRTC targets: what the receiving side reported (jitter buffer, dropped frames, freezes). */
  webrtc?: ReceiverStats;
}

const MAX_SAMPLES = 5000;

function stimulus(info: StimulusInfo, beacon: BeaconSchedule): TestPatternSource {
  return new TestPatternSource({
    width: info.width,
    height: info.height,
    fps: info.fps,
    paced: false,
    decorate: (frame: Frame) => {
      if (beacon.isLit(frame.seq)) paintFlash(frame);
    },
  });
}

/** Feed `target` camera-like frames through warm-up, sustain and overload phases, measure, and decide. */
export async function runProbe(target: StreamTarget, options: ProbeOptions = {}): Promise<ProbeReport> {
  const info: StimulusInfo = { width: options.width ?? 640, height: options.height ?? 480, fps: options.fps ?? 30 };
  const plan: { phase: ProbePhase; seconds: number; fps: number }[] = [
    { phase: 'warmup', seconds: options.warmupS ?? 5, fps: info.fps },
    { phase: 'sustain', seconds: options.sustainS ?? 60, fps: info.fps },
    { phase: 'overload', seconds: options.overloadS ?? 30, fps: info.fps * 1.25 },
  ];
  if (plan[1] && plan[1].seconds < 3)
    throw new FramewiseError('invalid-argument', 'the sustain phase needs at least 3 s (drift is measured over one-second windows)');
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const beacon = new BeaconSchedule(info.fps, options.seed ?? 1);
  const recorder = new ProbeRecorder(beacon);
  const startedAt = new Date().toISOString();
  const openedNs = nowNs();
  let firstArrivalNs: number | null = null;
  await target.open(info, (frame, arrivedNs, echoedId) => {
    firstArrivalNs ??= arrivedNs;
    recorder.markReceived(frame, arrivedNs, echoedId);
  });
  const readyMs = (nowNs() - openedNs) / 1e6;
  const source = stimulus(info, beacon);
  await source.open();
  const spans: { phase: ProbePhase; fps: number; startNs: number; endNs: number }[] = [];
  let cursorNs = nowNs() + 20e6;
  const firstDueNs = cursorNs;
  let lastReport = 0;
  const report = (phase: ProbePhase | 'drain'): void => {
    const now = nowNs();
    if (!options.onProgress || now - lastReport < 1e9) return;
    lastReport = now;
    const last = recorder.arrivals.at(-1);
    options.onProgress({
      phase,
      elapsedS: (now - firstDueNs) / 1e9,
      sent: recorder.sentCount,
      received: recorder.arrivals.length,
      lastLatencyMs: last?.latencyMs ?? null,
    });
  };
  try {
    for (const step of plan) {
      if (step.seconds <= 0) continue;
      const startNs = cursorNs;
      const count = Math.round(step.seconds * step.fps);
      for (let k = 0; k < count && !options.signal?.aborted; k++) {
        const dueNs = startNs + (k * 1e9) / step.fps;
        await sleepUntilNs(dueNs, options.signal);
        const frame = await source.read();
        if (!frame) break;
        frame.captureNs = dueNs;
        recorder.markSent(frame.seq, dueNs, step.phase);
        target.send(frame);
        frame.release();
        report(step.phase);
      }
      cursorNs = startNs + (count * 1e9) / step.fps;
      spans.push({ phase: step.phase, fps: step.fps, startNs, endNs: cursorNs });
    }
    const drainUntil = nowNs() + (options.drainS ?? 3) * 1e9;
    while (nowNs() < drainUntil && recorder.maxReceivedId < recorder.sentCount - 1 && !options.signal?.aborted) {
      await sleepUntilNs(Math.min(drainUntil, nowNs() + 50e6), options.signal);
      report('drain');
    }
  } finally {
    await target.close();
    await source.close();
  }
  const warmFirstFrameMs = options.measureWarm === false ? null : await measureWarmStart(target, info, thresholds.generationFirstFrameMs + 5000);
  const matching = recorder.finish();
  const coldFirstFrameMs = firstArrivalNs === null ? null : Math.round(((firstArrivalNs as number) - firstDueNs) / 1e5) / 10;
  const phases = spans.map((s) => analysePhase(recorder, s.phase, s.fps, s.startNs, s.endNs));
  const sustain = phases.find((p) => p.phase === 'sustain') as PhaseMetrics;
  const matched = recorder.arrivals.filter((a) => a.latencyMs !== null && a.phase !== null);
  const step = Math.max(1, Math.ceil(matched.length / MAX_SAMPLES));
  return {
    kind: 'stream',
    target: target.name,
    startedAt,
    stimulus: info,
    setup: {
      readyMs: Math.round(readyMs * 10) / 10,
      coldFirstFrameMs,
      warmFirstFrameMs,
    },
    phases,
    verdict: decide(
      {
        sustain,
        warmFirstFrameMs,
        coldFirstFrameMs,
        flashConfidence: matching.byFlash.detected > 0 ? matching.byFlash.confidence : null,
        failure: target.error ?? null,
      },
      thresholds,
    ),
    thresholds,
    samples: matched
      .filter((_, i) => i % step === 0)
      .map((a) => ({
        tS: Math.round((a.arrivedNs - firstDueNs) / 1e6) / 1e3,
        latencyMs: Math.round((a.latencyMs as number) * 1000) / 1000,
        phase: a.phase as ProbePhase,
      })),
    refused: target.refused,
    matching,
    ...(target.receiverStats ? { webrtc: target.receiverStats } : {}),
  };
}

/** Start the target again and time the first frame back: the warm start. Null when none came within `limitMs`. */
async function measureWarmStart(target: StreamTarget, info: StimulusInfo, limitMs: number): Promise<number | null> {
  let firstNs: number | null = null;
  await target.open(info, (_frame, arrivedNs) => {
    firstNs ??= arrivedNs;
  });
  const source = stimulus(info, new BeaconSchedule(info.fps, 7));
  await source.open();
  const startNs = nowNs();
  try {
    for (let k = 0; firstNs === null && nowNs() - startNs < limitMs * 1e6; k++) {
      await sleepUntilNs(startNs + (k * 1e9) / info.fps);
      const frame = await source.read();
      if (!frame) break;
      target.send(frame);
      frame.release();
    }
  } finally {
    await target.close();
    await source.close();
  }
  return firstNs === null ? null : Math.round(((firstNs as number) - startNs) / 1e5) / 10;
}
