import assert from 'node:assert/strict';
import { test } from 'node:test';
import { live, NullSink, Pipeline } from '../../src/core/index.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import { testdata } from '../helpers.ts';

test('a file in realtime mode is paced like a camera: its media duration, every frame, one decoder thread', async () => {
  const source = new MediaSource({ input: testdata('videos/desk_person_again.mkv'), realtime: true });
  const { stats, source: info } = await new Pipeline({ source, sink: new NullSink(), policy: live() }).run();
  assert.equal(info.paced, true);
  assert.equal(stats.framesOut, 77);
  assert.ok(stats.durationS > 2.4 && stats.durationS < 3.2, `took ${stats.durationS} s for 2.5 s of video`);
  assert.equal(stats.dropped, 0);
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
