import type { Landmark3d } from '../models/face-landmarker.ts';
import { type AvatarParams, NEUTRAL_PARAMS } from './avatar-params.ts';
import { type FaceMeasures, measureFace, NEUTRAL } from './face-measures.ts';
import { OneEuroFilter, type OneEuroOptions } from './one-euro.ts';

const clamp = (v: number, lo = 0, hi = 1): number => Math.min(hi, Math.max(lo, v));

/**
 * How raw measures become 0..1 (documented in the README): eye openness 0 at a lid gap of 0.06 of the eye's width,
 * 1 at 0.26 (open eyes measure 0.25-0.34); mouth open 0 at an inner-lip gap of 0.02 of the mouth's width, 1 at 0.5;
 * mouth width 0.5 at 0.55 eye spans (rest), +-0.5 per 0.3; smile 1 when the corners sit 0.06 eye spans higher than
 * at rest; brows +-1 per 0.08 eye spans above or below the canonical face's.
 */
export function expressionOf(m: FaceMeasures): Omit<AvatarParams, 'face' | 'yaw' | 'pitch' | 'roll' | 'x' | 'y' | 'size'> {
  const eye = (ratio: number): number => clamp((ratio - 0.06) / 0.2);
  return {
    eyeLeft: eye(m.eyeLeftRatio),
    eyeRight: eye(m.eyeRightRatio),
    mouthOpen: clamp((m.mouthOpenRatio - 0.02) / 0.48),
    mouthWidth: clamp(0.5 + (m.mouthWidth - 0.55) / 0.6),
    smile: clamp(m.cornerLift / 0.06),
    browLeft: clamp((m.browLeftHeight - NEUTRAL.browLeftHeight) / 0.08, -1, 1),
    browRight: clamp((m.browRightHeight - NEUTRAL.browRightHeight) / 0.08, -1, 1),
  };
}

/** Smoothing of each parameter (One Euro: steady at rest, little lag in motion). */
export interface SolverOptions {
  /** Angles (degrees). Default: 1.5 Hz at rest, beta 0.02. */
  angles?: OneEuroOptions;
  /** Expressions (0..1): default 3 Hz at rest (a blink lasts ~150 ms), beta 2. */
  expressions?: OneEuroOptions;
  /** Position and size (fractions of the picture): default 1.5 Hz, beta 1. */
  position?: OneEuroOptions;
}

type Key = Exclude<keyof AvatarParams, 'face'>;
const ANGLE_KEYS: readonly Key[] = ['yaw', 'pitch', 'roll'];
const POSITION_KEYS: readonly Key[] = ['x', 'y', 'size'];

/**
 * Face mesh -> avatar parameters, frame after frame: the head's rotation from a rigid fit of the canonical face,
 * the expressions measured in the canonical frame, each smoothed by its own One Euro filter. Without a face the last
 * parameters are held (with `face: false`), and the filters start afresh when it comes back.
 */
export class AvatarSolver {
  private readonly filters = new Map<Key, OneEuroFilter>();
  private last: AvatarParams = NEUTRAL_PARAMS;

  constructor(options: SolverOptions = {}) {
    const make = (key: Key): OneEuroFilter => {
      if (ANGLE_KEYS.includes(key)) return new OneEuroFilter({ minCutoffHz: 1.5, beta: 0.02, ...options.angles });
      if (POSITION_KEYS.includes(key)) return new OneEuroFilter({ minCutoffHz: 1.5, beta: 1, ...options.position });
      return new OneEuroFilter({ minCutoffHz: 3, beta: 2, ...options.expressions });
    };
    for (const key of Object.keys(NEUTRAL_PARAMS) as (keyof AvatarParams)[]) if (key !== 'face') this.filters.set(key, make(key));
  }

  /** The raw (unsmoothed) parameters of one picture's face mesh. */
  static raw(landmarks: readonly Landmark3d[], width: number, height: number): AvatarParams {
    const m = measureFace(landmarks);
    return {
      face: true,
      ...m.angles,
      ...expressionOf(m),
      x: m.center.x / width,
      y: m.center.y / height,
      size: m.eyeSpan / width,
    };
  }

  /** The smoothed parameters at `timeS` (seconds of media time) for this frame's face mesh, or null when none was found. */
  next(landmarks: readonly Landmark3d[] | null, width: number, height: number, timeS: number): AvatarParams {
    if (!landmarks) {
      for (const f of this.filters.values()) f.reset();
      this.last = { ...this.last, face: false };
      return this.last;
    }
    const raw = AvatarSolver.raw(landmarks, width, height);
    const out = { ...raw };
    for (const [key, filter] of this.filters) out[key] = filter.filter(raw[key], timeS);
    this.last = out;
    return out;
  }
}
