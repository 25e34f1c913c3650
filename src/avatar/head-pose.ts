import type { Similarity } from './rigid-fit.ts';

/** Head rotation in degrees. */
export interface HeadAngles {
  /** Turn left-right: positive when the nose moves toward the right of the picture. */
  yaw: number;
  /** Nod: positive when looking up. */
  pitch: number;
  /** Tilt: positive when the head leans clockwise in the picture. */
  roll: number;
}

const DEG = 180 / Math.PI;

/**
 * Euler angles of the rotation that maps the canonical (frontal, upright) face onto the one seen, in picture
 * coordinates (x right, y down, z away from the camera): R = Rz(roll) Ry(-yaw) Rx(-pitch). A mirrored picture
 * negates yaw and roll and keeps pitch; a picture turned clockwise by a adds a to roll.
 */
export function headAngles(fit: Similarity): HeadAngles {
  const r = fit.rotation;
  const r0 = r[0] as number;
  const r3 = r[3] as number;
  const r6 = r[6] as number;
  const r7 = r[7] as number;
  const r8 = r[8] as number;
  const theta = Math.asin(Math.max(-1, Math.min(1, -r6)));
  const phi = Math.atan2(r7, r8);
  const psi = Math.atan2(r3, r0);
  return { yaw: -theta * DEG, pitch: -phi * DEG, roll: psi * DEG };
}
