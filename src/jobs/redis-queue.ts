import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { FINAL_STATES, queuedRecord, type JobEvent, type JobRecord, type JobSpec } from './job.ts';
import { StoredQueue } from './stored-queue.ts';
import { JobStore } from './job-store.ts';
import { CANCEL_CHANNEL, connectRedis, QUEUE_NAME, redisConnection, WORKER_SECRET_KEY, type WorkerOutcome, type WorkerProgress } from './redis-link.ts';
import { type RedisLinkEvent, watchRedis } from './redis-watch.ts';

/** How the server's side of a Redis queue runs. */
export interface RedisQueueOptions {
  /** The jobs folder: records, uploads, the segments workers send back, results. */
  dir: string;
  /** redis://host:port (or rediss://). */
  url: string;
  /** Segment length of renders, s (default 10). */
  segmentS?: number;
  /** How long a cancel waits for the worker running the job to confirm it stopped, ms (default 5000). */
  cancelWaitMs?: number;
  /** Each time the link to Redis is lost or comes back (once per outage, not once per retry), for the log. */
  onLink?: (event: RedisLinkEvent) => void;
}

/**
 * Jobs through BullMQ on Redis, for workers on other machines (`framewise worker`). The server stays the one
 * writer of job records: it queues each job's id, and follows what workers do through BullMQ's event stream
 * (active, progress, stalled, completed, failed). Inputs, finished segments and results travel over the server's
 * `/work/...` routes, so workers share no disk with it; a job whose worker dies is taken by another after BullMQ's
 * stall check and resumes after the segments already sent. A restarted server reconciles every unfinished record
 * with the job's state in Redis, and queues again any that Redis lost; so does a server whose Redis comes back after
 * an outage (a Redis restarted without its data has lost the queue, the secret and every job in it).
 */
export class RedisQueue extends StoredQueue {
  private closed = false;
  private readonly unwatch: () => void;

  private constructor(
    store: JobStore,
    private readonly queue: Queue,
    private readonly queueEvents: QueueEvents,
    private readonly redis: Redis,
    /** What workers present on `/work/...`. */
    readonly workerSecret: string,
    private readonly options: RedisQueueOptions,
  ) {
    super(store);
    this.unwatch = watchRedis(redis, (event) => {
      options.onLink?.(event);
      if (event.state === 'back') void this.relink();
    });
  }

  static async open(options: RedisQueueOptions): Promise<RedisQueue> {
    const connection = redisConnection(options.url);
    const store = await JobStore.open(options.dir);
    const redis = await connectRedis(options.url);
    // One secret for every server and worker of this Redis: the first server to start sets it.
    await redis.set(WORKER_SECRET_KEY, randomBytes(24).toString('base64url'), 'NX');
    const secret = (await redis.get(WORKER_SECRET_KEY)) ?? '';
    const queue = new Queue(QUEUE_NAME, { connection });
    const queueEvents = new QueueEvents(QUEUE_NAME, { connection });
    // Their links' errors are reconnects, retried by BullMQ; the watch below logs an outage once (unheard, each
    // retry would be printed with its stack).
    queue.on('error', () => undefined);
    queueEvents.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), queueEvents.waitUntilReady()]);
    const self = new RedisQueue(store, queue, queueEvents, redis, secret, options);
    self.follow();
    await self.reconcile();
    return self;
  }

  async submit(id: string, spec: JobSpec, media: JobRecord['media']): Promise<JobRecord> {
    const record = queuedRecord(id, spec, media, this.options.segmentS);
    await this.store.save(record);
    await this.enqueue(id);
    this.emit(record, 'state');
    return record;
  }

  async cancel(id: string): Promise<JobRecord | null> {
    const job = this.store.get(id);
    if (!job || FINAL_STATES.has(job.state)) return null;
    const queued = await this.queue.getJob(id);
    const state = queued ? await queued.getState() : 'unknown';
    if (state === 'active') {
      // The worker running it stops it and reports `cancelled`; a worker that died meanwhile cannot, so the wait is bounded.
      const stopped = new Promise<JobRecord | null>((resolve) => {
        const timer = setTimeout(() => {
          stop();
          resolve(null);
        }, this.options.cancelWaitMs ?? 5000);
        const stop = this.subscribe(id, (event) => {
          if (event.type !== 'state' || !FINAL_STATES.has(event.job.state)) return;
          clearTimeout(timer);
          stop();
          resolve(event.job);
        });
      });
      await this.redis.publish(CANCEL_CHANNEL, id);
      const final = await stopped;
      if (final) return final;
    } else {
      await queued?.remove().catch(() => undefined);
    }
    const current = this.store.get(id);
    if (current && FINAL_STATES.has(current.state)) return current;
    // Whoever takes it later finds the record final and leaves it.
    return this.finish(id, { ...job, state: 'cancelled', finishedAt: new Date().toISOString() });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    await Promise.allSettled([this.queueEvents.close(), this.queue.close()]);
    this.redis.disconnect();
    await this.store.flush();
  }

  private async enqueue(id: string): Promise<void> {
    // The job id is ours, so a job is queued once however often this runs; finished ones are removed by `finish`.
    await this.queue.add('render', { id }, { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false });
  }

  /** A live record (events about finished or unknown jobs are late news and change nothing). */
  private live(id: string): JobRecord | undefined {
    const job = this.store.get(id);
    return job && !FINAL_STATES.has(job.state) ? job : undefined;
  }

  private follow(): void {
    const on = this.queueEvents;
    on.on('active', ({ jobId }) => {
      const job = this.live(jobId);
      if (!job) return;
      this.update({ ...job, state: 'running', attempts: job.attempts + 1, startedAt: job.startedAt ?? new Date().toISOString(), error: null }, 'state');
    });
    on.on('progress', ({ jobId, data }) => {
      const job = this.live(jobId);
      const report = data as Partial<WorkerProgress> | number | boolean | string | null;
      if (!job || typeof report !== 'object' || report === null || typeof report.progress !== 'object') return;
      const next: JobRecord = { ...job, state: 'running', progress: report.progress, worker: typeof report.worker === 'string' ? report.worker : job.worker };
      // Kept on disk at segment ends; ticks in between only go to listeners.
      if (report.progress.segmentsDone !== job.progress.segmentsDone || job.state !== 'running') this.update(next, 'progress');
      else {
        this.store.remember(next);
        this.emit(next, 'progress');
      }
    });
    on.on('stalled', ({ jobId }) => {
      const job = this.live(jobId);
      if (job) this.update({ ...job, state: 'queued', worker: null }, 'state');
    });
    on.on('completed', ({ jobId, returnvalue }) => void this.completed(jobId, returnvalue as unknown as WorkerOutcome | string));
    on.on('failed', ({ jobId, failedReason }) => void this.failed(jobId, failedReason));
  }

  private update(record: JobRecord, kind: JobEvent['type']): void {
    this.store.save(record).catch(() => undefined);
    this.emit(record, kind);
  }

  private async completed(id: string, value: WorkerOutcome | string): Promise<void> {
    const outcome = typeof value === 'string' ? (safeJson(value) as WorkerOutcome | null) : value;
    const job = this.live(id);
    if (!job || !outcome || 'skipped' in outcome) {
      await this.removeQueued(id);
      return;
    }
    await this.finish(id, {
      ...job,
      state: 'succeeded',
      finishedAt: new Date().toISOString(),
      progress: outcome.progress,
      worker: outcome.worker,
      result: outcome.result,
    });
  }

  private async failed(id: string, reason: string): Promise<void> {
    const job = this.live(id);
    if (!job) {
      await this.removeQueued(id);
      return;
    }
    const cancelled = reason === 'cancelled';
    await rm(this.store.resultPath(job), { force: true });
    await this.finish(id, { ...job, state: cancelled ? 'cancelled' : 'failed', finishedAt: new Date().toISOString(), error: cancelled ? null : reason });
  }

  /** Keep a final record, drop its working files and its entry in Redis. */
  private async finish(id: string, record: JobRecord): Promise<JobRecord> {
    await this.store.removeWork(id).catch(() => undefined);
    await this.store.save(record);
    this.emit(record, 'state');
    await this.removeQueued(id);
    return record;
  }

  private async removeQueued(id: string): Promise<void> {
    const job = await this.queue.getJob(id).catch(() => undefined);
    await job?.remove().catch(() => undefined);
  }

  /**
   * Redis is back after an outage: put back what a Redis restarted without its data lost (the secret workers
   * present, jobs that were queued), then catch up on jobs that finished while the event stream was away.
   */
  private async relink(): Promise<void> {
    try {
      await this.redis.set(WORKER_SECRET_KEY, this.workerSecret, 'NX');
      await this.reconcile();
    } catch {
      // Redis went again meanwhile (the watch says so): the next `back` runs this again.
    }
  }

  /** After a restart or an outage: bring every unfinished record in line with Redis (what happened meanwhile). */
  private async reconcile(): Promise<void> {
    for (const job of this.store.list()) {
      if (this.closed) return;
      if (FINAL_STATES.has(job.state)) continue;
      const queued = await this.queue.getJob(job.id);
      if (!queued) {
        await this.store.save({ ...job, state: 'queued', worker: null });
        await this.enqueue(job.id);
        continue;
      }
      const state = await queued.getState();
      if (state === 'completed') await this.completed(job.id, queued.returnvalue as WorkerOutcome);
      else if (state === 'failed') await this.failed(job.id, queued.failedReason);
      else if (state !== 'active' && job.state !== 'queued') await this.store.save({ ...job, state: 'queued', worker: null });
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
