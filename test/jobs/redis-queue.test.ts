import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { JobRecord } from '../../src/jobs/job.ts';
import { JobClient } from '../../src/jobs/job-client.ts';
import { WORKER_SECRET_KEY } from '../../src/jobs/redis-link.ts';
import { renderSegmented } from '../../src/jobs/segmented-render.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { frameChecksums, scratchDir, testdata } from '../helpers.ts';
import { startRedis } from '../redis-server.ts';
import { spawnWorker, stopProcess } from '../worker-process.ts';

const SEGMENT_S = 1;

/** A 3 s, 320x180 clip with audio cut from the test video (so 20 jobs stay quick). */
function makeClip(dir: string): string {
  const path = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    testdata('videos/facing_camera_720p.mp4'),
    '-t',
    '3',
    '-vf',
    'scale=320:180',
    '-c:v',
    'libx264',
    '-c:a',
    'aac',
    path,
  ]);
  return path;
}

test(
  '20 jobs across 2 workers on Redis, one worker SIGKILLed mid-job: every job completes with every frame, identical to an uninterrupted render',
  { timeout: 600_000 },
  async (t) => {
    const dir = scratchDir('redis-jobs');
    const clip = makeClip(dir);
    // The reference: the same job rendered in one go, here.
    const whole = join(dir, 'whole.mp4');
    await renderSegmented({ input: clip, effects: ['blur'], output: whole, segmentsDir: join(dir, 'whole-segments'), segmentS: SEGMENT_S });
    const reference = frameChecksums(whole);
    assert.equal(reference.length, 75); // 3 s at 25 fps

    const redis = await startRedis();
    const server = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: join(dir, 'jobs'), queue: redis.url, segmentS: SEGMENT_S } });
    const workers: ChildProcess[] = [];
    try {
      workers.push(await spawnWorker(redis.url, server.url, dir), await spawnWorker(redis.url, server.url, dir));
      const [victim, survivor] = workers as [ChildProcess, ChildProcess];
      const client = new JobClient(server.url);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push((await client.submit(clip, ['blur'], 'mp4')).id);

      // Kill the first worker once it has sent a segment of a job and not finished it.
      let killed: { job: string; at: number } | null = null;
      let resumedAfterMs: number | null = null;
      const stops = ids.map((id) =>
        server.jobs!.subscribe(id, (event) => {
          const job = event.job;
          const mine = job.worker?.endsWith(`:${victim.pid}`) ?? false;
          if (!killed && mine && job.progress.segmentsDone >= 1 && job.progress.segmentsDone < 3) {
            killed = { job: id, at: Date.now() };
            victim.kill('SIGKILL');
          }
          if (killed?.job === id && resumedAfterMs === null && event.type === 'progress' && job.worker?.endsWith(`:${survivor.pid}`))
            resumedAfterMs = Date.now() - killed.at;
        }),
      );
      const finals: JobRecord[] = [];
      for (const id of ids) finals.push(await client.wait(id));
      for (const stop of stops) stop();

      assert.ok(killed, 'a worker was killed mid-job');
      const { job: killedJob } = killed as { job: string; at: number };
      for (const job of finals) {
        assert.equal(job.state, 'succeeded', `${job.id}: ${job.error}`);
        assert.equal(job.result?.frames, 75, job.id);
        const checksums = frameChecksums(join(dir, 'jobs', job.id, `result.mp4`));
        assert.deepEqual(checksums, reference, `${job.id}: every frame identical (checksum and timestamp)`);
        assert.deepEqual(readdirSync(join(dir, 'jobs', job.id)).sort(), ['job.json', 'result.mp4'], 'segments and input removed once done');
      }
      const resumed = finals.find((j) => j.id === killedJob);
      assert.ok(resumed && resumed.attempts >= 2, `the killed job was taken again (attempts ${resumed?.attempts})`);
      assert.ok(resumed.worker?.endsWith(`:${survivor.pid}`), 'and finished by the other worker');
      t.diagnostic(`SIGKILL to resumed progress on the other worker: ${resumedAfterMs} ms; per job: ${finals.map((j) => j.attempts).join(',')} attempts`);
    } finally {
      for (const w of workers) await stopProcess(w);
      await server.close();
    }
  },
);

test(
  'Redis queue: cancel reaches the worker, a restarted server (even with Redis emptied) loses no job, /work needs the secret',
  { timeout: 300_000 },
  async () => {
    const dir = scratchDir('redis-more');
    const clip = testdata('videos/facing_camera_720p.mp4');
    const redis = await startRedis();
    const jobs = { dir: join(dir, 'jobs'), queue: redis.url, segmentS: 2 };
    let server = await FramewiseServer.start({ port: 0, web: false, jobs });
    const port = Number(new URL(server.url).port);
    let worker: ChildProcess | null = null;
    try {
      // /work is for workers only.
      const client = new JobClient(server.url);
      const first = await client.submit(clip, ['blur'], 'mp4');
      assert.equal((await fetch(`${server.url}/work/${first.id}/record`)).status, 401);
      const probe = new Redis(redis.url);
      const secret = (await probe.get(WORKER_SECRET_KEY)) ?? '';
      const auth = { authorization: `Bearer ${secret}` };
      assert.equal((await fetch(`${server.url}/work/${first.id}/record`, { headers: auth })).status, 200);
      assert.equal((await fetch(`${server.url}/work/${first.id}/..%2Fjob.json`, { headers: auth })).status, 404);
      assert.equal((await fetch(`${server.url}/work/${first.id}/seg-00001.exe`, { headers: auth, method: 'PUT', body: 'x' })).status, 404);

      // Cancel a running job: the worker stops it, the server removes its files.
      worker = await spawnWorker(redis.url, server.url, dir);
      for (let i = 0; i < 1200; i++) {
        if ((server.jobs!.store.get(first.id)?.progress.framesDone ?? 0) > 10) break;
        await sleep(50);
      }
      const t0 = Date.now();
      const cancelled = await fetch(`${server.url}/jobs/${first.id}`, { method: 'DELETE' });
      const stoppedMs = Date.now() - t0;
      assert.equal(((await cancelled.json()) as JobRecord).state, 'cancelled');
      assert.ok(stoppedMs < 1500, `stopped in ${stoppedMs} ms`);
      assert.deepEqual(readdirSync(join(jobs.dir, first.id)), ['job.json'], 'no partial file, no segments, no input');
      assert.equal((await fetch(`${server.url}/work/${first.id}/seg-00000.json`, { headers: auth, method: 'PUT', body: '{}' })).status, 409);

      // Queue two jobs with no worker, stop the server, empty Redis: a new server queues them again and they finish.
      await stopProcess(worker);
      worker = null;
      const queued = [await client.submit(clip, ['grayscale'], 'mkv'), await client.submit(clip, ['mirror'], 'mp4')];
      await server.close();
      await probe.flushall();
      probe.disconnect();
      server = await FramewiseServer.start({ port, web: false, jobs });
      worker = await spawnWorker(redis.url, server.url, dir);
      const again = new JobClient(server.url);
      for (const job of queued) {
        const done = await again.wait(job.id);
        assert.equal(done.state, 'succeeded', `${job.id}: ${done.error}`);
        assert.equal(done.result?.frames, 195);
        assert.ok(existsSync(join(jobs.dir, job.id, `result.${job.spec.format}`)));
      }
    } finally {
      if (worker) await stopProcess(worker);
      await server.close();
    }
  },
);
