import type { JobEvent, JobRecord, JobSpec } from './job.ts';
import type { JobStore } from './job-store.ts';

/** A listener of one job's events. */
export type JobListener = (event: JobEvent) => void;

/**
 * Where jobs wait and who runs them. The HTTP routes and the CLI see only this; the embedded queue (in-process
 * workers, state on disk) and the Redis queue (BullMQ, workers anywhere) are its two kinds.
 */
export interface JobQueue {
  /** Where jobs, their inputs and results are kept. */
  readonly store: JobStore;
  /** Queue a job whose input is in place (an upload already in `store.inputPath(id)`). */
  submit(id: string, spec: JobSpec, media: JobRecord['media']): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(): Promise<JobRecord[]>;
  /** Cancel a queued or running job; resolves once it has stopped and its files are gone. Null when already final. */
  cancel(id: string): Promise<JobRecord | null>;
  /** Follow a job: every state change and progress tick. Returns the function that stops following. */
  subscribe(id: string, listener: JobListener): () => void;
  /** Stop the queue's own workers (running jobs go back to the queue, their finished segments kept). */
  close(): Promise<void>;
}
