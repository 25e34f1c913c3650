import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { FramewiseError } from '../core/errors.ts';
import type { JobProgress, JobResult } from './job.ts';

/**
 * What the server and its remote workers agree on when jobs go through Redis (BullMQ): the queue's name, the keys
 * and channels beside it, the stall settings, and the messages a worker sends back.
 */

/** The BullMQ queue of render jobs. */
export const QUEUE_NAME = 'framewise-jobs';

/** Where the server keeps the secret its workers present on `/work/...` (whoever can read Redis runs the queue anyway). */
export const WORKER_SECRET_KEY = 'framewise:worker-secret';

/** Where the server announces cancelled jobs; the worker running one stops it. */
export const CANCEL_CHANNEL = 'framewise:cancel';

/**
 * How long a worker's hold on a job lasts without renewal (renewed every half of it), and how often workers look
 * for jobs whose holder is gone. A worker killed mid-job has its job moved back to the queue within about
 * LOCK_MS + STALLED_CHECK_MS, and the next worker resumes it after its last uploaded segment.
 */
export const LOCK_MS = 5000;
export const STALLED_CHECK_MS = 2500;
/** Stalls a job survives before it is failed (a job that kills every worker that takes it). */
export const MAX_STALLS = 5;

/** What a worker reports as a job's progress. */
export interface WorkerProgress {
  worker: string;
  progress: JobProgress;
}

/** What a worker returns for a job: its result, or that there was nothing to do (cancelled or removed meanwhile). */
export type WorkerOutcome = { result: JobResult; progress: JobProgress; worker: string } | { skipped: string };

/** A redis:// or rediss:// URL checked, as BullMQ's connection. */
export function redisConnection(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FramewiseError('invalid-argument', `--queue must be a Redis URL such as redis://127.0.0.1:6379 (got "${url}")`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new FramewiseError('invalid-argument', `--queue takes redis://host:port or rediss://host:port (got "${parsed.protocol}")`);
  if (parsed.hostname === '') throw new FramewiseError('invalid-argument', `--queue names no host: "${url}"`);
  // Workers block on Redis; BullMQ wants commands retried forever rather than failed during a reconnect.
  return { url, maxRetriesPerRequest: null };
}

/** A URL with its password hidden, for logs and errors. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A plain Redis client for what BullMQ does not do (the workers' secret, cancel messages), connected now: a clear
 * error naming the address when Redis cannot be reached, instead of endless reconnect noise.
 */
export async function connectRedis(url: string): Promise<Redis> {
  redisConnection(url);
  let last = '';
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: (times) => Math.min(times * 200, 2000) });
  // Errors after the first connection are reconnects, retried by the client; this keeps them from being thrown.
  client.on('error', (err: Error) => (last = err.message));
  const timer = setTimeout(() => client.disconnect(), 5000);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new FramewiseError(
      'invalid-state',
      `cannot reach Redis at ${redactedUrl(url)}: ${last || (err as Error).message} (is redis-server running there? start it, or check --queue)`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
  return client;
}
