import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HighlightsReport } from '../../src/highlights/report.ts';
import type { JobRecord } from '../../src/jobs/job.ts';
import { JobClient } from '../../src/jobs/job-client.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir } from '../helpers.ts';
import { startRedis } from '../redis-server.ts';
import { spawnWorker, stopProcess } from '../worker-process.ts';
import { buildTestClip } from './test-clip.ts';

const dir = scratchDir('highlights-job');
const clip = buildTestClip(dir);

test('a highlights job over HTTP: queued with its settings, followed, its reel and report served; bad settings are 400s', { timeout: 300_000 }, async () => {
  const server = await FramewiseServer.start({ port: 0, web: false, token: 'hl', jobs: { dir: join(dir, 'jobs'), concurrency: 1 } });
  const auth = { authorization: 'Bearer hl' };
  try {
    const post = (query: string): Promise<Response> =>
      fetch(`${server.url}/jobs?${query}`, { method: 'POST', headers: { ...auth, 'content-type': 'video/mp4' }, body: readFileSync(clip) });
    for (const [query, message] of [
      ['type=highlights', /needs length/],
      ['type=highlights&length=abc', /length .* must be a number from 1 to 3600/],
      ['type=highlights&length=20&signals=colour', /signals must be a list of motion, audio, people, pose/],
      ['type=highlights&length=20&weights=motion%3D-1', /weight of motion must be a number >= 0/],
      ['type=montage&length=20', /type must be render or highlights/],
    ] as const) {
      const r = await post(query);
      assert.equal(r.status, 400, query);
      assert.match(await r.text(), message);
    }
    const client = new JobClient(server.url, 'hl');
    const submitted = await client.submit(clip, ['passthrough'], 'mp4', { lengthS: 20, signals: ['motion', 'audio', 'pose'], modelFps: 2 });
    assert.equal(submitted.spec.kind, 'highlights');
    assert.deepEqual(submitted.spec.highlights, { lengthS: 20, signals: ['motion', 'audio', 'pose'], modelFps: 2 });
    const phases = new Set<string>();
    const done = await client.wait(submitted.id, (j) => j.progress.phase && phases.add(j.progress.phase));
    assert.equal(done.state, 'succeeded', done.error ?? '');
    assert.ok(phases.has('rendering'), `phases seen: ${[...phases].join(', ')}`);
    const view = (await (await fetch(`${server.url}/jobs/${done.id}`, { headers: auth })).json()) as JobRecord & { links: Record<string, string> };
    assert.equal(view.links.report, `/jobs/${done.id}/report`);
    const report = (await (await fetch(`${server.url}${view.links.report}`, { headers: auth })).json()) as HighlightsReport;
    assert.equal(report.input, 'upload', 'the report names no server path');
    assert.equal(report.weights.people, 0);
    assert.ok(report.clips.length >= 2 && report.reelS <= 20);
    assert.equal(done.result?.clips, report.clips.length);
    assert.ok(Math.abs((done.result?.durationS ?? 0) - report.reelS) < 0.01);
    const page = await fetch(`${server.url}/jobs/${done.id}/report.html`, { headers: auth });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(await page.text(), /<svg/);
    const reel = join(dir, 'job-reel.mp4');
    await client.download(done.id, reel);
    assert.ok(existsSync(reel));
    assert.equal((await fetch(`${server.url}/jobs/${done.id}/report`)).status, 401, 'the token rules hold');
    const render = await client.submit(clip, ['grayscale'], 'mp4');
    assert.equal((await fetch(`${server.url}/jobs/${render.id}/report`, { headers: auth })).status, 404);
    await client.cancel(render.id);
  } finally {
    await server.close();
  }
});

test(
  "highlights on Redis workers: the analysis is sent to the server as a checkpoint, so a SIGKILLed worker's job resumes on another without analysing again",
  { timeout: 300_000 },
  async () => {
    const redis = await startRedis();
    const jobsDir = join(dir, 'redis-jobs');
    const server = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: jobsDir, queue: redis.url } });
    const workers: ChildProcess[] = [];
    mkdirSync(join(dir, 'w1'));
    mkdirSync(join(dir, 'w2'));
    try {
      workers.push(await spawnWorker(redis.url, server.url, join(dir, 'w1')));
      const client = new JobClient(server.url);
      const job = await client.submit(clip, ['passthrough'], 'mp4', { lengthS: 25, signals: ['motion', 'audio'] });
      const attempts: { attempt: number; phase: string }[] = [];
      const stop = server.jobs!.subscribe(job.id, (e) => {
        if (e.type === 'progress' && e.job.progress.phase) attempts.push({ attempt: e.job.attempts, phase: e.job.progress.phase });
      });
      // Kill the worker as soon as its analysis has reached the server (it is rendering the reel then).
      const checkpoint = join(jobsDir, job.id, 'segments', 'analysis.json');
      for (let i = 0; i < 3000 && !existsSync(checkpoint); i++) await sleep(20);
      assert.ok(existsSync(checkpoint), 'the analysis reached the server');
      workers[0]?.kill('SIGKILL');
      workers.push(await spawnWorker(redis.url, server.url, join(dir, 'w2')));
      const done = await client.wait(job.id);
      stop();
      assert.equal(done.state, 'succeeded', done.error ?? '');
      assert.ok(done.attempts >= 2, `attempts ${done.attempts}`);
      const later = attempts.filter((a) => a.attempt >= 2);
      assert.ok(!later.some((a) => a.phase === 'analysing'), `the resumed attempt analysed again: ${JSON.stringify(attempts)}`);
      const report = (await (await fetch(`${server.url}/jobs/${job.id}/report`)).json()) as HighlightsReport;
      assert.ok(report.clips.length >= 2);
      assert.ok(existsSync(join(jobsDir, job.id, 'result.mp4')));
    } finally {
      for (const w of workers) await stopProcess(w);
      await server.close();
    }
  },
);
