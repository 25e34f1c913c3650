import { FramewiseError } from '../core/errors.ts';

/** What a server accepts as a job's input. */
export interface JobLimits {
  /** Largest upload, bytes (default 2 GiB); also the most a URL input may fetch. */
  maxUploadBytes: number;
  /** Longest input, seconds (default 1 hour). */
  maxDurationS: number;
  /** Largest picture, pixels (default 3840x2160). */
  maxPixels: number;
  /**
   * Most pixels a job decodes in all (frames x width x height; default: an hour of 3840x2160 at 30 fps), so a small
   * file of very many frames is refused before any is rendered.
   */
  maxTotalPixels: number;
  /**
   * Which URLs a job may name: `public` (default) reaches only public unicast addresses, checked on every redirect
   * and at connect time (no job can read the server's own network, such as a cloud metadata service); `any` allows
   * every address (tests, a closed network); `none` allows uploads only.
   */
  urls: 'public' | 'any' | 'none';
  /** With `public`: address ranges (CIDR) allowed all the same, e.g. a media server of your own at 10.0.0.5. */
  allowAddresses?: string[];
  /** Time a URL input may take to fetch at submit time, ms (default 4 minutes). */
  fetchTimeoutMs: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = {
  maxUploadBytes: 2 * 1024 ** 3,
  maxDurationS: 3600,
  maxPixels: 3840 * 2160,
  maxTotalPixels: 3840 * 2160 * 30 * 3600,
  urls: 'public',
  fetchTimeoutMs: 240_000,
};

/** A limit a job's input is over: the server answers 413 (bytes) or 422 (length, size). */
export class JobLimitError extends FramewiseError {
  constructor(
    readonly status: 413 | 422,
    message: string,
  ) {
    super('invalid-argument', message);
    this.name = 'JobLimitError';
  }
}
