import { FramewiseError } from '../core/errors.ts';
import { type HighlightSignals, SIGNALS, type SignalName, TICK_S } from './signals.ts';

/** How much each signal counts; missing or zero weights leave a signal out. */
export type SignalWeights = Partial<Record<SignalName, number>>;

/** The documented defaults: movement first, then the body, the sound and who is there. */
export const DEFAULT_WEIGHTS: Readonly<Record<SignalName, number>> = { motion: 0.35, pose: 0.25, audio: 0.25, people: 0.15 };

/** One second of the video, scored. */
export interface ScoredSecond {
  /** Start of the second, s. */
  t: number;
  /** Each signal in 0..1 (see `normalise`); null when it was not measured. */
  signals: Record<SignalName, number | null>;
  /** Weighted mean of the measured signals, 0..1. */
  score: number;
}

/** How the raw values were brought to 0..1 for this video. */
export interface Normalisation {
  /** Motion: 0 at the clip's 10th percentile (its stillness, sensor noise), 1 at max(95th percentile, that + 0.01). */
  motion: { zero: number; one: number };
  /** Loudness: 0 at max(-50, this video's 20th percentile - 3) LUFS (its quiet), 1 at 15 LU above that. */
  audio: { zero: number; one: number } | null;
  /** People: 0 nobody, 1 at this many or more. */
  people: { one: number };
  /** Pose: body heights per second that count as 1. */
  pose: { one: number };
}

/** Parse `motion=0.4,audio=0.2` (the CLI's --weights); names must be signals, values >= 0. */
export function parseWeights(text: string): SignalWeights {
  const weights: SignalWeights = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!(SIGNALS as readonly string[]).includes(name ?? ''))
      throw new FramewiseError('invalid-argument', `unknown signal "${name}" in the weights: use ${SIGNALS.join(', ')}`);
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n) || n < 0)
      throw new FramewiseError('invalid-argument', `weight of ${name} must be a number >= 0 (got "${value ?? ''}")`);
    weights[name as SignalName] = n;
  }
  return weights;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number;
}

/** Loudness units from a video's quiet to a second that counts fully loud. */
const AUDIO_RANGE_LU = 15;

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** Per-second values of a per-tick signal: the mean (motion, people, pose) or the maximum (loudness peaks). */
function perSecond(ticks: readonly number[], seconds: number, how: 'mean' | 'max'): number[] {
  const per = Math.round(1 / TICK_S);
  return Array.from({ length: seconds }, (_, s) => {
    const slice = ticks.slice(s * per, (s + 1) * per);
    if (slice.length === 0) return 0;
    return how === 'max' ? Math.max(...slice) : slice.reduce((a, b) => a + b, 0) / slice.length;
  });
}

/**
 * Score every second of a video from its signals, each brought to 0..1 and combined as a weighted mean over the
 * signals that were measured (weights of the others drop out). Motion and loudness are judged against the video
 * itself (its stillness and its usual level), people and pose on fixed scales, so a loud match and a quiet
 * interview both get their own peaks.
 */
export function scoreSeconds(signals: HighlightSignals, weights: SignalWeights = DEFAULT_WEIGHTS): { seconds: ScoredSecond[]; normalisation: Normalisation } {
  const count = Math.max(1, Math.ceil(signals.durationS - 1e-6));
  const motion = perSecond(signals.motion, count, 'mean');
  const motionZero = quantile(motion, 0.1);
  const motionOne = Math.max(quantile(motion, 0.95), motionZero + 0.01);
  const loud = signals.loudnessLufs ? perSecond(signals.loudnessLufs, count, 'max') : null;
  const audioZero = loud ? Math.max(-50, quantile(signals.loudnessLufs ?? [], 0.2) - 3) : 0;
  const people = signals.people ? perSecond(signals.people, count, 'mean') : null;
  const pose = signals.pose ? perSecond(signals.pose, count, 'mean') : null;
  const normalisation: Normalisation = {
    motion: { zero: motionZero, one: motionOne },
    audio: loud ? { zero: audioZero, one: audioZero + AUDIO_RANGE_LU } : null,
    people: { one: 2 },
    pose: { one: 0.5 },
  };
  const weight = (name: SignalName): number => weights[name] ?? 0;
  const seconds = motion.map((m, s): ScoredSecond => {
    const values: Record<SignalName, number | null> = {
      motion: clamp01((m - motionZero) / (motionOne - motionZero)),
      audio: loud ? clamp01(((loud[s] as number) - audioZero) / AUDIO_RANGE_LU) : null,
      people: people ? clamp01((people[s] as number) / normalisation.people.one) : null,
      pose: pose ? clamp01((pose[s] as number) / normalisation.pose.one) : null,
    };
    let sum = 0;
    let total = 0;
    for (const name of SIGNALS) {
      const v = values[name];
      if (v === null || weight(name) <= 0) continue;
      sum += weight(name) * v;
      total += weight(name);
    }
    return { t: s, signals: values, score: total > 0 ? sum / total : 0 };
  });
  return { seconds, normalisation };
}
