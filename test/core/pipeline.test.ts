import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Frame, FramewiseError, live, NullSink, Pipeline, render, sleepMs, type Stage, StageError } from '../../src/core/index.ts';
import { runStage } from '../../src/testing/index.ts';
import { DelayStage } from '../../src/effects/delay.ts';
import { PassthroughStage } from '../../src/effects/passthrough.ts';
import { blankFrame, CollectSink, CountingSource } from '../helpers.ts';

const throwsOn = (bad: number): Stage => ({
  name: 'fragile',
  process(frame: Frame) {
    if (frame.seq === bad) throw new Error('bad pixels');
    return frame;
  },
});

test('render: a stage that throws fails the job with an error naming the stage and frame', async () => {
  const source = new CountingSource(50);
  const sink = new CollectSink();
  const pipeline = new Pipeline({ source, stages: [throwsOn(7)], sink, policy: render() });
  await assert.rejects(pipeline.run(), (err: unknown) => {
    assert.ok(err instanceof StageError);
    assert.equal(err.stage, 'fragile');
    assert.equal(err.seq, 7);
    assert.match(err.message, /stage "fragile" failed on frame 7: bad pixels/);
    return true;
  });
  assert.ok(sink.seqs.length <= 7 && sink.seqs.every((s, i) => s === i), 'frames before the failure kept their order');
  assert.equal(sink.closed, 1, 'the sink was closed');
  assert.equal(source.closed >= 1, true, 'the source was closed');
  assert.equal(source.pool.outstanding, 0, 'no frame leaked');
});

test('render with onStageError "drop": the bad frame is counted and the job goes on', async () => {
  const sink = new CollectSink();
  const { stats } = await new Pipeline({ source: new CountingSource(20), stages: [throwsOn(3)], sink, policy: render({ onStageError: 'drop' }) }).run();
  assert.equal(sink.seqs.length, 19);
  assert.ok(!sink.seqs.includes(3));
  assert.equal(stats.dropsByReason['stage-error'], 1);
  assert.equal(stats.dropsByStage.fragile, 1);
});

test('live: a stage that throws drops that frame (counted) and the stream goes on', async () => {
  const sink = new CollectSink();
  const source = new CountingSource(30, 100, true);
  const { stats } = await new Pipeline({ source, stages: [throwsOn(5)], sink, policy: live({ deadlineMs: 500 }) }).run();
  assert.equal(stats.dropsByReason['stage-error'], 1);
  assert.ok(!sink.seqs.includes(5));
  assert.ok(sink.seqs.includes(29), 'the last frame came out');
  assert.equal(source.pool.outstanding, 0);
});

test('close() is idempotent, works while running, and stop() reports frames in flight as stopped', async () => {
  const source = new CountingSource(1000, 100, true);
  const sink = new CollectSink();
  const pipeline = new Pipeline({ source, stages: [new DelayStage(20)], sink, policy: live() });
  const running = pipeline.run();
  await sleepMs(150);
  await Promise.all([pipeline.close(), pipeline.close()]);
  await pipeline.close();
  const result = await running;
  assert.equal(result.stopped, true);
  assert.ok(result.stats.framesIn < 1000);
  assert.equal(sink.closed, 1, 'sink closed exactly once');
  assert.equal(source.pool.outstanding, 0);
  await assert.rejects(pipeline.run(), /already closed/);
});

test('close() before run() closes every component and later runs are refused', async () => {
  const source = new CountingSource(10);
  const sink = new CollectSink();
  const pipeline = new Pipeline({ source, sink, policy: render() });
  await pipeline.close();
  await pipeline.close();
  assert.equal(sink.closed, 1);
  await assert.rejects(pipeline.run(), (err: unknown) => err instanceof FramewiseError && err.code === 'invalid-state');
});

test('render: stop() mid-job ends it without error and releases every frame', async () => {
  const source = new CountingSource(500);
  const pipeline = new Pipeline({ source, stages: [new DelayStage(5)], sink: new CollectSink(), policy: render({ concurrency: 3 }) });
  const running = pipeline.run();
  await sleepMs(60);
  pipeline.stop();
  const result = await running;
  assert.equal(result.stopped, true);
  assert.ok(result.stats.framesOut < 500);
  assert.equal(source.pool.outstanding, 0);
});

test('a stage whose close() hangs cannot hang shutdown: the wait is bounded and reported', async () => {
  const hanging: Stage = { name: 'hangs', process: (f: Frame) => f, close: () => new Promise<void>(() => undefined) };
  const sink = new CollectSink();
  const pipeline = new Pipeline({ source: new CountingSource(5), stages: [hanging], sink, policy: render(), shutdownTimeoutMs: 200 });
  await assert.rejects(pipeline.run(), /"hangs" did not close within 200 ms/);
  assert.equal(sink.closed, 1, 'the sink was still closed after the hanging stage');
});

test('a sink that fails stops the run with its error in both policies, even with an endless camera', async () => {
  for (const policy of [render(), live()]) {
    const sink = { name: 'broken', write: () => Promise.reject(new Error('disk full')), close: async () => undefined };
    const source = new CountingSource(1_000_000, 200, true);
    await assert.rejects(new Pipeline({ source, sink, policy }).run(), /disk full/);
    assert.equal(source.pool.outstanding, 0);
  }
});

test('a source that fails to open is reported and everything is closed', async () => {
  const source = new CountingSource(3);
  source.open = () => Promise.reject(new FramewiseError('input-not-found', 'no such camera'));
  const sink = new CollectSink();
  await assert.rejects(new Pipeline({ source, sink, policy: live() }).run(), /no such camera/);
  assert.equal(sink.closed, 1);
});

test('duplicate stage names are refused (stats are keyed by name)', () => {
  assert.throws(
    () => new Pipeline({ source: new CountingSource(1), stages: [new PassthroughStage(), new PassthroughStage()], sink: new NullSink(), policy: render() }),
    /two stages are named "passthrough"/,
  );
});

test("runStage harness: three lines per stage test, under the engine's real rules", async () => {
  const { frames } = await runStage(new DelayStage(1), [blankFrame(0), blankFrame(1)]);
  assert.deepEqual(
    frames.map((f) => f.seq),
    [0, 1],
  );
  // Live: frames arrive at 30 fps like a camera; a 100 ms stage keeps up with a third of them, and the engine (not
  // the stage) drops the rest, each with its reason and the stage that caused it.
  const many = Array.from({ length: 30 }, (_, i) => blankFrame(i));
  const slow = await runStage(new DelayStage(100), many, live({ deadlineMs: 1000 }));
  assert.ok(slow.frames.length >= 6 && slow.frames.length <= 14, `${slow.frames.length} of 30 frames came out`);
  assert.equal(slow.stats.framesIn, 30);
  assert.equal(slow.stats.framesOut + slow.stats.dropped, 30);
  assert.ok(
    slow.frames.every((f, i) => i === 0 || f.seq > (slow.frames[i - 1] as Frame).seq),
    'order kept',
  );
  // Render: a stage error fails the run; live: it drops that frame and carries on.
  await assert.rejects(runStage(throwsOn(1), [blankFrame(0), blankFrame(1), blankFrame(2)]), /fragile.*frame 1.*bad pixels/);
  const survived = await runStage(throwsOn(1), [blankFrame(0), blankFrame(1), blankFrame(2)], live());
  assert.deepEqual(
    survived.frames.map((f) => f.seq),
    [0, 2],
  );
});

test('policies refuse nonsense settings with a clear message', () => {
  assert.throws(() => live({ deadlineMs: 0 }), /deadlineMs must be > 0/);
  assert.throws(() => live({ maxInFlight: 1.5 }), /maxInFlight/);
  assert.throws(() => render({ concurrency: 0 }), /concurrency must be a whole number >= 1/);
});
