import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runProbe } from '../../src/probe/run-probe.ts';
import { ExecTarget } from '../../src/probe/targets/exec-target.ts';
import { createTarget } from '../../src/probe/targets/registry.ts';
import type { PhaseMetrics } from '../../src/probe/analysis.ts';
import { repoPath } from '../helpers.ts';

// Short phases keep the suite quick (15 s of sustain still pins the drift down on a busy 2-core machine); the CLI defaults (5 s warm-up, 60 s sustain, 30 s overload) are longer.
const SHORT = { warmupS: 1, sustainS: 15, overloadS: 0, drainS: 2 };
const reference = (mode: string): ExecTarget => new ExecTarget(`"${process.execPath}" --import tsx "${repoPath('examples/reference/y4m-system.ts')}" ${mode}`);
const sustainOf = (phases: PhaseMetrics[]): PhaseMetrics => phases.find((p) => p.phase === 'sustain') as PhaseMetrics;

test('passthrough program: LIVE, a few ms, flat, every frame', async () => {
  const r = await runProbe(reference('passthrough'), SHORT);
  const s = sustainOf(r.phases);
  assert.equal(r.verdict.category, 'LIVE', r.verdict.reasons.join('; '));
  assert.ok(s.latencyMs.p95 < 50, `p95 ${s.latencyMs.p95}`);
  assert.equal(s.lost, 0);
  assert.equal(s.identifiedFraction, 1);
  assert.ok(r.setup.warmFirstFrameMs !== null && r.setup.warmFirstFrameMs < 3000);
});

test('fixed 300 ms delay: LIVE with p50 near 300 ms', async () => {
  const r = await runProbe(reference('delay 300'), SHORT);
  const s = sustainOf(r.phases);
  assert.equal(r.verdict.category, 'LIVE', r.verdict.reasons.join('; '));
  assert.ok(Math.abs(s.latencyMs.p50 - 300) < 25, `p50 ${s.latencyMs.p50}`);
});

test('0.9 x rate with an unbounded queue: GENERATION by drift, nothing dropped', async () => {
  const r = await runProbe(reference('queue 0.9'), SHORT);
  const s = sustainOf(r.phases);
  assert.equal(r.verdict.category, 'GENERATION', r.verdict.reasons.join('; '));
  assert.match(r.verdict.reasons.join(' '), /it queues/);
  assert.ok(s.driftCi !== null && s.driftCi[0] > 50, `drift interval ${String(s.driftCi)}`);
  assert.equal(s.lost, 0);
});

test('0.7 x rate, dropping what it cannot do: LIVE at native latency, flagged low fps', async () => {
  // An 8 s probe of a system that drops 30 % of frames pins its drift only to a few ms/s under load: judged at 6.
  const r = await runProbe(reference('drop 0.7'), { ...SHORT, thresholds: { maxDriftMsPerS: 6 } });
  const s = sustainOf(r.phases);
  assert.equal(r.verdict.category, 'LIVE', r.verdict.reasons.join('; '));
  assert.ok(
    r.verdict.flags.some((f) => f.startsWith('low fps')),
    r.verdict.flags.join('; '),
  );
  assert.ok(s.medianFps >= 18 && s.medianFps <= 23, `median fps ${s.medianFps}`);
  assert.ok(s.lost !== null && s.lost > 0);
});

test('1 s chunker: NEAR-LIVE, chunk period about 1 s', async () => {
  const r = await runProbe(reference('chunk 1000'), SHORT);
  const s = sustainOf(r.phases);
  assert.equal(r.verdict.category, 'NEAR-LIVE', r.verdict.reasons.join('; '));
  assert.ok(s.chunkPeriodS !== null && Math.abs(s.chunkPeriodS - 1) < 0.1, `chunk period ${s.chunkPeriodS}`);
});

test('a restyling system that destroys the frame-ID code: matched by beacon flashes, LIVE near its 200 ms', async () => {
  // A flash every 1.5-2.5 s: 45 s of sustain gives the 20 samples a verdict needs (fewer is INCONCLUSIVE, below).
  const r = await runProbe(reference('restyle 200'), { ...SHORT, sustainS: 45 });
  const s = sustainOf(r.phases);
  assert.equal(r.verdict.category, 'LIVE', r.verdict.reasons.join('; '));
  assert.equal(s.readableFraction, 0);
  assert.equal(s.lost, null, 'which frames were dropped is unknown without codes, and the report says so');
  assert.ok(s.beaconSamples >= 20, `${s.beaconSamples} flashes`);
  assert.ok(
    r.verdict.flags.some((f) => /latency comes from \d+ beacon flashes/.test(f)),
    r.verdict.flags.join('; '),
  );
  assert.ok(Math.abs(s.latencyMs.p50 - 200) < 25, `p50 ${s.latencyMs.p50}`);
});

test('too little evidence is INCONCLUSIVE: a restyling system probed for 8 s leaves a handful of flashes', async () => {
  const r = await runProbe(reference('restyle 50'), { ...SHORT, sustainS: 8, measureWarm: false });
  const s = sustainOf(r.phases);
  assert.equal(s.readableFraction, 0);
  assert.ok(s.beaconSamples < 20, `${s.beaconSamples} flashes`);
  assert.equal(r.verdict.category, 'INCONCLUSIVE', r.verdict.reasons.join('; '));
  assert.match(r.verdict.reasons[0] ?? '', /only \d+ (latency samples|beacon flashes)/);
});

test('local:delay:20 in-process under the live policy: LIVE, p50 near 20 ms, and 1.25 x overload is measured', async () => {
  const r = await runProbe(createTarget('local:delay:20'), { warmupS: 1, sustainS: 15, overloadS: 3, drainS: 1, measureWarm: false });
  const s = sustainOf(r.phases);
  assert.equal(r.verdict.category, 'LIVE', r.verdict.reasons.join('; '));
  assert.ok(Math.abs(s.latencyMs.p50 - 20) < 5, `p50 ${s.latencyMs.p50}`);
  assert.equal(s.lost, 0);
  const overload = r.phases.find((p) => p.phase === 'overload');
  assert.ok(overload && overload.targetFps === 37.5 && overload.sent === 113);
});

test('a program that is not a y4m filter: INCONCLUSIVE with nothing back, and a clear error for a bad target', async () => {
  const r = await runProbe(new ExecTarget('cat > /dev/null'), { warmupS: 0, sustainS: 3, overloadS: 0, drainS: 0.5, measureWarm: false });
  assert.equal(r.verdict.category, 'INCONCLUSIVE');
  assert.match(r.verdict.reasons[0] ?? '', /no frame came back/);
  assert.throws(() => createTarget('carrier-pigeon:42'), /cannot probe "carrier-pigeon:42": use local:<effect>/);
  assert.throws(() => createTarget('local:'), /local: needs an effect/);
});
