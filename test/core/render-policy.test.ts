import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DelayStage } from '../../src/effects/delay.ts';
import { type Frame, Pipeline, render, sleepMs, type Stage } from '../../src/core/index.ts';
import { CollectSink, CountingSource } from '../helpers.ts';

test('render: every frame delivered, in order, none dropped', async () => {
  const source = new CountingSource(120);
  const sink = new CollectSink();
  const { stats } = await new Pipeline({ source, stages: [new DelayStage(5)], sink, policy: render() }).run();
  assert.deepEqual(
    sink.seqs,
    Array.from({ length: 120 }, (_, i) => i),
  );
  assert.equal(stats.dropped, 0);
  assert.equal(source.pool.outstanding, 0, 'every frame went back to its pool');
});

test('render: a concurrent stage with uneven times still yields ordered output, and overlaps frames', async () => {
  let active = 0;
  let peak = 0;
  const jittery: Stage = {
    name: 'jittery',
    concurrency: 4,
    async process(frame: Frame) {
      active++;
      peak = Math.max(peak, active);
      await sleepMs(frame.seq % 3 === 0 ? 12 : 2);
      active--;
      return frame;
    },
  };
  const sink = new CollectSink();
  await new Pipeline({ source: new CountingSource(60), stages: [jittery], sink, policy: render({ concurrency: 4 }) }).run();
  assert.deepEqual(
    sink.seqs,
    Array.from({ length: 60 }, (_, i) => i),
  );
  assert.ok(peak > 1 && peak <= 4, `peak concurrency ${peak}`);
});

test('render: two serial stages overlap across frames (pipelining)', async () => {
  const busy = [false, false];
  let overlapped = 0;
  const timed = (index: number): Stage => ({
    name: `s${index}`,
    async process(frame: Frame) {
      busy[index] = true;
      if (busy[0] && busy[1]) overlapped++;
      await sleepMs(3);
      busy[index] = false;
      return frame;
    },
  });
  const sink = new CollectSink();
  await new Pipeline({ source: new CountingSource(30), stages: [timed(0), timed(1)], sink, policy: render({ concurrency: 4 }) }).run();
  assert.equal(sink.seqs.length, 30);
  assert.ok(overlapped >= 10, `stage 1 worked on a later frame while stage 2 worked on an earlier one ${overlapped} times`);
});

test('render: a stage returning null consumes the frame without breaking order for the rest', async () => {
  const evensOnly: Stage = { name: 'evens', process: (f: Frame) => (f.seq % 2 === 0 ? f : null) };
  const sink = new CollectSink();
  const source = new CountingSource(20);
  const { stats } = await new Pipeline({ source, stages: [evensOnly, new DelayStage(1)], sink, policy: render() }).run();
  assert.deepEqual(sink.seqs, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.equal(stats.dropsByReason.filtered, 10);
  assert.equal(source.pool.outstanding, 0);
});
