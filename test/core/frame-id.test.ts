import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame, FRAME_ID_MODULO, readFrameId, writeFrameId } from '../../src/core/index.ts';

test('a written id reads back in every pixel format', () => {
  for (const format of ['rgba', 'rgb24', 'i420', 'nv12'] as const) {
    const frame = Frame.alloc({ width: 640, height: 480, format });
    for (const id of [0, 1, 12345, FRAME_ID_MODULO - 1]) {
      writeFrameId(frame, id);
      assert.equal(readFrameId(frame), id, `${format} id ${id}`);
    }
  }
});

test('a frame without a code, or with a damaged code, reads as null', () => {
  const frame = Frame.alloc({ width: 640, height: 480, format: 'i420' });
  assert.equal(readFrameId(frame), null);
  writeFrameId(frame, 777);
  const y = frame.planes[0] as Uint8Array;
  // Flip one data cell (cell 20) to the opposite level: the CRC must catch it.
  const cell = 640 / 36;
  for (let row = 0; row < 18; row++) for (let x = Math.round(20 * cell); x < Math.round(21 * cell); x++) y[row * 640 + x] = 255 - (y[row * 640 + x] as number);
  assert.equal(readFrameId(frame), null);
});

test('the code survives noise and a uniform 2x downscale', () => {
  const big = Frame.alloc({ width: 1280, height: 720, format: 'i420' });
  writeFrameId(big, 4242);
  const small = Frame.alloc({ width: 640, height: 360, format: 'i420' });
  const src = big.planes[0] as Uint8Array;
  const dst = small.planes[0] as Uint8Array;
  let seed = 7;
  for (let y = 0; y < 360; y++) {
    for (let x = 0; x < 640; x++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const noise = (seed % 41) - 20;
      dst[y * 640 + x] = Math.min(255, Math.max(0, (src[2 * y * 1280 + 2 * x] as number) + noise));
    }
  }
  assert.equal(readFrameId(small), 4242);
});
