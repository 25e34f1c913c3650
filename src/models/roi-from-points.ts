import { normalizeAngle, type Point, type Roi } from './roi.ts';

/**
 * A square crop of side `side` around `center`, turned so that the vector `from` -> `to` points at
 * `targetDegrees` (0: to the right, 90: up), as MediaPipe's DetectionsToRects and AlignmentPointsRects compute it.
 */
export function alignedRoi(center: Point, side: number, from: Point, to: Point, targetDegrees: number): Roi {
  const rotation = normalizeAngle((targetDegrees * Math.PI) / 180 - Math.atan2(-(to.y - from.y), to.x - from.x));
  return { xCenter: center.x, yCenter: center.y, width: side, height: side, rotation };
}

/** The axis-aligned bounds of points. */
export function boundsOf(points: readonly Point[]): { xMin: number; yMin: number; width: number; height: number } {
  let xMin = Infinity;
  let yMin = Infinity;
  let xMax = -Infinity;
  let yMax = -Infinity;
  for (const p of points) {
    xMin = Math.min(xMin, p.x);
    yMin = Math.min(yMin, p.y);
    xMax = Math.max(xMax, p.x);
    yMax = Math.max(yMax, p.y);
  }
  return { xMin, yMin, width: xMax - xMin, height: yMax - yMin };
}
