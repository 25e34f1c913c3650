import { EventEmitter } from 'node:events';
import type { JobEvent, JobRecord, JobSpec } from './job.ts';
import type { JobListener, JobQueue } from './job-queue.ts';
import type { JobStore } from './job-store.ts';

/** What both kinds of queue share: records read from the job store, and each job's events to its followers. */
export abstract class StoredQueue implements JobQueue {
  private readonly events = new EventEmitter();

  protected constructor(readonly store: JobStore) {
    this.events.setMaxListeners(0);
  }

  abstract submit(id: string, spec: JobSpec, media: JobRecord['media']): Promise<JobRecord>;
  abstract cancel(id: string): Promise<JobRecord | null>;
  abstract close(): Promise<void>;

  get(id: string): Promise<JobRecord | undefined> {
    return Promise.resolve(this.store.get(id));
  }

  list(): Promise<JobRecord[]> {
    return Promise.resolve(this.store.list());
  }

  subscribe(id: string, listener: JobListener): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }

  protected emit(job: JobRecord, type: JobEvent['type']): void {
    this.events.emit(job.id, { type, job });
  }
}
