import { Histogram } from './histogram.ts';
import type { Frame } from './frame.ts';
import { median, theilSenSlope } from './trend.ts';

/** Why a frame did not reach the sink. */
export type DropReason = 'deadline' | 'superseded' | 'stage-error' | 'filtered' | 'stopped';

/** Latency summary in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Per-stage processing time summary (ms). */
export interface StageTimes extends LatencySummary {
  name: string;
}

/** One second of output: when it was, how many frames left, their median latency. */
export interface StatsWindow {
  startS: number;
  fps: number;
  p50Ms: number;
}

/** A snapshot of a pipeline's measurements. */
export interface PipelineStats {
  framesIn: number;
  framesOut: number;
  dropped: number;
  dropsByReason: Partial<Record<DropReason, number>>;
  dropsByStage: Record<string, number>;
  durationS: number;
  fpsIn: number;
  fpsOut: number;
  /** Capture (or due time) to leaving the sink. */
  latencyMs: LatencySummary;
  stages: StageTimes[];
  /** Theil-Sen slope of per-second median latency over time, in ms per second: ~0 when live, > 0 when queueing. */
  driftMsPerS: number;
  windows: StatsWindow[];
}

const MAX_DRIFT_POINTS = 300;

/** Collects per-frame measurements from traces. Recording allocates nothing per frame. */
export class StatsCollector {
  private readonly latencyUs = new Histogram();
  private readonly stageUs: Histogram[];
  private readonly stageNames: readonly string[];
  private readonly drops = new Map<DropReason, number>();
  private readonly stageDrops = new Map<string, number>();
  private readonly windows: StatsWindow[] = [];
  private windowLatencies: number[] = [];
  private windowStartNs = 0;
  private windowFrames = 0;
  private startNs = Number.NaN;
  private lastNs = Number.NaN;
  private framesIn = 0;
  private framesOut = 0;

  constructor(stageNames: readonly string[]) {
    this.stageNames = stageNames;
    this.stageUs = stageNames.map(() => new Histogram());
  }

  /** Frames delivered so far (cheap, for progress). */
  get delivered(): number {
    return this.framesOut;
  }

  /** Start the clock (first frame in, or pipeline start). */
  start(nowNs: number): void {
    if (Number.isNaN(this.startNs)) {
      this.startNs = nowNs;
      this.windowStartNs = nowNs;
      this.lastNs = nowNs;
    }
  }

  /** A frame entered the pipeline. */
  frameIn(nowNs: number): void {
    this.start(nowNs);
    this.framesIn++;
    this.lastNs = Math.max(this.lastNs, nowNs);
  }

  /** A frame left the sink at `leaveNs`: record its latency and per-stage times from its trace. */
  frameOut(frame: Frame, leaveNs: number): void {
    this.start(leaveNs);
    this.rollWindows(leaveNs);
    this.framesOut++;
    this.lastNs = Math.max(this.lastNs, leaveNs);
    const latencyUs = (leaveNs - frame.captureNs) / 1e3;
    this.latencyUs.record(latencyUs);
    this.windowLatencies.push(latencyUs / 1e3);
    this.windowFrames++;
    for (let i = 0; i < frame.trace.length && i < this.stageUs.length; i++) {
      const took = frame.trace.leaveNs(i) - frame.trace.enterNs(i);
      if (took >= 0) this.stageUs[i]?.record(took / 1e3);
    }
  }

  /** A frame was dropped, at `stage` (a stage name, or "sink"/"source"). */
  drop(reason: DropReason, stage: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.stageDrops.set(stage, (this.stageDrops.get(stage) ?? 0) + 1);
  }

  private rollWindows(nowNs: number): void {
    while (nowNs - this.windowStartNs >= 1e9) {
      this.windows.push({
        startS: (this.windowStartNs - this.startNs) / 1e9,
        fps: this.windowFrames,
        p50Ms: median(this.windowLatencies),
      });
      this.windowLatencies.length = 0;
      this.windowFrames = 0;
      this.windowStartNs += 1e9;
    }
  }

  /** Current measurements; `nowNs` closes the time span (defaults to the last event seen). */
  snapshot(nowNs?: number): PipelineStats {
    const end = nowNs ?? this.lastNs;
    const durationS = Number.isNaN(this.startNs) ? 0 : Math.max(0, (end - this.startNs) / 1e9);
    const dropsByReason: Partial<Record<DropReason, number>> = {};
    for (const [reason, n] of this.drops) dropsByReason[reason] = n;
    const dropsByStage: Record<string, number> = {};
    for (const [stage, n] of this.stageDrops) dropsByStage[stage] = n;
    let dropped = 0;
    for (const n of this.drops.values()) dropped += n;
    return {
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      dropped,
      dropsByReason,
      dropsByStage,
      durationS,
      fpsIn: durationS > 0 ? this.framesIn / durationS : 0,
      fpsOut: durationS > 0 ? this.framesOut / durationS : 0,
      latencyMs: summarize(this.latencyUs),
      stages: this.stageNames.map((name, i) => ({ name, ...summarize(this.stageUs[i] as Histogram) })),
      driftMsPerS: driftOf(this.windows),
      windows: [...this.windows],
    };
  }
}

function summarize(h: Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1e3;
  return { count: h.count, p50: ms(h.percentile(50)), p95: ms(h.percentile(95)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean) };
}

/** Drift from full windows, skipping the first (start-up) window; long runs are merged into coarser windows. */
function driftOf(windows: readonly StatsWindow[]): number {
  const usable = windows.length >= 4 ? windows.slice(1) : windows;
  const full = usable.filter((w) => w.fps > 0);
  if (full.length < 3) return 0;
  const group = Math.ceil(full.length / MAX_DRIFT_POINTS);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < full.length; i += group) {
    const chunk = full.slice(i, i + group);
    xs.push(median(chunk.map((w) => w.startS)));
    ys.push(median(chunk.map((w) => w.p50Ms)));
  }
  return theilSenSlope(xs, ys);
}
