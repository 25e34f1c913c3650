import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobClient } from '../src/jobs/job-client.ts';
import { LOCK_MS, STALLED_CHECK_MS } from '../src/jobs/redis-link.ts';
import { FramewiseServer, type JobsOptions } from '../src/server/framewise-server.ts';
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
export async function jobsBench(clip: string, label: string, effect = 'blur', jobs = 4): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-bench-jobs-'));
  const redis = await spawnRedis(dir);
  const children: ChildProcess[] = [];
  try {
    const cli: number[] = [];
    for (let i = 0; i < jobs; i++) cli.push(await cliRender(clip, effect, join(dir, `cli-${i}.mp4`)));
    const perJobCli = cli.reduce((a, b) => a + b, 0) / jobs;
    const rows: (string | number)[][] = [['`framewise render` (CLI, one after another)', jobs, (60_000 / perJobCli).toFixed(2), '1.00']];
    const run = async (name: string, options: JobsOptions, workers: number): Promise<void> => {
      const server = await FramewiseServer.start({ port: 0, web: false, jobs: options });
      const started: ChildProcess[] = [];
      try {
        for (let i = 0; i < workers; i++) started.push(await spawnWorker(redis.url, server.url, dir));
        children.push(...started);
        const ms = await batch(server, clip, effect, jobs);
        rows.push([name, jobs, ((60_000 * jobs) / ms).toFixed(2), (ms / jobs / perJobCli).toFixed(2)]);
      } finally {
        for (const w of started) await stopProcess(w);
        await server.close();
      }
    };
    await run('embedded queue, 1 job at once (in the server)', { dir: join(dir, 'embedded'), concurrency: 1 }, 0);
    await run('BullMQ on Redis, 1 worker process', { dir: join(dir, 'redis-1'), queue: redis.url }, 1);
    await run('BullMQ on Redis, 2 worker processes', { dir: join(dir, 'redis-2'), queue: redis.url }, 2);

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
      `### Render jobs: throughput and crash recovery (${label}, effect ${effect})`,
      '',
      table(['path', 'jobs', 'jobs per minute', 'time per job vs CLI'], rows),
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
