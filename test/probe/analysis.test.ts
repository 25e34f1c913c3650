import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkPeriod } from '../../src/probe/analysis.ts';

test('chunk detection: bursts released at once are chunks; a flowing stream with periodic stalls is not', () => {
  const fps = 30;
  // A 1 s chunker: 30 frames within a few ms, once a second.
  const bursts: number[] = [];
  for (let s = 0; s < 8; s++) for (let k = 0; k < 30; k++) bursts.push(s + k * 0.0005);
  assert.ok(Math.abs((chunkPeriod(bursts, fps) ?? 0) - 1) < 0.01);
  // Frames one period apart with a 150 ms stall every second (a freeze pattern, as a loaded WebRTC path shows).
  const stalls: number[] = [];
  let t = 0;
  for (let i = 0; i < 240; i++) {
    t += i % 26 === 25 ? 0.15 : 1 / fps;
    stalls.push(t);
  }
  assert.equal(chunkPeriod(stalls, fps), null);
  // Smooth output.
  assert.equal(
    chunkPeriod(
      Array.from({ length: 240 }, (_, i) => i / fps),
      fps,
    ),
    null,
  );
});
