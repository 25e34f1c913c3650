import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DelayStage } from '../../src/effects/delay.ts';
import { live, NullSink, Pipeline, render } from '../../src/core/index.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';

test('live: 30 fps camera, 50 ms stage, 20 s: latency stays under two stage times and flat, late frames dropped by name', async () => {
  const source = new TestPatternSource({ fps: 30, durationS: 20 });
  // A loose deadline: the bound below must come from newest-frame-wins, not from the deadline check.
  const pipeline = new Pipeline({ source, stages: [new DelayStage(50)], sink: new NullSink(), policy: live({ deadlineMs: 1000 }) });
  const { stats } = await pipeline.run();
  assert.equal(stats.framesIn, 600, 'the source was never blocked: every camera frame entered');
  assert.ok(stats.latencyMs.p99 < 100, `p99 ${stats.latencyMs.p99} ms < 2 x 50 ms`);
  assert.ok(stats.latencyMs.p50 >= 50, `p50 ${stats.latencyMs.p50} ms includes the stage time`);
  assert.ok(Math.abs(stats.driftMsPerS) < 1, `drift ${stats.driftMsPerS} ms/s is flat`);
  assert.ok(stats.windows.length >= 19);
  // The stage can do 20 fps of the 30 offered: about a third is dropped, each with a reason and a place.
  assert.ok(stats.framesOut >= 350 && stats.framesOut <= 420, `framesOut ${stats.framesOut}`);
  assert.equal(stats.framesOut + stats.dropped, stats.framesIn);
  assert.equal(stats.dropsByReason.superseded, stats.dropped);
  assert.equal(stats.dropsByStage['delay:50'], stats.dropped);
});

test('render with the same camera queues instead: every frame out, latency grows (the drift live avoids)', async () => {
  const source = new TestPatternSource({ fps: 30, durationS: 5 });
  const pipeline = new Pipeline({ source, stages: [new DelayStage(50)], sink: new NullSink(), policy: render({ concurrency: 4 }) });
  const { stats } = await pipeline.run();
  assert.equal(stats.framesOut, 150);
  assert.equal(stats.dropped, 0);
  assert.ok(stats.driftMsPerS > 100, `drift ${stats.driftMsPerS} ms/s shows the queue growing`);
});

test('live: frames past the deadline are dropped at stage entry with reason "deadline"', async () => {
  const source = new TestPatternSource({ fps: 30, durationS: 2 });
  const stages = [new DelayStage(40), new DelayStage(40.5)];
  const pipeline = new Pipeline({ source, stages, sink: new NullSink(), policy: live({ deadlineMs: 60 }) });
  const { stats } = await pipeline.run();
  assert.ok((stats.dropsByReason.deadline ?? 0) > 0, JSON.stringify(stats.dropsByReason));
  assert.ok(stats.latencyMs.max < 60 + 41 + 15, `a frame that passed the last check took at most one more stage: ${stats.latencyMs.max}`);
});
