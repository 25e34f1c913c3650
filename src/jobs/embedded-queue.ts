import { availableParallelism, hostname } from 'node:os';
import type { EffectContext } from '../effects/effect.ts';
import { CLI_EFFECT_CONTEXT } from '../effects/registry.ts';
import { FINAL_STATES, queuedRecord, type JobRecord, type JobSpec } from './job.ts';
import { StoredQueue } from './stored-queue.ts';
import { runJob, SHUTDOWN } from './job-runner.ts';
import { JobStore } from './job-store.ts';

/** Jobs per worker by default: one per two cores (a render keeps about two busy: effects and the encoder). */
export function defaultJobConcurrency(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/** How an embedded queue runs. */
export interface EmbeddedQueueOptions {
  /** The jobs folder. */
  dir: string;
  /** Jobs run at once (default by CPU: `defaultJobConcurrency()`). */
  concurrency?: number;
  /** What effects of jobs may use (the server's network context: no local files). */
  effectContext?: EffectContext;
  segmentS?: number;
  /** Before each segment of each job (tests). */
  onSegmentStart?: (job: string, index: number, count: number) => void;
}

/**
 * The default queue: no service needed. Jobs and their state live in the jobs folder, so a restarted server finds
 * every job again; jobs that were running go back to the queue and resume after their last finished segment.
 */
export class EmbeddedQueue extends StoredQueue {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<JobRecord> }>();
  private closed = false;
  private readonly worker = `${hostname()}:${process.pid}`;

  private constructor(
    store: JobStore,
    private readonly options: EmbeddedQueueOptions,
  ) {
    super(store);
  }

  static async open(options: EmbeddedQueueOptions): Promise<EmbeddedQueue> {
    const store = await JobStore.open(options.dir);
    const queue = new EmbeddedQueue(store, options);
    for (const job of store.list()) {
      if (job.state === 'running') await store.save({ ...job, state: 'queued', worker: null });
    }
    queue.pump();
    return queue;
  }

  get concurrency(): number {
    return this.options.concurrency ?? defaultJobConcurrency();
  }

  async submit(id: string, spec: JobSpec, media: JobRecord['media']): Promise<JobRecord> {
    const record = queuedRecord(id, spec, media, this.options.segmentS);
    await this.store.save(record);
    this.emit(record, 'state');
    this.pump();
    return record;
  }

  async cancel(id: string): Promise<JobRecord | null> {
    const job = this.store.get(id);
    if (!job || FINAL_STATES.has(job.state)) return null;
    const run = this.running.get(id);
    if (run) {
      run.abort.abort('cancelled');
      return run.done;
    }
    const cancelled: JobRecord = { ...job, state: 'cancelled', finishedAt: new Date().toISOString() };
    await this.store.removeWork(id);
    await this.store.save(cancelled);
    this.emit(cancelled, 'state');
    return cancelled;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const run of this.running.values()) run.abort.abort(SHUTDOWN);
    await Promise.all([...this.running.values()].map((r) => r.done.catch(() => undefined)));
    await this.store.flush();
  }

  /** Start queued jobs, oldest first, while there is room. */
  private pump(): void {
    if (this.closed) return;
    const waiting = this.store
      .list()
      .filter((j) => j.state === 'queued' && !this.running.has(j.id))
      .reverse();
    for (const job of waiting) {
      if (this.running.size >= this.concurrency) return;
      const abort = new AbortController();
      const done = runJob(job, {
        store: this.store,
        worker: this.worker,
        effectContext: this.options.effectContext ?? CLI_EFFECT_CONTEXT,
        signal: abort.signal,
        onUpdate: (record, kind) => this.emit(record, kind),
        ...(this.options.segmentS === undefined ? {} : { segmentS: this.options.segmentS }),
        ...(this.options.onSegmentStart ? { onSegmentStart: (i: number, n: number) => this.options.onSegmentStart?.(job.id, i, n) } : {}),
      });
      this.running.set(job.id, { abort, done });
      void done
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(job.id);
          this.pump();
        });
    }
  }
}
