import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame, FramewiseError, readFrameId, writeFrameId } from '../../src/core/index.ts';
import { y4mFrame, y4mHeader, Y4mParser } from '../../src/io/y4m.ts';

test('y4m written frame by frame parses back byte for byte, across arbitrary chunk boundaries', () => {
  const frames = [0, 1, 2].map((id) => {
    const f = Frame.alloc({ width: 320, height: 240, format: 'i420' });
    writeFrameId(f, id);
    return f;
  });
  const stream = Buffer.concat([y4mHeader(320, 240, 30), ...frames.map(y4mFrame)]);
  const parser = new Y4mParser();
  const out: Frame[] = [];
  for (let i = 0; i < stream.length; i += 7919) out.push(...parser.push(stream.subarray(i, i + 7919)));
  assert.equal(parser.width, 320);
  assert.deepEqual(
    out.map((f) => readFrameId(f)),
    [0, 1, 2],
  );
  assert.deepEqual(out[1]?.planes[0], frames[1]?.planes[0]);
});

test('y4m streams that are not 4:2:0, or not y4m at all, are refused clearly', () => {
  assert.throws(
    () => new Y4mParser().push(Buffer.from('YUV4MPEG2 W64 H64 F30:1 C444\n')),
    (e: unknown) => e instanceof FramewiseError && /chroma "444" is not supported/.test(e.message),
  );
  assert.throws(() => new Y4mParser().push(Buffer.from('GIF89a....\n')), /not a y4m stream/);
  const parser = new Y4mParser();
  parser.push(Buffer.from('YUV4MPEG2 W64 H64 F30:1 C420jpeg\n'));
  assert.throws(() => parser.push(Buffer.from('JUNK\n')), /out of step: expected "FRAME"/);
});
