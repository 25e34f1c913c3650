import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FramewiseError, type PixelFormat, Pipeline, render } from '../../src/core/index.ts';
import { MediaSink } from '../../src/io/media-sink.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import { CollectSink, testdata, scratchDir } from '../helpers.ts';

const dir = scratchDir('errors');

function hasCode(code: FramewiseError['code'], pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof FramewiseError, `expected a FramewiseError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  };
}

test('an unknown input path says so and what to pass instead', async () => {
  await assert.rejects(new MediaSource({ input: join(dir, 'missing.mp4') }).open(), hasCode('input-not-found', /does not exist: check the path/));
});

test('a non-video file is refused with a clear message', async () => {
  const notVideo = join(dir, 'notes.mp4');
  writeFileSync(notVideo, 'these are meeting notes, not a video\n'.repeat(200));
  await assert.rejects(
    new MediaSource({ input: notVideo }).open(),
    hasCode('input-unreadable', /cannot open input .*notes\.mp4.*Check that it is a video file/),
  );
});

test('an empty file is refused before FFmpeg sees it', async () => {
  const empty = join(dir, 'empty.mkv');
  writeFileSync(empty, '');
  await assert.rejects(new MediaSource({ input: empty }).open(), hasCode('input-unreadable', /is empty/));
});

test('a truncated video fails with a clear error and no crash', async () => {
  // Keep the first 40 % of an MP4 whose index sits at the end: the container cannot be opened.
  const whole = readFileSync(testdata('videos/facing_camera_720p.mp4'));
  const cut = join(dir, 'truncated.mp4');
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.4)));
  const source = new MediaSource({ input: cut });
  await assert.rejects(
    new Pipeline({ source, sink: new CollectSink(), policy: render() }).run(),
    hasCode('input-unreadable', /ended after \d+ of the 195 frames its index lists: the file is truncated or corrupt/),
  );
});

test('a truncated Matroska stream delivers the frames before the cut and ends', async () => {
  const whole = readFileSync(testdata('videos/desk_person_again.mkv'));
  const cut = join(dir, 'truncated.mkv');
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.5)));
  const sink = new CollectSink();
  const { stats } = await new Pipeline({ source: new MediaSource({ input: cut }), sink, policy: render() }).run();
  assert.ok(stats.framesOut > 10 && stats.framesOut < 77, `${stats.framesOut} frames before the cut`);
});

test('corrupt bytes in the middle of a video are skipped, counted, and never crash the process', async () => {
  const bytes = readFileSync(testdata('videos/desk_person_school.mkv'));
  let seed = 1;
  for (let i = Math.floor(bytes.length * 0.3); i < Math.floor(bytes.length * 0.6); i += 7) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    bytes[i] = seed & 0xff;
  }
  const corrupt = join(dir, 'corrupt.mkv');
  writeFileSync(corrupt, bytes);
  const source = new MediaSource({ input: corrupt });
  const sink = new CollectSink();
  const { stats } = await new Pipeline({ source, sink, policy: render() }).run();
  assert.ok(stats.framesOut > 0, 'the undamaged part still decodes');
  assert.ok(stats.framesOut <= 72);
});

test('an unsupported pixel format is refused with the list of supported ones', () => {
  assert.throws(
    () => new MediaSource({ input: 'x.mp4', format: 'bgr48' as PixelFormat }),
    hasCode('unsupported-format', /"bgr48" is not supported: use rgba, rgb24, i420, nv12/),
  );
});

test('frames larger than the limit are refused, naming the size', async () => {
  await assert.rejects(
    new MediaSource({ input: testdata('videos/facing_camera_720p.mp4'), maxPixels: 640 * 480 }).open(),
    hasCode('unsupported-format', /1280x720, larger than the limit/),
  );
});

test('an output in a folder that does not exist fails with what to check', async () => {
  const sink = new MediaSink({ output: join(dir, 'no', 'such', 'dir', 'out.mp4') });
  const source = new TestPatternSource({ durationS: 1, paced: false });
  await assert.rejects(new Pipeline({ source, sink, policy: render() }).run(), hasCode('output-failed', /folder exists and is writable/));
});

test('an output whose format cannot be told from its name lists the known ones', async () => {
  const sink = new MediaSink({ output: join(dir, 'out.xyz') });
  await assert.rejects(
    new Pipeline({ source: new TestPatternSource({ durationS: 1, paced: false }), sink, policy: render() }).run(),
    hasCode('invalid-argument', /cannot tell the output format.*\.mp4/),
  );
  const vp8InFlv = new MediaSink({ output: join(dir, 'out.flv'), codec: 'vp8' });
  await assert.rejects(
    new Pipeline({ source: new TestPatternSource({ durationS: 1, paced: false }), sink: vp8InFlv, policy: render() }).run(),
    /flv cannot carry vp8/,
  );
});

test('a MediaSink closed twice writes one valid file', async () => {
  const output = join(dir, 'twice.mp4');
  copyFileSync(testdata('videos/desk_person_again.mkv'), join(dir, 'input.mkv'));
  const sink = new MediaSink({ output });
  await new Pipeline({ source: new MediaSource({ input: join(dir, 'input.mkv') }), sink, policy: render() }).run();
  await sink.close();
  const back = new CollectSink();
  const { stats } = await new Pipeline({ source: new MediaSource({ input: output }), sink: back, policy: render() }).run();
  assert.equal(stats.framesOut, 77);
});
