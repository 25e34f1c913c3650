import { CANONICAL_FACE } from './canonical-face.ts';
import { type HeadAngles, headAngles } from './head-pose.ts';
import { fitSimilarity, inverseMap, type Similarity, type Vec3 } from './rigid-fit.ts';

/**
 * Face-mesh points that move with the skull, not with expressions: forehead and temples, the nose, the eye corners,
 * the cheekbones (MediaPipe face-mesh indices). Lips, eyelids, brows and the jaw are left out of the head fit.
 */
export const STABLE_POINTS: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 234, 127, 162, 21, 54, 103, 67, 109, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 33, 133, 263, 362, 116, 345, 50, 280,
  123, 352, 117, 346,
];

/** Face-mesh indices of the features read for expressions. */
export const FEATURES = {
  /** The eye on the picture's left (the person's right eye): outer and inner corner, upper and lower lid. */
  eyeLeft: { outer: 33, inner: 133, upper: 159, lower: 145 },
  eyeRight: { outer: 263, inner: 362, upper: 386, lower: 374 },
  /** Inner lips (top, bottom), mouth corners. */
  mouth: { upper: 13, lower: 14, left: 61, right: 291 },
  /** Middle of each brow. */
  browLeft: 105,
  browRight: 334,
} as const;

/** What one face looks like, measured in the canonical face's own frame (rotation, size and position removed). */
export interface FaceMeasures {
  angles: HeadAngles;
  fit: Similarity;
  /** Lid gap / eye width, per eye. */
  eyeLeftRatio: number;
  eyeRightRatio: number;
  /** Inner lip gap / mouth width. */
  mouthOpenRatio: number;
  /** Mouth width in canonical units (eye corners 1 apart). */
  mouthWidth: number;
  /** How far the mouth corners sit above the middle of the lips, canonical units (positive: up). */
  cornerLift: number;
  /** Brow height above the upper lid, canonical units, per side. */
  browLeftHeight: number;
  browRightHeight: number;
  /** Centre between the outer eye corners, picture pixels, and their distance. */
  center: { x: number; y: number };
  eyeSpan: number;
}

const canonical: Vec3[] = CANONICAL_FACE.map(([x, y, z]) => ({ x, y, z }));
const canonicalStable = STABLE_POINTS.map((i) => canonical[i] as Vec3);

const dist2 = (a: Vec3, b: Vec3): number => Math.hypot(a.x - b.x, a.y - b.y);

/** The same measures on the canonical face itself: the neutral values expressions are judged against. */
export const NEUTRAL = measureCanonical(canonical);

function measureCanonical(points: readonly Vec3[]): Omit<FaceMeasures, 'angles' | 'fit' | 'center' | 'eyeSpan'> {
  const at = (i: number): Vec3 => points[i] as Vec3;
  const eye = (e: { outer: number; inner: number; upper: number; lower: number }): number =>
    Math.abs(at(e.upper).y - at(e.lower).y) / Math.max(1e-6, dist2(at(e.outer), at(e.inner)));
  const m = FEATURES.mouth;
  const width = dist2(at(m.left), at(m.right));
  const middle = (at(m.upper).y + at(m.lower).y) / 2;
  return {
    eyeLeftRatio: eye(FEATURES.eyeLeft),
    eyeRightRatio: eye(FEATURES.eyeRight),
    mouthOpenRatio: Math.max(0, at(m.lower).y - at(m.upper).y) / Math.max(1e-6, width),
    mouthWidth: width,
    cornerLift: middle - (at(m.left).y + at(m.right).y) / 2,
    browLeftHeight: at(FEATURES.eyeLeft.upper).y - at(FEATURES.browLeft).y,
    browRightHeight: at(FEATURES.eyeRight.upper).y - at(FEATURES.browRight).y,
  };
}

/**
 * Fit the canonical face to the landmarks seen (similarity transform over the stable points, Horn's method), read
 * the head's angles from its rotation, and measure the expression features in the canonical frame, where pose,
 * distance and picture size no longer change them.
 */
export function measureFace(landmarks: readonly Vec3[]): FaceMeasures {
  const seen = STABLE_POINTS.map((i) => landmarks[i] as Vec3);
  const fit = fitSimilarity(canonicalStable, seen);
  const local = landmarks.map((p) => inverseMap(fit, p));
  const a = landmarks[33] as Vec3;
  const b = landmarks[263] as Vec3;
  return {
    angles: headAngles(fit),
    fit,
    ...measureCanonical(local),
    center: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 },
    eyeSpan: Math.hypot(b.x - a.x, b.y - a.y),
  };
}
