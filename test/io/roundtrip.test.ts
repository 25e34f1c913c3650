import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scratchDir } from '../helpers.ts';
import { Pipeline, render } from '../../src/core/index.ts';
import { FrameIdSink } from '../../src/io/frame-id-sink.ts';
import { MediaSink } from '../../src/io/media-sink.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import type { VideoCodec } from '../../src/io/output-format.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';

const dir = scratchDir('roundtrip');

const CASES: { file: string; codec: VideoCodec; kbps: number }[] = [
  { file: 'h264.mp4', codec: 'h264', kbps: 1000 },
  { file: 'h264-low.mkv', codec: 'h264', kbps: 300 },
  { file: 'vp8.webm', codec: 'vp8', kbps: 1000 },
  { file: 'vp8-low.webm', codec: 'vp8', kbps: 300 },
];

for (const c of CASES) {
  test(`encode -> decode keeps every frame-ID code readable: ${c.codec} at ${c.kbps} kbps (${c.file})`, async () => {
    const output = join(dir, c.file);
    const source = new TestPatternSource({ width: 640, height: 480, fps: 30, durationS: 3, paced: false });
    const sink = new MediaSink({ output, codec: c.codec, bitrateKbps: c.kbps });
    const written = await new Pipeline({ source, sink, policy: render() }).run();
    assert.equal(written.stats.framesOut, 90);
    const bytes = statSync(output).size;
    // About the bitrate asked for (rate control settles within a few seconds; the static pattern needs less).
    assert.ok(bytes < ((c.kbps * 1000) / 8) * 3 * 1.5, `${bytes} bytes for 3 s at ${c.kbps} kbps`);
    const reader = new FrameIdSink();
    const back = await new Pipeline({ source: new MediaSource({ input: output }), sink: reader, policy: render() }).run();
    assert.equal(back.stats.framesOut, 90);
    assert.deepEqual(reader.results(), { frames: 90, readable: 90, unreadable: 0, mismatched: 0, outOfOrder: 0 });
    assert.ok(Math.abs(back.source.fps - 30) < 0.01, `fps ${back.source.fps}`);
  });
}

test('rgba frames are converted on the way into the encoder and still read back', async () => {
  const output = join(dir, 'rgba.mp4');
  const source = new TestPatternSource({ width: 320, height: 240, fps: 30, durationS: 1, paced: false, format: 'rgba' });
  await new Pipeline({ source, sink: new MediaSink({ output, bitrateKbps: 800 }), policy: render() }).run();
  const reader = new FrameIdSink();
  await new Pipeline({ source: new MediaSource({ input: output, format: 'rgba' }), sink: reader, policy: render() }).run();
  assert.equal(reader.results().readable, 30);
  assert.equal(reader.results().mismatched, 0);
});
