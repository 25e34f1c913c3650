import type { Normalisation, ScoredSecond, SignalWeights } from './scoring.ts';
import type { ChosenClip } from './selection.ts';
import { type HighlightSignals, SIGNALS, type SignalName, TICK_S } from './signals.ts';

/** A clip of the reel, with why it was chosen. */
export interface ReelClip extends ChosenClip {
  /** Place in the reel, s. */
  reelStartS: number;
  lengthS: number;
  /** Mean score of its core seconds, 0..1. */
  score: number;
  /** The core second that scored highest. */
  peakS: number;
  /** Mean of each signal (0..1) over the core; null when not measured. */
  signals: Record<SignalName, number | null>;
  /** Share of the score each signal brought (weight x value / sum of weights). */
  contributions: Record<SignalName, number>;
  /** The same in words, largest first. */
  why: string;
}

/** Everything a highlights run decided, and the evidence: written as JSON beside the reel, and drawn as HTML. */
export interface HighlightsReport {
  /** What the input was called (a file name, never a server path). */
  input: string;
  durationS: number;
  width: number;
  height: number;
  fps: number;
  targetS: number;
  reelS: number;
  /** Signals measured, and the weight each had. */
  weights: Record<SignalName, number>;
  modelFps: number;
  normalisation: Normalisation;
  shots: { startS: number; endS: number }[];
  clips: ReelClip[];
  /** Every second: its normalised signals and score. */
  seconds: ScoredSecond[];
  /** Raw values per second for the plot: mean motion, peak loudness (LUFS), mean people, mean pose activity. */
  raw: { motion: number[]; loudnessLufs: number[] | null; people: number[] | null; pose: number[] | null };
  timings: { analysisS: number; renderS: number; totalS: number; realTimeFactor: number };
}

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** What a signal's value means, for the clip's sentence. */
const DESCRIBE: Record<SignalName, string> = { motion: 'movement', audio: 'loudness', people: 'people in view', pose: 'body activity' };

/** Explain each chosen clip from the seconds it covers. */
export function describeClips(clips: readonly ChosenClip[], seconds: readonly ScoredSecond[], weights: SignalWeights): ReelClip[] {
  let reelS = 0;
  return clips.map((clip) => {
    const core = seconds.filter((s) => s.t >= clip.coreStartS && s.t < clip.coreEndS);
    const mean = (name: SignalName): number | null => {
      const values = core.map((s) => s.signals[name]).filter((v): v is number => v !== null);
      return values.length === 0 ? null : round(values.reduce((a, b) => a + b, 0) / values.length);
    };
    const signals = Object.fromEntries(SIGNALS.map((name) => [name, mean(name)])) as Record<SignalName, number | null>;
    const total = SIGNALS.reduce((sum, name) => sum + (signals[name] === null ? 0 : (weights[name] ?? 0)), 0);
    const contributions = Object.fromEntries(
      SIGNALS.map((name) => [name, total > 0 && signals[name] !== null ? round(((weights[name] ?? 0) * signals[name]) / total) : 0]),
    ) as Record<SignalName, number>;
    const peak = core.reduce((a, b) => (b.score > a.score ? b : a), core[0] ?? { t: clip.coreStartS, score: 0 });
    const score = core.length === 0 ? 0 : round(core.reduce((a, b) => a + b.score, 0) / core.length);
    const why = SIGNALS.filter((name) => contributions[name] > 0)
      .sort((a, b) => contributions[b] - contributions[a])
      .map((name) => `${DESCRIBE[name]} ${(signals[name] as number).toFixed(2)} (+${contributions[name].toFixed(2)})`)
      .join(', ');
    const lengthS = round(clip.endS - clip.startS);
    const out: ReelClip = {
      ...clip,
      reelStartS: round(reelS),
      lengthS,
      score,
      peakS: peak.t,
      signals,
      contributions,
      why: why === '' ? 'no signal above zero' : why,
    };
    reelS += lengthS;
    return out;
  });
}

/** Per-second raw values for the report's plot. */
export function rawPerSecond(signals: HighlightSignals): HighlightsReport['raw'] {
  const per = Math.round(1 / TICK_S);
  const seconds = Math.max(1, Math.ceil(signals.durationS - 1e-6));
  const reduce = (ticks: readonly number[] | null, how: 'mean' | 'max', digits: number): number[] | null =>
    ticks
      ? Array.from({ length: seconds }, (_, s) => {
          const slice = ticks.slice(s * per, (s + 1) * per);
          if (slice.length === 0) return 0;
          return round(how === 'max' ? Math.max(...slice) : slice.reduce((a, b) => a + b, 0) / slice.length, digits);
        })
      : null;
  return {
    motion: reduce(signals.motion, 'mean', 4) ?? [],
    loudnessLufs: reduce(signals.loudnessLufs, 'max', 1),
    people: reduce(signals.people, 'mean', 2),
    pose: reduce(signals.pose, 'mean', 3),
  };
}
