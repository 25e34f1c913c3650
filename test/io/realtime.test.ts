import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { live, NullSink, Pipeline, render } from '../../src/core/index.ts';
import { MediaSink } from '../../src/io/media-sink.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import { testdata, scratchDir } from '../helpers.ts';

test('a camera-like file (no B-frames) in realtime mode: paced at its rate, every frame, latency about one decode', async () => {
  const clip = join(scratchDir('realtime'), 'camera.mp4');
  const pattern = new TestPatternSource({ width: 640, height: 480, fps: 30, durationS: 3, paced: false });
  await new Pipeline({ source: pattern, sink: new MediaSink({ output: clip, tuning: 'live' }), policy: render() }).run();
  const source = new MediaSource({ input: clip, realtime: true });
  const { stats, source: info } = await new Pipeline({ source, sink: new NullSink(), policy: live() }).run();
  assert.equal(info.paced, true);
  assert.equal(stats.framesOut, 90);
  assert.equal(stats.dropped, 0);
  assert.ok(stats.durationS > 2.9 && stats.durationS < 3.5, `took ${stats.durationS} s for 3 s of video`);
  assert.ok(stats.latencyMs.p50 < 20, `p50 ${stats.latencyMs.p50} ms: decoded as it arrives, not held`);
});

test("a B-frame file with packet pacing: pictures the decoder holds back count from their own packet's arrival", async () => {
  // desk_person_again.mkv is coded I BBBP...: a P picture arrives three frames before it can be shown.
  const strict = await new Pipeline({
    source: new MediaSource({ input: testdata('videos/desk_person_again.mkv'), realtime: true, pacing: 'packet' }),
    sink: new NullSink(),
    policy: live({ deadlineMs: 100 }),
  }).run();
  assert.ok((strict.stats.dropsByReason.deadline ?? 0) > 5, `held pictures miss a 100 ms deadline: ${JSON.stringify(strict.stats.dropsByReason)}`);
  const loose = await new Pipeline({
    source: new MediaSource({ input: testdata('videos/desk_person_again.mkv'), realtime: true, pacing: 'packet' }),
    sink: new NullSink(),
    policy: live({ deadlineMs: 250 }),
  }).run();
  assert.equal(loose.stats.framesOut, 77);
  assert.ok(loose.stats.latencyMs.max > 90, `the reorder delay shows in the latency: max ${loose.stats.latencyMs.max} ms`);
});

test('loop with a duration plays a short file for longer (soak runs)', async () => {
  const source = new MediaSource({ input: testdata('videos/desk_person_again.mkv'), loop: true, durationS: 6 });
  const { stats } = await new Pipeline({ source, sink: new NullSink(), policy: live() }).run();
  assert.ok(stats.framesOut >= 170 && stats.framesOut <= 181, `${stats.framesOut} frames in 6 s of looped 30 fps video`);
});

test('the test pattern moves: consecutive frames differ outside the code band', async () => {
  const source = new TestPatternSource({ durationS: 1, paced: false });
  await source.open();
  const a = await source.read();
  const aCopy = a?.planes[0]?.slice();
  a?.release();
  const b = await source.read();
  assert.ok(aCopy && b);
  let differing = 0;
  const y = b.planes[0] as Uint8Array;
  for (let i = 640 * 40; i < y.length; i++) if (y[i] !== aCopy[i]) differing++;
  assert.ok(differing > 500, `${differing} luma samples changed`);
  await source.close();
  assert.equal(await source.read(), null, 'a closed source ends');
});
