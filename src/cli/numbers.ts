import { FramewiseError } from '../core/errors.ts';

/** A positive number from a flag's text, or undefined when the flag was not given; a clear error otherwise. */
export function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new FramewiseError('invalid-argument', `${flag} must be a positive number (got "${value}")`);
  return n;
}
