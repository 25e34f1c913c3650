import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame } from '../../src/core/frame.ts';
import { letterboxRoi, roiToFrame, roiToTensor } from '../../src/models/roi.ts';

/** An rgba picture whose red is 2x and green 2y (B = 100), so a sample's colour tells where it was taken. */
function gradient(width: number, height: number): Frame {
  const frame = Frame.alloc({ width, height, format: 'rgba' });
  const data = frame.planes[0] as Uint8Array;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 2, y * 2, 100, 255], (y * width + x) * 4);
  return frame;
}

test('an axis-aligned crop maps output corners onto the crop corners (pixel-index space, as MediaPipe samples)', () => {
  const frame = gradient(100, 100);
  const out = new Float32Array(50 * 50 * 3);
  roiToTensor(frame, { xCenter: 60, yCenter: 40, width: 50, height: 50, rotation: 0 }, out, 50, 50, [0, 255]);
  // output (0, 0) samples frame (35, 15); output (10, 20) samples (45, 35)
  assert.deepEqual(Array.from(out.subarray(0, 3)), [70, 30, 100]);
  const i = (20 * 50 + 10) * 3;
  assert.deepEqual(Array.from(out.subarray(i, i + 3)), [90, 70, 100]);
});

test('a turned crop samples where roiToFrame says, and pixels outside the frame are black', () => {
  const frame = gradient(120, 100);
  const roi = { xCenter: 60, yCenter: 50, width: 60, height: 40, rotation: 0.7 };
  const out = new Float32Array(30 * 20 * 3);
  roiToTensor(frame, roi, out, 30, 20, [-1, 1]);
  for (const [x, y] of [
    [0, 0],
    [29, 0],
    [7, 13],
    [29, 19],
  ] as const) {
    const p = roiToFrame(roi, x / 30, y / 20);
    const o = (y * 30 + x) * 3;
    assert.ok(Math.abs(((out[o] as number) + 1) * 127.5 - p.x * 2) < 0.01, `(${x}, ${y}) red ${out[o]} vs x ${p.x}`);
    assert.ok(Math.abs(((out[o + 1] as number) + 1) * 127.5 - p.y * 2) < 0.01, `(${x}, ${y}) green vs y ${p.y}`);
  }
  // a letterbox of a wide frame pads above and below with black (-1 in this range)
  const wide = gradient(120, 60);
  const box = new Float32Array(40 * 40 * 3);
  roiToTensor(wide, letterboxRoi(wide), box, 40, 40, [-1, 1]);
  assert.deepEqual(Array.from(box.subarray(0, 3)), [-1, -1, -1], 'top-left is padding');
  const mid = (20 * 40 + 20) * 3;
  assert.ok((box[mid + 2] as number) > -0.3, 'the middle is picture (blue 100)');
});

test('an i420 frame gives the colours of the same rgba picture (BT.601 limited range)', () => {
  const rgba = Frame.alloc({ width: 64, height: 64, format: 'rgba' });
  const i420 = Frame.alloc({ width: 64, height: 64, format: 'i420' });
  (rgba.planes[0] as Uint8Array).fill(255);
  const [y, u, v] = i420.planes as [Uint8Array, Uint8Array, Uint8Array];
  for (let p = 0; p < 64 * 64; p++) (rgba.planes[0] as Uint8Array).set([200, 120, 40], p * 4);
  // 200,120,40 in BT.601 limited range
  y.fill(Math.round(16 + (65.481 * 200 + 128.553 * 120 + 24.966 * 40) / 255));
  u.fill(Math.round(128 + (-37.797 * 200 - 74.203 * 120 + 112 * 40) / 255));
  v.fill(Math.round(128 + (112 * 200 - 93.786 * 120 - 18.214 * 40) / 255));
  const a = new Float32Array(16 * 16 * 3);
  const b = new Float32Array(16 * 16 * 3);
  roiToTensor(rgba, letterboxRoi(rgba), a, 16, 16, [0, 255]);
  roiToTensor(i420, letterboxRoi(i420), b, 16, 16, [0, 255]);
  for (let k = 0; k < a.length; k++) assert.ok(Math.abs((a[k] as number) - (b[k] as number)) < 3, `value ${k}: ${a[k]} vs ${b[k]}`);
});

test('an empty region or a short buffer is refused', () => {
  const frame = gradient(10, 10);
  assert.throws(
    () => roiToTensor(frame, { xCenter: 5, yCenter: 5, width: 0, height: 4, rotation: 0 }, new Float32Array(48), 4, 4, [0, 1]),
    /region to sample is empty/,
  );
  assert.throws(() => roiToTensor(frame, letterboxRoi(frame), new Float32Array(10), 4, 4, [0, 1]), /tensor buffer holds 10 values, 4x4x3 needs 48/);
});
