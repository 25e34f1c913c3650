import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Pipeline } from '../../src/core/pipeline.ts';
import { render } from '../../src/core/policy.ts';
import { MediaSink } from '../../src/io/media-sink.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import { probeRequest } from '../../src/probe/probe-request.ts';
import { klingToken } from '../../src/probe/vendors/kling.ts';
import { listVendors } from '../../src/probe/vendors/registry.ts';
import { repoPath, scratchDir } from '../helpers.ts';
import { startJobMock } from '../vendors/job-mock.ts';
import { JOB_MOCKS, KEYS, minimaxMock, runwayMock, veoMock } from '../vendors/job-vendor-mocks.ts';
import { startDaydreamMock, startFalRealtimeMock } from '../vendors/realtime-vendor-mocks.ts';

const dir = scratchDir('vendors');
// Short probes are judged with a drift bound a few seconds can pin down (as in the other short-probe tests).
// 15 s of sustain pins the drift down on a busy 2-core machine (8 s left a 17 ms/s wide interval there once).
const STREAM = { warmupS: 1, sustainS: 15, overloadS: 0, drainS: 1, measureWarm: false, thresholds: { maxDriftMsPerS: 6 } };
let video: Buffer | null = null;

/** What the mocks hand back as the generated clip: 5 s of the test pattern (its frames carry codes). */
async function resultVideo(): Promise<Buffer> {
  if (video) return video;
  const path = join(dir, 'generated.mp4');
  await new Pipeline({
    source: new TestPatternSource({ width: 320, height: 240, fps: 24, durationS: 5, paced: false }),
    sink: new MediaSink({ output: path }),
    policy: render(),
  }).run();
  video = readFileSync(path);
  return video;
}

/** True when `wanted` appear in `seen` in this order (other states may sit between them). */
function inOrder(seen: string[], wanted: string[]): boolean {
  let k = 0;
  for (const s of seen) if (s === wanted[k]) k++;
  return k === wanted.length;
}

test(
  'every job preset against a mock of its documented API: its states in order, the result downloaded, GENERATION with the real-time factor of the result',
  { timeout: 300_000 },
  async () => {
    const clip = await resultVideo();
    for (const { vendor, spec, model, states } of JOB_MOCKS) {
      const mock = await startJobMock(spec, { queuedMs: 250, runMs: 900, video: clip });
      try {
        const report = await probeRequest(
          { spec: `vendor:${vendor}`, vendorUrl: mock.url, pollMs: 50, env: KEYS, ...(model ? { model } : {}) },
          {},
          { jobs: 2, clipS: 2 },
        );
        const subs = report.job?.submissions ?? [];
        assert.equal(report.target, `vendor:${vendor}`);
        assert.deepEqual(
          subs.map((s) => s.error),
          [null, null],
          vendor,
        );
        for (const s of subs) {
          const seen = s.states.map((x) => x.state);
          assert.ok(inOrder(seen, states), `${vendor}: states ${seen.join(' -> ')}, expected ${states.join(' -> ')}`);
          assert.equal(s.resultDurationS, 5, `${vendor}: result length`);
          assert.ok(s.playableMs !== null && Math.abs((s.realTimeFactor ?? 0) - s.playableMs / 5000) < 0.01, `${vendor}: RTF ${s.realTimeFactor}`);
          assert.equal(s.framesIdentified, 120, `${vendor}: every generated frame read`);
        }
        assert.equal(report.verdict.category, 'GENERATION', `${vendor}: ${report.verdict.reasons.join('; ')}`);
        assert.equal(mock.counts.create, 2, vendor);
        assert.equal(mock.counts.refused, 0, `${vendor}: a request went without the right credentials`);
      } finally {
        await mock.close();
      }
    }
  },
);

test(
  "vendor failures are reported in the vendor's own words: a wrong key, an error inside a 200, a failed generation, a failed operation",
  { timeout: 120_000 },
  async () => {
    const clip = await resultVideo();
    const run = async (vendor: string, spec: typeof runwayMock, env: Record<string, string>, prompt?: string): Promise<string> => {
      const mock = await startJobMock(spec, { queuedMs: 50, runMs: 200, video: clip });
      try {
        const report = await probeRequest(
          { spec: `vendor:${vendor}`, vendorUrl: mock.url, pollMs: 30, env, ...(prompt ? { prompt } : {}) },
          {},
          { jobs: 1, clipS: 1 },
        );
        assert.equal(report.verdict.category, 'INCONCLUSIVE', vendor);
        return report.verdict.reasons[0] ?? '';
      } finally {
        await mock.close();
      }
    };
    assert.match(await run('runway', runwayMock, { ...KEYS, RUNWAYML_API_SECRET: 'wrong' }), /HTTP 401 \{"error":"Invalid API key"\}/);
    assert.match(await run('minimax', minimaxMock, { ...KEYS, MINIMAX_API_KEY: 'wrong' }), /the API answered code 1004: login fail/);
    assert.match(await run('runway', runwayMock, KEYS, 'please FAIL'), /FAILED: "Content moderation: the prompt was flagged"/);
    assert.match(await run('veo', veoMock, KEYS, 'please FAIL'), /failed: .*violates the usage guidelines/);
    await assert.rejects(probeRequest({ spec: 'vendor:kling', env: {} }), /--vendor kling needs KLING_ACCESS_KEY and KLING_SECRET_KEY in the environment/);
    await assert.rejects(probeRequest({ spec: 'vendor:replicate', env: KEYS }), /--vendor replicate needs --model/);
    await assert.rejects(probeRequest({ spec: 'vendor:midjourney', env: KEYS }), /unknown vendor "midjourney": use runway, luma/);
  },
);

test('Kling tokens are HS256 JWTs from the access key, signed with the secret, valid 30 minutes', () => {
  const token = klingToken('ak', 'sk', 1_700_000_000);
  const [head, payload] = token.split('.') as [string, string, string];
  assert.deepEqual(JSON.parse(Buffer.from(head, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
  assert.deepEqual(JSON.parse(Buffer.from(payload, 'base64url').toString()), { iss: 'ak', exp: 1_700_001_800, nbf: 1_699_999_995 });
});

test(
  'realtime presets: fal realtime matched by the request id it echoes (the picture is restyled), Daydream over WHIP with WHEP from its header',
  { timeout: 180_000 },
  async () => {
    const fal = await startFalRealtimeMock({ workMs: 30 });
    try {
      const report = await probeRequest({ spec: 'vendor:fal-realtime', vendorUrl: fal.url, env: KEYS }, STREAM);
      const s = report.phases.find((p) => p.phase === 'sustain');
      assert.ok(report.matching && report.matching.byEcho > 50, `matched by echo: ${report.matching?.byEcho}`);
      assert.equal(report.matching.byCode, 0, 'the inverted picture carries no readable code');
      assert.equal(report.verdict.category, 'LIVE', report.verdict.reasons.join('; '));
      assert.ok(s && s.latencyMs.p50 > 30 && s.latencyMs.p50 < 300, `p50 ${s?.latencyMs.p50}`);
      assert.deepEqual(fal.log.slice(0, 2), ['token', 'connected']);
      await assert.rejects(
        probeRequest({ spec: 'vendor:fal-realtime', vendorUrl: fal.url, env: { FAL_KEY: 'wrong' } }, STREAM),
        /getting a fal realtime token: HTTP 401 \{"detail":"Invalid credentials"\}/,
      );
    } finally {
      await fal.close();
    }
    const daydream = await startDaydreamMock('grayscale');
    try {
      const report = await probeRequest({ spec: 'vendor:daydream', vendorUrl: daydream.url, env: KEYS }, STREAM);
      assert.equal(report.verdict.category, 'LIVE', report.verdict.reasons.join('; '));
      assert.ok(report.target.startsWith('daydream:'));
      assert.ok(
        daydream.log.some((l) => l.startsWith('created')) &&
          daydream.log.some((l) => l.startsWith('whip')) &&
          daydream.log.some((l) => l.startsWith('deleted')),
        daydream.log.join(', '),
      );
    } finally {
      await daydream.close();
    }
  },
);

test('every preset documents what it sends and what it costs, and names its key variable', () => {
  for (const vendor of listVendors()) {
    assert.ok(vendor.sends.length > 60 && vendor.cost.length > 10, vendor.name);
    assert.ok(
      vendor.keyEnv.every((k) => /^[A-Z][A-Z0-9_]+$/.test(k)),
      vendor.name,
    );
    assert.match(vendor.docs, /^https:\/\//);
  }
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  for (const vendor of listVendors()) assert.ok(readme.includes(`| \`${vendor.name}\` |`), `README lists ${vendor.name}`);
});

test('framewise probe compare: three local targets side by side, judged against the video-call budget', { timeout: 180_000 }, () => {
  const report = join(dir, 'cmp.html');
  const r = spawnSync(
    process.execPath,
    [
      repoPath('bin/framewise.js'),
      'probe',
      'compare',
      'local:passthrough',
      'local:delay:100',
      'local:delay:400',
      '--use-case',
      'video-call',
      '--warmup',
      '1',
      '--duration',
      '15',
      '--overload',
      '0',
      '--drain',
      '1',
      '--no-warm',
      '--report',
      report,
    ],
    { encoding: 'utf8', timeout: 170_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const fits = [...r.stdout.matchAll(/use case video-call: (fits|does not fit)/g)].map((m) => m[1]);
  assert.deepEqual(fits, ['fits', 'does not fit', 'does not fit'], r.stdout);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /Latency distribution of each target/);
  assert.equal((html.match(/<tr style=/g) ?? []).length, 3);
  assert.match(html, /Use case <b>video-call<\/b> needs <b>LIVE<\/b>/);
});
