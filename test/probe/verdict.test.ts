import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PhaseMetrics } from '../../src/probe/analysis.ts';
import { decide } from '../../src/probe/verdict.ts';

/** A sustain phase of a healthy 30 fps stream at 40 ms, with fields to override. */
function sustain(overrides: Partial<PhaseMetrics> = {}): PhaseMetrics {
  return {
    phase: 'sustain',
    targetFps: 30,
    durationS: 60,
    sent: 1800,
    received: 1800,
    identifiedFraction: 1,
    readableFraction: 1,
    beaconSamples: 0,
    lost: 0,
    latencyMs: { count: 1800, p50: 40, p95: 45, p99: 50, max: 60, mean: 41 },
    jitterMs: 1,
    windows: Array.from({ length: 60 }, (_, i) => ({ startS: i, fps: 30, p50Ms: 40 })),
    medianFps: 30,
    windowsAbove80: 1,
    driftMsPerS: 0,
    driftCi: [-0.1, 0.1],
    chunkPeriodS: null,
    gapMs: { mean: 33.3, std: 2, p95: 36, max: 40 },
    freezes: { count: 0, totalMs: 0, share: 0, catchUps: 0 },
    reorders: 0,
    duplicates: 0,
    ...overrides,
  };
}

test('evidence before verdicts: few samples, few windows or a wide drift interval are INCONCLUSIVE with the reason', () => {
  assert.equal(decide({ sustain: sustain(), warmFirstFrameMs: 100 }).category, 'LIVE');
  const few = decide({ sustain: sustain({ latencyMs: { count: 8, p50: 7, p95: 9, p99: 9, max: 9, mean: 7 } }), warmFirstFrameMs: null });
  assert.equal(few.category, 'INCONCLUSIVE');
  assert.match(few.reasons[0] ?? '', /only 8 latency samples \(need 20 for percentiles\)/);
  // The local:blur report of the issue: 3 % readable, 8 flashes, drift interval [-0.07, 719].
  const flashes = decide({
    sustain: sustain({
      readableFraction: 0.03,
      identifiedFraction: 0.05,
      beaconSamples: 8,
      lost: null,
      latencyMs: { count: 8, p50: 7, p95: 9, p99: 9, max: 9, mean: 7 },
      driftCi: [-0.07, 719],
    }),
    warmFirstFrameMs: null,
  });
  assert.equal(flashes.category, 'INCONCLUSIVE');
  assert.match(flashes.reasons.join(' '), /only 8 latency samples.*probe longer/);
  const wide = decide({ sustain: sustain({ driftMsPerS: 1, driftCi: [-3, 14] }), warmFirstFrameMs: null });
  assert.equal(wide.category, 'INCONCLUSIVE');
  assert.match(wide.reasons[0] ?? '', /the drift is not pinned down: its 95 % interval -3\.00 to 14\.00 ms\/s is 17\.0 ms\/s wide/);
  // A queue is established by the lower bound alone, however wide the interval.
  assert.equal(decide({ sustain: sustain({ driftMsPerS: 120, driftCi: [90, 150] }), warmFirstFrameMs: null }).category, 'GENERATION');
});

test('a failure of the target comes first and keeps the verdict INCONCLUSIVE', () => {
  const v = decide({ sustain: sustain(), warmFirstFrameMs: 100, failure: '"model-server" exited with code 1' });
  assert.equal(v.category, 'INCONCLUSIVE');
  assert.equal(v.reasons[0], 'the target failed during the run: "model-server" exited with code 1');
  assert.match(v.reasons[1] ?? '', /^before that: p50 latency 40 ms/);
});
