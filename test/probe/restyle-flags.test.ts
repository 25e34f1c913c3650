import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { Stage } from '../../src/core/stage.ts';
import type { PhaseMetrics } from '../../src/probe/analysis.ts';
import { freezesIn } from '../../src/probe/analysis.ts';
import { detectFlashes, GRID_COLUMNS, GRID_ROWS, matchFlashes } from '../../src/probe/flash-matcher.ts';
import { type ProbeOptions, type ProbeReport, runProbe } from '../../src/probe/run-probe.ts';
import { ExecTarget } from '../../src/probe/targets/exec-target.ts';
import { LocalTarget } from '../../src/probe/targets/local-target.ts';
import { createTarget } from '../../src/probe/targets/registry.ts';
import { BeaconSchedule } from '../../src/probe/beacon.ts';
import { repoPath } from '../helpers.ts';

// 320x240 keeps four reference systems side by side cheap on two cores; verdicts do not depend on the size.
const SMALL = { width: 320, height: 240, warmupS: 1, overloadS: 0, drainS: 3, measureWarm: false };
const reference = (mode: string): ExecTarget => new ExecTarget(`"${process.execPath}" --import tsx "${repoPath('examples/reference/y4m-system.ts')}" ${mode}`);
const sustainOf = (r: ProbeReport): PhaseMetrics => r.phases.find((p) => p.phase === 'sustain') as PhaseMetrics;
const probe = (mode: string, options: ProbeOptions): Promise<ProbeReport> => runProbe(reference(mode), { ...SMALL, ...options });

test('flash matching, synthetic: latencies longer than the gap between flashes, a drifting system, false alarms and missed flashes', () => {
  const fps = 30;
  const beacon = new BeaconSchedule(fps, 3);
  const sent: { seq: number; dueNs: number }[] = [];
  for (let seq = 0; seq < fps * 90; seq++) if (beacon.isOnset(seq)) sent.push({ seq, dueNs: (seq * 1e9) / fps });
  for (const [latencyMs, driftMsPerS] of [
    [150, 0],
    [3700, 0], // about two flash gaps: the flash that comes back first is not the last one sent
    [400, 60], // a queue: latency grows 60 ms every second
  ] as const) {
    const detected = sent
      .filter((_, i) => i % 7 !== 3) // the system dropped some flashes
      .map((s, j) => ({ index: j * 10, arrivedNs: s.dueNs + (latencyMs + (driftMsPerS * s.dueNs) / 1e9) * 1e6 + (j % 3) * 8e6, strength: 40 }));
    // Noise that looked like a flash, between real ones.
    for (let k = 0; k < 6; k++) detected.push({ index: 10_000 + k, arrivedNs: (k * 13.3 + 5.1) * 1e9, strength: 20 });
    detected.sort((a, b) => a.arrivedNs - b.arrivedNs);
    const { matches, summary } = matchFlashes(detected, sent);
    const expectedMatches = sent.filter((_, i) => i % 7 !== 3).filter((s) => s.dueNs / 1e9 + latencyMs / 1000 < 200).length;
    assert.ok(summary.matched >= expectedMatches - 3, `${latencyMs} ms: ${summary.matched} of ${expectedMatches} matched`);
    for (const m of matches) {
      const due = sent.find((s) => s.seq === m.sentSeq) as { dueNs: number };
      const expected = latencyMs + (driftMsPerS * due.dueNs) / 1e9;
      assert.ok(Math.abs(m.latencyMs - expected) < 50, `${latencyMs} ms: matched at ${m.latencyMs.toFixed(0)} ms, expected ${expected.toFixed(0)}`);
    }
    assert.ok(summary.alternative < summary.matched / 2, `${latencyMs} ms: the next-best alignment explains ${summary.alternative} of ${summary.matched}`);
  }
});

test('flash detection is sign-free: a flash that turns dark is a pulse like a bright one; steady change is not', () => {
  const cells = (v: number): Float32Array => new Float32Array(GRID_COLUMNS * GRID_ROWS).fill(v);
  const series = (levels: number[]): { arrivedNs: number; cells: Float32Array }[] => levels.map((v, i) => ({ arrivedNs: i * 33e6, cells: cells(v) }));
  const flat = Array.from({ length: 40 }, (_, i) => 100 + (i % 2));
  const bright = [...flat];
  bright.splice(20, 3, 235, 235, 235);
  const dark = [...flat];
  dark.splice(20, 3, 20, 20, 20);
  assert.deepEqual(
    detectFlashes(series(bright)).map((f) => f.index),
    [20],
  );
  assert.deepEqual(
    detectFlashes(series(dark)).map((f) => f.index),
    [20],
  );
  // A cut to another scene that stays is not a flash (the picture never comes back).
  const cut = flat.map((v, i) => (i >= 20 ? v + 120 : v));
  assert.deepEqual(detectFlashes(series(cut)), []);
});

test('freezes by the W3C definition: counted with their length, and catch-up bursts told apart', () => {
  const steady = Array.from({ length: 60 }, (_, i) => i * 33);
  assert.deepEqual(freezesIn(steady), { count: 0, totalMs: 0, catchUps: 0 });
  const stalled = [...steady.slice(0, 30), ...steady.slice(30).map((t) => t + 400)];
  const frozen = freezesIn(stalled);
  assert.equal(frozen.count, 1);
  assert.ok(Math.abs(frozen.totalMs - 433) < 1);
  assert.equal(frozen.catchUps, 0);
  const burst = [...steady.slice(0, 30), 1390, 1391, 1392, 1393, ...steady.slice(34).map((t) => t + 400)];
  assert.equal(freezesIn(burst).catchUps, 1);
});

test(
  'restyled pictures (inverted, recoloured, mirrored, shifted) are matched by their flashes and measured near their real delay; 2.5 s is NEAR-LIVE',
  { timeout: 300_000 },
  async () => {
    const cases: [string, number][] = [
      ['invert 150', 150],
      ['recolour 300', 300],
      ['mirror 100', 100],
      ['shift 200', 200],
      ['restyle 2500', 2500],
    ];
    // A flash every 1.5-2.5 s: 45 s of sustain gives the 20 samples a verdict needs.
    const reports = await Promise.all(cases.map(([mode]) => probe(mode, { sustainS: 45 })));
    reports.forEach((r, i) => {
      const [mode, delayMs] = cases[i] as [string, number];
      const s = sustainOf(r);
      console.log(
        `${mode}: ${r.verdict.category}, p50 ${s.latencyMs.p50} ms from ${s.beaconSamples} flashes, ${r.matching?.byFlash.matched}/${r.matching?.byFlash.detected} matched`,
      );
      assert.equal(r.verdict.category, delayMs > 500 ? 'NEAR-LIVE' : 'LIVE', `${mode}: ${r.verdict.reasons.join('; ')}`);
      assert.ok(s.readableFraction < 0.1, `${mode}: ${s.readableFraction} readable`);
      assert.ok(s.beaconSamples >= 20, `${mode}: ${s.beaconSamples} flashes`);
      assert.ok(Math.abs(s.latencyMs.p50 - delayMs) < 30, `${mode}: p50 ${s.latencyMs.p50}`);
      assert.ok((r.matching?.byFlash.confidence ?? 0) >= 0.9, `${mode}: confidence ${r.matching?.byFlash.confidence}`);
      assert.ok(
        r.verdict.flags.some((f) => /latency comes from \d+ beacon flashes \(\d+ % of the flashes found fit the schedule\)/.test(f)),
        `${mode}: ${r.verdict.flags.join('; ')}`,
      );
    });
  },
);

test('flags name what happened: jitter without bursts, freezes with and without catch-up, a slow first frame', { timeout: 300_000 }, async () => {
  // The steady system is the one judged for the absence of timing flags: probed alone, not beside four others
  // starting at once on a 2-core machine (a cold start there took 4.5 s and read as a slow first frame).
  const steady = await probe('delay 50', { sustainS: 20 });
  const [jitter, freeze, burst, slow] = await Promise.all([
    probe('jitter 150', { sustainS: 20 }),
    probe('freeze 400', { sustainS: 20 }),
    probe('freezeburst 400', { sustainS: 20 }),
    probe('slowstart 3000', { sustainS: 20 }),
  ]);
  const flags = (r: ProbeReport): string => r.verdict.flags.join(' | ');
  assert.match(flags(jitter), /jitter: latency changes/, flags(jitter));
  assert.doesNotMatch(flags(jitter), /freezes|chunked/);
  assert.match(flags(freeze), /freezes: \d+ .* % of the time .*what came in meanwhile is not shown/, flags(freeze));
  assert.match(flags(freeze), /drops/);
  assert.ok(sustainOf(freeze).freezes.count >= 8, `freezes ${JSON.stringify(sustainOf(freeze).freezes)}`);
  assert.match(flags(burst), /freezes: \d+ .*catch-up bursts/, flags(burst));
  assert.doesNotMatch(flags(burst), /drops/);
  assert.notEqual(freeze.verdict.flags.length, 0, 'a freezing system never gets an unflagged LIVE');
  // 3 s of its own, plus its start on a busy machine.
  assert.match(flags(slow), /slow first frame: the first frame took [3-9]\.\d s/, flags(slow));
  assert.equal(steady.verdict.category, 'LIVE');
  assert.deepEqual(steady.verdict.flags, [], `a steady 50 ms system has no flag: ${flags(steady)}`);
});

test(
  'failures never vanish: a program that dies, a socket the server closes, a stage that throws come first in the verdict',
  { timeout: 120_000 },
  async () => {
    const dies = await probe('die 4', { sustainS: 8 });
    assert.equal(dies.verdict.category, 'INCONCLUSIVE');
    assert.match(dies.verdict.reasons[0] ?? '', /the target failed during the run: .* exited with code 3 after 4\.\d s, while the probe was still sending/);

    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => socket.send(data));
      setTimeout(() => socket.close(1011, 'model crashed'), 3000);
    });
    try {
      const port = (server.address() as { port: number }).port;
      const closed = await runProbe(createTarget(`ws+raw://127.0.0.1:${port}`), { ...SMALL, sustainS: 6 });
      assert.equal(closed.verdict.category, 'INCONCLUSIVE');
      assert.match(closed.verdict.reasons[0] ?? '', /the server closed the connection \(code 1011, "model crashed"\) while the probe was still sending/);
    } finally {
      await new Promise((r) => server.close(r));
    }

    let calls = 0;
    const broken: Stage = {
      name: 'broken',
      process: (frame) => {
        if (++calls > 60) throw new Error('CUDA out of memory');
        return frame;
      },
    };
    const local = await runProbe(new LocalTarget([broken]), { ...SMALL, sustainS: 6 });
    assert.equal(local.verdict.category, 'INCONCLUSIVE');
    assert.match(local.verdict.reasons[0] ?? '', /the target failed during the run: the pipeline failed: .*CUDA out of memory/);
  },
);
