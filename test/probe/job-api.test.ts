import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReportHtml } from '../../src/probe/report-html.ts';
import { runJobProbe } from '../../src/probe/run-job-probe.ts';
import { jobConfig, pick, place } from '../../src/probe/targets/job-api.ts';
import { startJobServer } from '../../examples/reference/job-server.ts';
import { join } from 'node:path';
import { runProbe } from '../../src/probe/run-probe.ts';
import { createTarget } from '../../src/probe/targets/registry.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir } from '../helpers.ts';

test('a job API with real-time factor 3: GENERATION, every state recorded, every result frame identified', async () => {
  const server = await startJobServer({ rtf: 3 });
  try {
    const report = await runJobProbe(jobConfig(`${server.url}/v1/predictions`), { clipS: 1, jobs: 2, width: 320, height: 240 });
    assert.equal(report.kind, 'job');
    assert.equal(report.verdict.category, 'GENERATION', report.verdict.reasons.join('; '));
    assert.match(report.verdict.reasons.join(' '), /no media came back before the job completed/);
    const job = report.job;
    assert.ok(job);
    assert.ok(job.realTimeFactor !== null && Math.abs(job.realTimeFactor - 3) < 0.5, `real-time factor ${job.realTimeFactor}`);
    for (const sub of job.submissions) {
      assert.equal(sub.error, null);
      assert.equal(sub.states.at(-1)?.state, 'succeeded');
      assert.equal(sub.framesBack, 30);
      assert.equal(sub.framesIdentified, 30);
    }
    const html = renderReportHtml(report);
    assert.match(html, /<div class="verdict">GENERATION<\/div>/);
    assert.match(html, /Real-time factor per submitted clip/);
    assert.doesNotMatch(html, /NaN|undefined/);
  } finally {
    await server.close();
  }
});

test('the queue-style preset follows status_url and response_url', async () => {
  const server = await startJobServer({ rtf: 2 });
  try {
    const report = await runJobProbe(jobConfig(`${server.url}/queue/requests`, 'queue'), { clipS: 1, jobs: 1, width: 320, height: 240 });
    const sub = report.job?.submissions[0];
    assert.equal(sub?.error, null);
    assert.equal(sub?.states.at(-1)?.state, 'COMPLETED');
    assert.equal(report.verdict.category, 'GENERATION');
  } finally {
    await server.close();
  }
});

test('a wrong field mapping is INCONCLUSIVE with the reason, and an unknown preset is refused', async () => {
  const server = await startJobServer({ rtf: 1 });
  try {
    const report = await runJobProbe(jobConfig(`${server.url}/v1/predictions`, 'predictions', { idField: 'uuid' }), {
      clipS: 1,
      jobs: 1,
      width: 320,
      height: 240,
    });
    assert.equal(report.verdict.category, 'INCONCLUSIVE');
    assert.match(report.verdict.reasons[0] ?? '', /the create answer has no "uuid"/);
  } finally {
    await server.close();
  }
  assert.throws(() => jobConfig('http://127.0.0.1:1/x', 'vendor9'), /unknown job API preset "vendor9"/);
});

test('dotted paths read and write nested JSON', () => {
  const body: Record<string, unknown> = {};
  place(body, 'input.video', 'data:...');
  assert.deepEqual(body, { input: { video: 'data:...' } });
  assert.equal(pick({ urls: { get: 'u' } }, 'urls.get'), 'u');
  assert.equal(pick({ output: ['a', 'b'] }, 'output.1'), 'b');
  assert.equal(pick({ a: 1 }, 'a.b.c'), undefined);
});

test('one Framewise server, two verdicts: its job API (framewise preset) is GENERATION, its WHIP endpoint LIVE', { timeout: 300_000 }, async () => {
  const dir = scratchDir('probe-own-jobs');
  const server = await FramewiseServer.start({ port: 0, web: false, token: 'split', jobs: { dir: join(dir, 'jobs'), concurrency: 1 } });
  try {
    const config = jobConfig(`${server.url}/jobs?effect=grayscale`, 'framewise', { headers: { authorization: 'Bearer split' } });
    const jobs = await runJobProbe(config, { clipS: 2, jobs: 2, width: 320, height: 240 });
    assert.equal(jobs.verdict.category, 'GENERATION', jobs.verdict.reasons.join('; '));
    for (const sub of jobs.job?.submissions ?? []) {
      assert.equal(sub.error, null);
      assert.equal(sub.states.at(-1)?.state, 'succeeded');
      assert.equal(sub.framesBack, 60);
      assert.equal(sub.framesIdentified, 60, 'every frame of the result carries its frame-ID code');
    }
    assert.ok(jobs.job?.realTimeFactor !== null && (jobs.job?.realTimeFactor ?? 0) > 0);
    const live = await runProbe(createTarget(`whip:${server.url}/whip?effect=grayscale`, { token: 'split' }), {
      warmupS: 4,
      sustainS: 15,
      overloadS: 0,
      drainS: 1,
      measureWarm: false,
      thresholds: { maxDriftMsPerS: 6 },
    });
    assert.equal(live.verdict.category, 'LIVE', live.verdict.reasons.join('; '));
  } finally {
    await server.close();
  }
});
