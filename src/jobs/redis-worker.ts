import { DelayedError, type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FramewiseError } from '../core/errors.ts';
import type { EffectContext } from '../effects/effect.ts';
import { CLI_EFFECT_CONTEXT } from '../effects/registry.ts';
import { FINAL_STATES, isJobId, type JobRecord } from './job.ts';
import { defaultJobConcurrency } from './embedded-queue.ts';
import { runJob, SHUTDOWN } from './job-runner.ts';
import { JobStore } from './job-store.ts';
import {
  CANCEL_CHANNEL,
  LOCK_MS,
  MAX_STALLS,
  connectRedis,
  QUEUE_NAME,
  redisConnection,
  STALLED_CHECK_MS,
  WORKER_SECRET_KEY,
  type WorkerOutcome,
  type WorkerProgress,
} from './redis-link.ts';
import { type RedisLinkEvent, watchRedis } from './redis-watch.ts';
import { TransferError, WorkClient } from './work-client.ts';

/** How a remote worker runs. */
export interface RedisWorkerOptions {
  /** redis://host:port: the server's queue. */
  url: string;
  /** The Framewise server's base URL, for inputs, segments and results (http://host:8080). */
  server: string;
  /** Jobs at once (default one per two cores). */
  concurrency?: number;
  /** Where this worker keeps its copies while it renders (a fresh folder inside; default the system's temp folder). */
  workDir?: string;
  /** What effects may use (the CLI gives the operator's backgrounds, never arbitrary files). */
  effectContext?: EffectContext;
  /** Before each segment of each job (tests). */
  onSegmentStart?: (job: string, index: number, count: number) => void;
  /** Each job this worker finishes or gives up, for logs. */
  onJob?: (id: string, outcome: string) => void;
  /** Each time the link to Redis is lost or comes back (once per outage, not once per retry), for logs. */
  onLink?: (event: RedisLinkEvent) => void;
}

/** How long a job waits before another try when the server could not be reached. */
const RETRY_LATER_MS = 5000;

/**
 * A worker on any machine that can reach Redis and the server: it takes jobs from the BullMQ queue (N at once),
 * fetches each job's input and the segments earlier workers finished, renders the rest with checkpoints, sends
 * each finished segment back at once (what the next worker resumes from if this one dies), then the result.
 * A cancel from the server stops the job within a frame or two; SIGTERM puts running jobs back in the queue.
 */
export class RedisWorker {
  private readonly shutdown = new AbortController();
  private readonly name = `${hostname()}:${process.pid}`;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker<{ id: string }, WorkerOutcome>,
    private readonly subscriber: Redis,
    private readonly store: JobStore,
    private readonly client: WorkClient,
    private readonly options: RedisWorkerOptions,
  ) {}

  static async start(options: RedisWorkerOptions): Promise<RedisWorker> {
    const connection = redisConnection(options.url);
    if (!/^https?:\/\/[^/]/i.test(options.server))
      throw new FramewiseError('invalid-argument', `--server must be the Framewise server's http(s) URL (got "${options.server}")`);
    const subscriber = await connectRedis(options.url);
    const reader = subscriber.duplicate();
    reader.on('error', () => undefined);
    let secret: string | null = null;
    const readSecret = async (): Promise<string> => {
      // The server sets it when it starts; a worker started first waits for it.
      while (secret === null) {
        secret = await reader.get(WORKER_SECRET_KEY);
        if (secret === null) await sleep(1000);
      }
      return secret;
    };
    const parent = options.workDir ?? tmpdir();
    const dir = await mkdtemp(join(parent, 'framewise-worker-')).catch((err: NodeJS.ErrnoException) => {
      throw new FramewiseError(
        'invalid-argument',
        `cannot make a work folder in "${parent}" (${err.code ?? err.message}): give --work-dir a folder that exists and is writable`,
      );
    });
    const store = await JobStore.open(dir);
    const client = new WorkClient(options.server, readSecret);
    let self: RedisWorker | null = null;
    const worker = new Worker<{ id: string }, WorkerOutcome>(
      QUEUE_NAME,
      async (job, token, signal) => {
        if (!self) throw new Error('worker not ready');
        return self.process(job, token, signal);
      },
      {
        connection,
        concurrency: options.concurrency ?? defaultJobConcurrency(),
        lockDuration: LOCK_MS,
        stalledInterval: STALLED_CHECK_MS,
        maxStalledCount: MAX_STALLS,
        autorun: false,
      },
    );
    self = new RedisWorker(worker, subscriber, store, client, options);
    const started = self;
    const unwatch = watchRedis(subscriber, (event) => options.onLink?.(event));
    worker.on('closing', unwatch);
    await subscriber.subscribe(CANCEL_CHANNEL);
    subscriber.on('message', (_channel: string, id: string) => {
      if (isJobId(id)) started.worker.cancelJob(id, 'cancelled');
    });
    worker.on('closing', () => reader.disconnect());
    // Errors of the Redis link are retried by BullMQ; a listener keeps them from being thrown.
    worker.on('error', () => undefined);
    void worker.run();
    await worker.waitUntilReady();
    return self;
  }

  /** Jobs this worker runs at once. */
  get concurrency(): number {
    return this.worker.concurrency;
  }

  /** Stop: running jobs go back to the queue (their sent segments kept on the server), then the link closes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.shutdown.abort(SHUTDOWN);
      await this.worker.close();
      this.subscriber.disconnect();
      await rm(this.store.root, { recursive: true, force: true });
    })();
    return this.closing;
  }

  private async process(job: Job<{ id: string }, WorkerOutcome>, token: string | undefined, signal: AbortSignal | undefined): Promise<WorkerOutcome> {
    const id = job.data.id;
    if (typeof id !== 'string' || !isJobId(id)) throw new UnrecoverableError('the queued entry names no job');
    let transferFailed: TransferError | null = null;
    const transfer = async (work: () => Promise<void>): Promise<void> => {
      try {
        await work();
      } catch (err) {
        if (err instanceof TransferError) transferFailed = err;
        throw err;
      }
    };
    let record: JobRecord | null;
    try {
      record = await this.client.record(id);
      if (!record || FINAL_STATES.has(record.state)) return { skipped: record ? record.state : 'gone from the server' };
      await this.store.prepare(id);
      if (!(await exists(this.store.inputPath(id)))) await this.client.download(id, 'input', this.store.inputPath(id));
      await this.fetchSegments(id);
    } catch (err) {
      if (err instanceof TransferError) return this.later(job, token, err);
      throw new UnrecoverableError(`the worker could not prepare the job: ${(err as Error).message}`);
    }
    const abort = AbortSignal.any(signal ? [signal, this.shutdown.signal] : [this.shutdown.signal]);
    const done = await runJob(record, {
      store: this.store,
      worker: this.name,
      effectContext: this.options.effectContext ?? CLI_EFFECT_CONTEXT,
      signal: abort,
      onUpdate: (r, kind) => {
        if (kind !== 'progress') return;
        const report: WorkerProgress = { worker: this.name, progress: r.progress };
        job.updateProgress(report as unknown as object).catch(() => undefined);
      },
      onSegmentDone: (_index, files) =>
        transfer(async () => {
          for (const file of files) await this.client.upload(id, file);
        }),
      onResult: (path) => transfer(() => this.client.upload(id, path, 'result')),
      onReport: (path) => transfer(() => this.client.upload(id, path, 'report.json')),
      ...(this.options.onSegmentStart ? { onSegmentStart: (i: number, n: number) => this.options.onSegmentStart?.(id, i, n) } : {}),
    });
    await this.store.remove(id);
    this.options.onJob?.(id, done.state);
    if (done.state === 'succeeded' && done.result) return { result: done.result, progress: done.progress, worker: this.name };
    if (done.state === 'queued') {
      // This worker is stopping: the job goes back to the queue for the next one.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (done.state === 'cancelled') throw new UnrecoverableError('cancelled');
    if (transferFailed) return this.later(job, token, transferFailed);
    throw new UnrecoverableError(done.error ?? 'failed');
  }

  /** The server could not be reached: try the job again in a few seconds (on any worker), segments sent so far kept. */
  private async later(job: Job<{ id: string }, WorkerOutcome>, token: string | undefined, err: TransferError): Promise<never> {
    this.options.onJob?.(job.data.id, `retry later: ${err.message}`);
    await this.store.remove(job.data.id).catch(() => undefined);
    await job.moveToDelayed(Date.now() + RETRY_LATER_MS, token);
    throw new DelayedError();
  }

  /** Make this worker's segment folder what the server holds: every segment finished so far, by any worker. */
  private async fetchSegments(id: string): Promise<void> {
    const dir = this.store.segmentsDir(id);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const held = await this.client.segments(id);
    for (const segment of held) await this.client.download(id, segment.name, join(dir, segment.name));
    const got = await readdir(dir);
    if (got.length < held.length) throw new TransferError(`only ${got.length} of ${held.length} segments arrived`);
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
