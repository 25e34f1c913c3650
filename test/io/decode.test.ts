import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render, Pipeline } from '../../src/core/index.ts';
import { FrameIdSink } from '../../src/io/frame-id-sink.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { CollectSink, testdata } from '../helpers.ts';

// Frame counts as `ffprobe -count_frames` reports them for ../shared/testdata/videos.
const VIDEOS = [
  { file: 'desk_person_again.mkv', frames: 77, width: 640, height: 480, fps: 30 },
  { file: 'desk_person_school.mkv', frames: 72, width: 640, height: 480, fps: 30 },
  { file: 'facing_camera_720p.mp4', frames: 195, width: 1280, height: 720, fps: 25 },
  { file: 'one-by-one-person-detection.mp4', frames: 1394, width: 768, height: 432, fps: 10 },
  { file: 'pose_squats.mp4', frames: 65, width: 720, height: 1280, fps: 5 },
];

for (const v of VIDEOS) {
  test(`decodes every frame of ${v.file}: ${v.frames} frames at ${v.width}x${v.height}`, async () => {
    const source = new MediaSource({ input: testdata(`videos/${v.file}`) });
    const sink = new CollectSink();
    const { source: info, stats } = await new Pipeline({ source, sink, policy: render() }).run();
    assert.equal(info.width, v.width);
    assert.equal(info.height, v.height);
    assert.equal(info.fps, v.fps);
    assert.equal(stats.framesOut, v.frames);
    assert.equal(source.decodeErrors, 0);
    assert.deepEqual(
      sink.seqs,
      Array.from({ length: v.frames }, (_, i) => i),
    );
  });
}

test('decoded pixels are real picture content in every output format (not blank, same picture)', async () => {
  const means: Record<string, number> = {};
  for (const format of ['i420', 'rgba', 'rgb24'] as const) {
    const source = new MediaSource({ input: testdata('videos/desk_person_again.mkv'), format });
    await source.open();
    const frame = await source.read();
    assert.ok(frame);
    assert.equal(frame.format, format);
    const p = frame.planes[0] as Uint8Array;
    let sum = 0;
    let sumSq = 0;
    const step = format === 'i420' ? 1 : format === 'rgba' ? 4 : 3;
    let n = 0;
    for (let i = 0; i < frame.width * frame.height; i++) {
      const o = i * step;
      const luma = step === 1 ? (p[o] as number) : ((p[o] as number) * 77 + (p[o + 1] as number) * 150 + (p[o + 2] as number) * 29) / 256;
      sum += luma;
      sumSq += luma * luma;
      n++;
    }
    const mean = sum / n;
    assert.ok(Math.sqrt(sumSq / n - mean * mean) > 20, `${format}: the picture has contrast`);
    means[format] = mean;
    frame.release();
    await source.close();
  }
  // RGB from swscale and our own I420 copy agree on brightness (within limited/full-range differences).
  assert.ok(Math.abs((means.rgba as number) - (means.i420 as number)) < 20, JSON.stringify(means));
});

test('the frames of a real video carry no frame-ID code (the reader does not invent ids)', async () => {
  const sink = new FrameIdSink();
  await new Pipeline({ source: new MediaSource({ input: testdata('videos/desk_person_school.mkv') }), sink, policy: render() }).run();
  assert.equal(sink.results().readable, 0);
  assert.equal(sink.results().frames, 72);
});
