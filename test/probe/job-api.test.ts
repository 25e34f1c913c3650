import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReportHtml } from '../../src/probe/report-html.ts';
import { runJobProbe } from '../../src/probe/run-job-probe.ts';
import { jobConfig, pick, place } from '../../src/probe/targets/job-api.ts';
import { startJobServer } from '../../examples/reference/job-server.ts';

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
