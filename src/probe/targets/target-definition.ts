import type { StreamTarget } from './target.ts';

/** Credentials and settings some targets take from the command line. */
export interface TargetOptions {
  /** Bearer token (WHIP/WHEP). */
  token?: string;
}

/**
 * A kind of system the probe can drive, describing itself: the probe's help and its error for an unknown target are
 * made from these. A new kind of target is one file and one `registerTarget` call.
 */
export interface TargetDefinition {
  /** Short name ("local", "exec", "ws", "whip"). */
  readonly kind: string;
  /** The form as typed, for help texts: "local:<effect>[,<effect>...]". */
  readonly usage: string;
  readonly summary: string;
  /** True when `spec` is written in this target's form. */
  matches(spec: string): boolean;
  /** Build the target; a FramewiseError says what is wrong with `spec`. */
  create(spec: string, options: TargetOptions): StreamTarget;
}
