import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobClient } from '../src/jobs/job-client.ts';
import { LOCK_MS, STALLED_CHECK_MS } from '../src/jobs/redis-link.ts';
import { FramewiseServer } from '../src/server/framewise-server.ts';
import { spawnRedis } from '../test/redis-server.ts';
import { spawnWorker, stopProcess } from '../test/worker-process.ts';
import { medianOf, table } from './stats-util.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'framewise.js');

/** Wall time of `framewise render` (the compiled CLI, its own process) on the clip, ms. */
function cliRender(clip: string, effect: string, output: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'render', '-i', clip, '-e', effect, '-o', output, '--json'], { stdio: 'ignore' });
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`framewise render exited with ${code}`))));
  });
}

/** Submit `count` jobs at once and wait for all: wall ms from the first submit to the last result. */
async function batch(server: FramewiseServer, clip: string, effect: string, count: number): Promise<number> {
  const client = new JobClient(server.url);
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await client.submit(clip, [effect], 'mp4')).id);
  for (const id of ids) {
    const done = await client.wait(id);
    if (done.state !== 'succeeded') throw new Error(`job ${id} ${done.state}: ${done.error}`);
  }
  return performance.now() - t0;
}

/**
 * Job throughput (720p blur jobs per minute) through the embedded queue and through BullMQ with 1 and 2 worker
 * processes, against `framewise render` of the same clip in the same run (the floor); then the time from a
 * SIGKILLed worker to its job's next progress on the other worker, with the default stall settings.
 */
export async function jobsBench(clip: string, label: string, effect = 'blur', jobs = 4, rounds = 8): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-bench-jobs-'));
  const redis = await spawnRedis(dir);
  const children: ChildProcess[] = [];
  try {
    // Per job, alternated round by round so the machine's drift hits every path alike: the CLI (the floor), the
    // embedded queue in the server, one BullMQ worker process. Servers and the worker stay up across rounds.
    const embedded = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: join(dir, 'embedded'), concurrency: 1 } });
    const redisServer = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: join(dir, 'redis'), queue: redis.url } });
    const worker = await spawnWorker(redis.url, redisServer.url, dir);
    children.push(worker);
    const times = { cli: [] as number[], embedded: [] as number[], redis: [] as number[] };
    try {
      for (let round = 0; round < rounds; round++) {
        times.cli.push(await cliRender(clip, effect, join(dir, `cli-${round}.mp4`)));
        times.embedded.push(await batch(embedded, clip, effect, 1));
        times.redis.push(await batch(redisServer, clip, effect, 1));
      }
    } finally {
      await stopProcess(worker);
      await embedded.close();
      await redisServer.close();
    }
    const cliMs = medianOf(times.cli);
    const perJob = (name: string, ms: number[]): (string | number)[] => [
      name,
      ms.length,
      ms.map((m) => (m / 1000).toFixed(2)).join(', '),
      (medianOf(ms) / cliMs).toFixed(3),
    ];
    const perJobRows = [
      perJob('`framewise render` (CLI, its own process)', times.cli),
      perJob('embedded queue (upload, check, render in the server, SSE)', times.embedded),
      perJob('BullMQ on Redis, 1 worker process (upload, fetch, segments back)', times.redis),
    ];
    // Throughput: a batch of jobs at once, one worker then two, alternated.
    const throughput: (string | number)[][] = [];
    for (const workers of [1, 2, 1, 2]) {
      const server = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: join(dir, `batch-${workers}-${throughput.length}`), queue: redis.url } });
      const started: ChildProcess[] = [];
      try {
        for (let i = 0; i < workers; i++) started.push(await spawnWorker(redis.url, server.url, dir));
        children.push(...started);
        const ms = await batch(server, clip, effect, jobs);
        throughput.push([`BullMQ on Redis, ${workers} worker process${workers > 1 ? 'es' : ''}`, jobs, ((60_000 * jobs) / ms).toFixed(2)]);
      } finally {
        for (const w of started) await stopProcess(w);
        await server.close();
      }
    }
    // SIGKILL to resumed progress: a job of 2 s segments; its worker killed after the first; the other takes it.
    const resumes: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const server = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: join(dir, `kill-${trial}`), queue: redis.url, segmentS: 2 } });
      const pair = [await spawnWorker(redis.url, server.url, dir), await spawnWorker(redis.url, server.url, dir)];
      children.push(...pair);
      try {
        const client = new JobClient(server.url);
        const { id } = await client.submit(clip, [effect], 'mp4');
        let killedAt = 0;
        let victim = '';
        const resumed = new Promise<number>((resolve) => {
          const stop = server.jobs!.subscribe(id, (event) => {
            const worker = event.job.worker ?? '';
            if (killedAt === 0 && event.job.progress.segmentsDone >= 1 && worker !== '') {
              const child = pair.find((c) => worker.endsWith(`:${c.pid}`));
              if (!child) return;
              victim = worker;
              killedAt = performance.now();
              child.kill('SIGKILL');
            } else if (killedAt > 0 && event.type === 'progress' && worker !== victim) {
              stop();
              resolve(performance.now() - killedAt);
            }
          });
        });
        resumes.push(await resumed);
        await client.wait(id);
      } finally {
        for (const w of pair) await stopProcess(w);
        await server.close();
      }
    }
    return [
      `### Render jobs: queue overhead, throughput and crash recovery (${label}, effect ${effect})`,
      '',
      table(['path', 'jobs', 'seconds per job (submit to result)', 'median vs CLI'], perJobRows),
      '',
      table(['batch of jobs at once', 'jobs', 'jobs per minute'], throughput),
      '',
      `SIGKILL of the worker holding a job to its next progress on the other worker (lock ${LOCK_MS / 1000} s, stall check every ${STALLED_CHECK_MS / 1000} s): ` +
        `${resumes.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s (median ${(medianOf(resumes) / 1000).toFixed(1)} s)`,
    ].join('\n');
  } finally {
    for (const c of children) await stopProcess(c);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
