import { FramewiseError } from '../core/errors.ts';
import type { Category, VerdictThresholds } from './verdict.ts';

/** What a product needs, in the terms a product team knows. */
export interface Requirements {
  useCase: UseCase;
  /** Does a person see the output and react to it (a call, an avatar, a coach)? */
  interactive: boolean;
  /** Glass-to-glass budget in ms: from the camera seeing a moment to the viewer seeing it processed. */
  budgetMs: number;
  fps: number;
  width: number;
  height: number;
  /** Streams processed at once. */
  streams: number;
  /** How long one stream runs. */
  sessionS: number;
  /** One-way network time between the user and the processing site (ms). */
  networkMs: number;
}

/** Use cases with the defaults their products usually have. */
export type UseCase = 'video-call' | 'avatar' | 'fitness-coach' | 'broadcast-overlay' | 'monitoring' | 'content' | 'custom';

export const USE_CASES: Record<UseCase, { summary: string; defaults: Partial<Requirements> }> = {
  'video-call': { summary: 'background blur/replace or filters in a video call', defaults: { interactive: true, budgetMs: 150, fps: 30, sessionS: 3600 } },
  avatar: { summary: 'a face-driven avatar that mirrors the user', defaults: { interactive: true, budgetMs: 200, fps: 30, sessionS: 1800 } },
  'fitness-coach': { summary: 'pose coaching with rep counting and feedback', defaults: { interactive: true, budgetMs: 250, fps: 30, sessionS: 2700 } },
  'broadcast-overlay': {
    summary: 'detection overlays or effects on a live broadcast',
    defaults: { interactive: false, budgetMs: 1000, fps: 30, sessionS: 4 * 3600 },
  },
  monitoring: { summary: 'alerts or analytics on camera feeds', defaults: { interactive: false, budgetMs: 5000, fps: 15, sessionS: 24 * 3600 } },
  content: { summary: 'rendered clips: marketing video, highlight reels', defaults: { interactive: false, budgetMs: 600_000, fps: 30, sessionS: 60 } },
  custom: { summary: 'set every number yourself', defaults: {} },
};

/** One part of the glass-to-glass budget. */
export interface BudgetItem {
  stage: 'capture' | 'network' | 'decode' | 'inference' | 'encode' | 'jitter buffer' | 'display';
  ms: number;
  note: string;
}

/** The answer: which category is needed, how the budget splits, and what to probe with. */
export interface Scope {
  requirements: Requirements;
  category: Exclude<Category, 'INCONCLUSIVE'>;
  why: string;
  budget: BudgetItem[];
  /** ms per frame left for the model and effect, after everything else. */
  inferenceBudgetMs: number;
  /** Frames per second the processing site must sustain across all streams. */
  throughputFps: number;
  thresholds: Partial<VerdictThresholds>;
  /** Sustain length the probe should run to see drift that would matter over a session. */
  probeSustainS: number;
  /** False when the fixed costs alone exceed the budget: no system can meet it. */
  feasible: boolean;
  warnings: string[];
}

const round = (n: number): number => Math.round(n * 10) / 10;
const MIN_PROBE_DRIFT = 0.1;

/** Requirements for a use case, with explicit values overriding its defaults. */
export function requirementsFor(useCase: UseCase, explicit: Partial<Requirements>): Requirements {
  const base = USE_CASES[useCase];
  if (!base) throw new FramewiseError('invalid-argument', `unknown use case "${useCase}": use ${Object.keys(USE_CASES).join(', ')}`);
  const d = { interactive: false, budgetMs: 1000, fps: 30, width: 640, height: 480, streams: 1, sessionS: 600, networkMs: 25, ...base.defaults };
  const merged = { ...d, ...Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined)), useCase };
  for (const key of ['budgetMs', 'fps', 'width', 'height', 'streams', 'sessionS'] as const) {
    if (!(merged[key] > 0)) throw new FramewiseError('invalid-argument', `${key} must be > 0 (got ${merged[key]})`);
  }
  if (merged.networkMs < 0) throw new FramewiseError('invalid-argument', `networkMs must be >= 0 (got ${merged.networkMs})`);
  return merged;
}

/**
 * Turn requirements into the category needed, a per-stage budget and probe thresholds. The fixed costs come from
 * what was measured on this project's machines (BENCHMARKS.md, ../shared/FACTS.md): one frame of capture, a WebRTC
 * jitter buffer of ~25 ms, ~1 frame of display, and encode/decode times that grow with the picture.
 */
export function scope(req: Requirements): Scope {
  const frameMs = 1000 / req.fps;
  const megapixels = (req.width * req.height) / 1e6;
  const warnings: string[] = [];
  let category: Scope['category'];
  let why: string;
  if (req.interactive) {
    category = 'LIVE';
    why = 'a person reacts to the output, so every frame must come back within the budget for the whole session';
  } else if (req.budgetMs <= 1000) {
    category = 'LIVE';
    why = `the output is a live stream with a budget of ${req.budgetMs} ms`;
  } else if (req.budgetMs <= 10_000) {
    category = 'NEAR-LIVE';
    why = `the output may trail the input by up to ${req.budgetMs / 1000} s, but must keep up with it`;
  } else {
    category = 'GENERATION';
    why = 'nobody watches the output as it happens: clips can be rendered as jobs';
  }
  const budget: BudgetItem[] = [
    { stage: 'capture', ms: round(frameMs), note: 'a camera frame is exposed and delivered once per frame period' },
    { stage: 'network', ms: round(2 * req.networkMs), note: `up and back, ${req.networkMs} ms each way` },
    category === 'GENERATION'
      ? { stage: 'jitter buffer', ms: 0, note: 'none: results are downloaded, not streamed' }
      : { stage: 'jitter buffer', ms: 25, note: 'WebRTC receivers hold ~25 ms to smooth arrival (measured: 22-26 ms with VP8)' },
    { stage: 'decode', ms: round(Math.max(0.5, 2 * megapixels)), note: 'one-thread H.264/VP8 decode (frame threading would add 2 frames)' },
    { stage: 'encode', ms: round(Math.max(1, 4 * megapixels)), note: 'realtime encoder settings (x264 ultrafast/zerolatency, VP8 realtime)' },
    { stage: 'display', ms: round(frameMs / 2 + 16.7), note: 'half a frame of waiting plus one 60 Hz refresh' },
  ];
  const fixed = budget.reduce((sum, b) => sum + b.ms, 0);
  const inferenceBudgetMs = round(Math.min(req.budgetMs - fixed, category === 'GENERATION' ? Number.POSITIVE_INFINITY : req.budgetMs));
  budget.splice(4, 0, { stage: 'inference', ms: Math.max(0, inferenceBudgetMs), note: 'what is left for the model and the effect' });
  if (inferenceBudgetMs <= 0)
    warnings.push(
      `the fixed costs (${round(fixed)} ms) already exceed the ${req.budgetMs} ms budget: lower the network distance, the resolution, or raise the budget`,
    );
  else if (category !== 'GENERATION' && inferenceBudgetMs < frameMs)
    warnings.push(`inference must finish within ${inferenceBudgetMs} ms per frame, less than one frame period (${round(frameMs)} ms)`);
  if (category !== 'GENERATION' && inferenceBudgetMs > 0) {
    warnings.push(
      `to keep up, each stream needs a frame processed every ${round(frameMs)} ms: serial per-frame compute above that drops frames (live) or queues them (anything else)`,
    );
  }
  // Latency may not creep by more than the slack over a session: that bounds the drift a probe may accept.
  const slackMs = Math.max(1, category === 'GENERATION' ? req.budgetMs : Math.max(0, inferenceBudgetMs) / 2);
  const wantedDrift = slackMs / req.sessionS;
  // Below ~0.1 ms/s a probe of minutes cannot tell drift from noise, so the threshold stops there (with a warning).
  const maxDrift = Math.min(2, Math.max(MIN_PROBE_DRIFT, wantedDrift));
  // The probe times a frame from when it is sent to when it is back: everything but capture and display.
  const probeBudgetMs = round(req.budgetMs - (budget[0] as BudgetItem).ms - (budget.at(-1) as BudgetItem).ms);
  const drift = round(maxDrift * 1000) / 1000;
  const thresholds: Partial<VerdictThresholds> =
    category === 'GENERATION'
      ? {}
      : category === 'LIVE'
        ? { liveP95Ms: Math.max(1, probeBudgetMs), liveP50Ms: Math.max(1, round(probeBudgetMs * 0.7)), maxDriftMsPerS: drift }
        : { nearLiveP95Ms: Math.max(1, probeBudgetMs), maxDriftMsPerS: drift };
  if (category !== 'GENERATION' && wantedDrift < MIN_PROBE_DRIFT) {
    warnings.push(
      `over a ${round(req.sessionS / 60)} min session latency may grow by at most ${round(slackMs)} ms, i.e. ${wantedDrift.toFixed(4)} ms/s: a probe can only rule out ${MIN_PROBE_DRIFT} ms/s, so soak-test a full session as well`,
    );
  }
  return {
    requirements: req,
    category,
    why,
    budget,
    inferenceBudgetMs,
    throughputFps: req.fps * req.streams,
    thresholds,
    probeSustainS: Math.min(1800, Math.max(60, Math.round(Math.min(req.sessionS, 600) / 2))),
    feasible: inferenceBudgetMs > 0,
    warnings,
  };
}
