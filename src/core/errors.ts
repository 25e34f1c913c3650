/** Typed errors: each carries a stable `code` and a message that says what was wrong and what to do. */

/** Error codes a caller can branch on. */
export type FramewiseErrorCode =
  'invalid-argument' | 'unsupported-format' | 'input-not-found' | 'input-unreadable' | 'output-failed' | 'stage-failed' | 'invalid-state' | 'timeout';

/** Base class of every error Framewise raises on purpose. `userFacing` errors are printed without a stack. */
export class FramewiseError extends Error {
  readonly code: FramewiseErrorCode;
  readonly userFacing: boolean;

  constructor(code: FramewiseErrorCode, message: string, options?: { cause?: unknown; userFacing?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FramewiseError';
    this.code = code;
    this.userFacing = options?.userFacing ?? true;
  }
}

/** A stage threw while processing a frame; names the stage and the frame. */
export class StageError extends FramewiseError {
  readonly stage: string;
  readonly seq: number;

  constructor(stage: string, seq: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('stage-failed', `stage "${stage}" failed on frame ${seq}: ${why}`, { cause, userFacing: true });
    this.name = 'StageError';
    this.stage = stage;
    this.seq = seq;
  }
}

/** Turn anything thrown into a message fit for a terminal. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Anything thrown, as an Error (non-errors are wrapped, keeping their text). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
