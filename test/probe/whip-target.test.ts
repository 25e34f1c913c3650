import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runProbe } from '../../src/probe/run-probe.ts';
import { createTarget } from '../../src/probe/targets/registry.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';

let server: FramewiseServer;

before(async () => {
  server = await FramewiseServer.start({ port: 0, web: false, token: 'probe-token' });
});

after(async () => {
  await server.close();
});

// Short runs for tests (15 s of sustain: a busy 2-core machine needs that many seconds to pin the drift down). The
// receivers' jitter buffers still adapt in the first seconds, which a short sustain can read as ~2 ms/s of drift; the CLI's defaults (5 s warm-up, 60 s sustain, 2 ms/s) judge the settled stream.
const short = { warmupS: 4, sustainS: 15, overloadS: 0, drainS: 1, measureWarm: false, thresholds: { maxDriftMsPerS: 6 } } as const;

test('probe whip: Framewise server with delay:60 is LIVE, latency 60 ms + transport, WebRTC receiver stats reported', async () => {
  const report = await runProbe(createTarget(`whip:${server.url}/whip?effect=delay:60`, { token: 'probe-token' }), short);
  const sustain = report.phases.find((p) => p.phase === 'sustain');
  assert.ok(sustain);
  assert.equal(report.verdict.category, 'LIVE', report.verdict.reasons.join('; '));
  assert.ok(sustain.latencyMs.p50 > 60 && sustain.latencyMs.p50 < 300, `p50 ${sustain.latencyMs.p50} ms`);
  assert.ok(sustain.readableFraction > 0.9, `frame ids read on ${(sustain.readableFraction * 100).toFixed(0)} % of frames`);
  assert.ok(report.webrtc, 'receiver stats in the report');
  assert.ok(report.webrtc.framesDecoded > 100, `decoded ${report.webrtc.framesDecoded}`);
  assert.ok(report.webrtc.jitterBufferDelayMeanMs !== null && report.webrtc.jitterBufferDelayMeanMs >= 0);
  assert.match(report.webrtc.codec ?? '', /video\/(VP8|VP9|AV1)/i);
  assert.equal(server.registry.size, 0, 'the probe ended its session');
});

test('probe whip with the output read over WHEP', async () => {
  const report = await runProbe(createTarget(`whip:${server.url}/whip?effect=mirror,whep:${server.url}/whep/{session}`, { token: 'probe-token' }), short);
  const sustain = report.phases.find((p) => p.phase === 'sustain');
  assert.equal(report.verdict.category, 'LIVE', report.verdict.reasons.join('; '));
  assert.ok(sustain && sustain.latencyMs.p50 < 200, `p50 ${sustain?.latencyMs.p50} ms`);
  assert.equal(server.registry.size, 0);
});

test('probe whip: a refused offer is a clear error', async () => {
  await assert.rejects(runProbe(createTarget(`whip:${server.url}/whip`), short), /401 .*Authorization: Bearer/);
  assert.throws(() => createTarget('whip:ftp://x'), /not a WHIP target/);
});
