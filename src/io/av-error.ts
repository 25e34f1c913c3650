import { FFmpegError } from 'node-av/lib';
import { FramewiseError, type FramewiseErrorCode } from '../core/errors.ts';

/** FFmpeg's own text for a negative return code. */
export function ffmpegReason(code: number): string {
  try {
    return FFmpegError.strerror(code);
  } catch {
    return `FFmpeg error ${code}`;
  }
}

/** Throw a FramewiseError when `code` is negative: `what` says what was being done, `hint` what to do about it. */
export function check(code: number, errorCode: FramewiseErrorCode, what: string, hint: string): number {
  if (code < 0) throw new FramewiseError(errorCode, `${what}: ${ffmpegReason(code)}. ${hint}`);
  return code;
}
