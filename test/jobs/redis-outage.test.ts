import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { JobClient } from '../../src/jobs/job-client.ts';
import { renderSegmented } from '../../src/jobs/segmented-render.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { frameChecksums, scratchDir, testdata } from '../helpers.ts';
import { startRedis } from '../redis-server.ts';
import { spawnWorker, stopProcess } from '../worker-process.ts';

const CLIP = testdata('videos/facing_camera_720p.mp4'); // 195 frames, 7.8 s

/** The `msg` of each JSON log line that matches. */
function messages(lines: string, pattern: RegExp): string[] {
  return lines
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg?: string }).msg ?? '')
    .filter((m) => pattern.test(m));
}

for (const persist of [true, false]) {
  test(
    `Redis stopped for 20 s mid-job and started again ${persist ? 'with its data' : 'empty (no persistence)'}: the server and the worker each say so once, reconnect by themselves, and the job finishes with every frame`,
    { timeout: 600_000 },
    async (t) => {
      const dir = scratchDir('redis-outage');
      const whole = join(dir, 'whole.mp4');
      await renderSegmented({ input: CLIP, effects: ['blur'], output: whole, segmentsDir: join(dir, 'whole-segments'), segmentS: 1 });
      const reference = frameChecksums(whole);
      assert.equal(reference.length, 195);

      // A packaged Redis keeps its data over a restart (this one writes every command to its append-only file first);
      // one without persistence comes back empty, and the server queues its unfinished jobs again.
      const redis = await startRedis({ persist });
      let serverLog = '';
      const logger = pino({ level: 'info' }, { write: (line: string) => void (serverLog += line) });
      const server = await FramewiseServer.start({ port: 0, web: false, logger, jobs: { dir: join(dir, 'jobs'), queue: redis.url, segmentS: 1 } });
      let worker: ChildProcess | null = null;
      try {
        worker = await spawnWorker(redis.url, server.url, dir, 1, 'info');
        let workerLog = '';
        worker.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()));
        worker.once('exit', (code, signal) => (workerLog += `\nthe worker exited (${code ?? signal})\n`));
        const client = new JobClient(server.url);
        const job = await client.submit(CLIP, ['blur'], 'mp4');
        for (let i = 0; i < 2400 && (server.jobs!.store.get(job.id)?.progress.segmentsDone ?? 0) < 1; i++) await sleep(50);
        assert.ok((server.jobs!.store.get(job.id)?.progress.segmentsDone ?? 0) >= 1, 'a segment was done before Redis stopped');
        const doneBefore = server.jobs!.store.get(job.id)?.progress.framesDone ?? 0;

        await redis.stop();
        await sleep(20_000);
        // While Redis is away the job API still answers from the server's own records.
        const during = await fetch(`${server.url}/jobs/${job.id}`);
        assert.equal(during.status, 200);
        await redis.start();

        const final = await client.wait(job.id);
        assert.equal(final.state, 'succeeded', final.error ?? '');
        assert.equal(final.result?.frames, 195);
        assert.deepEqual(frameChecksums(join(dir, 'jobs', job.id, 'result.mp4')), reference, 'every frame identical to an uninterrupted render');
        assert.deepEqual(readdirSync(join(dir, 'jobs', job.id)).sort(), ['job.json', 'result.mp4'], 'segments and input removed once done');

        // One line each way from each process, however many reconnect attempts there were.
        await sleep(500);
        const serverLost = messages(serverLog, /lost Redis/);
        const serverBack = messages(serverLog, /reconnected to Redis/);
        const workerLost = messages(workerLog, /lost Redis/);
        const workerBack = messages(workerLog, /reconnected to Redis/);
        assert.equal(serverLost.length, 1, serverLog);
        assert.equal(serverBack.length, 1, serverLog);
        assert.equal(workerLost.length, 1, workerLog);
        assert.equal(workerBack.length, 1, workerLog);
        assert.match(serverLost[0] ?? '', /^server lost Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(.+\): jobs wait, reconnecting$/);
        assert.match(workerBack[0] ?? '', /^worker reconnected to Redis at .* after (1\d|2\d|3\d)\.\d s$/);
        t.diagnostic(`frames done before the stop: ${doneBefore}; attempts: ${final.attempts}; ${serverBack[0]}; ${workerBack[0]}`);

        // And the queue works as before: a new job goes through.
        const next = await client.wait((await client.submit(CLIP, ['grayscale'], 'mkv')).id);
        assert.equal(next.state, 'succeeded', next.error ?? '');
      } finally {
        if (worker) await stopProcess(worker);
        await server.close();
      }
    },
  );
}
