import assert from 'node:assert/strict';
import { test } from 'node:test';
import { live, NullSink, Pipeline } from '../../src/core/index.ts';
import { createEffect } from '../../src/effects/registry.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { testdata } from '../helpers.ts';

// Files paced like a camera measure the pipeline, not the file's encoding: every clip here but pose_squats.mp4 has
// B-frame pyramids, which hold pictures in the decoder for up to 5 frames.

const B_FRAME_CLIPS = [
  'videos/desk_person_again.mkv',
  'videos/desk_person_school.mkv',
  'videos/facing_camera_720p.mp4',
  'videos/one-by-one-person-detection.mp4',
];

async function liveRun(clip: string, effect: string, pacing?: 'picture' | 'packet') {
  const source = new MediaSource({ input: testdata(clip), realtime: true, durationS: 4, ...(pacing ? { pacing } : {}) });
  const result = await new Pipeline({ source, stages: [createEffect(effect)], sink: new NullSink(), policy: live() }).run();
  return { stats: result.stats, reorder: source.decoderReorderMs() };
}

test('B-frame clips paced like a camera: passthrough drops nothing and latency is the decode, not the reordering', async (t) => {
  for (const clip of B_FRAME_CLIPS) {
    const { stats, reorder } = await liveRun(clip, 'passthrough');
    t.diagnostic(
      `${clip}: ${stats.framesIn} in, ${stats.dropped} dropped, p50 ${stats.latencyMs.p50} ms, p95 ${stats.latencyMs.p95} ms, reorder p95 ${reorder?.p95} ms`,
    );
    assert.ok(reorder && reorder.p95 >= 60, `${clip} has B-frames: its decoder holds pictures back (reorder p95 ${reorder?.p95} ms)`);
    assert.equal(stats.dropped, 0, `${clip}: ${JSON.stringify(stats.dropsByStage)}`);
    assert.ok(stats.latencyMs.p50 < 15, `${clip}: p50 ${stats.latencyMs.p50} ms is about one picture's decode`);
    assert.ok(
      stats.latencyMs.p95 < reorder.p95 / 2,
      `${clip}: p95 ${stats.latencyMs.p95} ms stays well below the reorder delay (p95 ${reorder.p95} ms) it no longer pays`,
    );
  }
});

test('--pacing packet keeps the decoder delay visible, and charges its drops to the source, not the effect', async () => {
  const { stats, reorder } = await liveRun('videos/desk_person_again.mkv', 'grayscale', 'packet');
  assert.ok(reorder);
  assert.ok(stats.latencyMs.p50 >= 20, `p50 ${stats.latencyMs.p50} ms includes the pictures' wait in the decoder`);
  assert.ok(stats.dropped > 0);
  assert.deepEqual(Object.keys(stats.dropsByStage), ['source'], `drops by stage ${JSON.stringify(stats.dropsByStage)}`);
});

test('a genuinely slow stage still drops, and the drops are charged to it (delay:50 at 30 fps)', async () => {
  const { stats } = await liveRun('videos/desk_person_again.mkv', 'delay:50');
  assert.ok(stats.dropped >= 15, `${stats.dropped} dropped of ${stats.framesIn}`);
  assert.deepEqual(Object.keys(stats.dropsByStage), ['delay:50'], `drops by stage ${JSON.stringify(stats.dropsByStage)}`);
  assert.ok(stats.framesOut >= 40 && stats.framesOut <= 60, `${stats.framesOut} frames out of 77: about 20 fps for 2.6 s`);
});
