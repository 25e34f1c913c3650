import { FramewiseError } from '../core/errors.ts';

/** A positive number from a flag's text, or undefined when the flag was not given; a clear error otherwise. */
export function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new FramewiseError('invalid-argument', `${flag} must be a positive number (got "${value}")`);
  return n;
}

/** A `WxH` size from a flag's text, or undefined when the flag was not given; a clear error otherwise. */
export function parseSize(flag: string, value: string | undefined): { width: number; height: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m) throw new FramewiseError('invalid-argument', `${flag} must look like 640x480 (got "${value}")`);
  return { width: Number(m[1]), height: Number(m[2]) };
}
