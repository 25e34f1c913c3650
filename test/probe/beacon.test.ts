import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BeaconSchedule } from '../../src/probe/beacon.ts';

test('beacon flashes start every 1.5-2.5 s, last about 100 ms, and the schedule is the same for a seed', () => {
  const fps = 30;
  const a = new BeaconSchedule(fps, 42);
  const onsets: number[] = [];
  let lit = 0;
  for (let seq = 0; seq < fps * 600; seq++) {
    if (a.isOnset(seq)) onsets.push(seq);
    if (a.isLit(seq)) lit++;
  }
  const gaps = onsets.slice(1).map((s, i) => s - (onsets[i] as number));
  assert.ok(onsets.length >= 240 && onsets.length <= 400, `${onsets.length} flashes in 10 min`);
  assert.ok(
    gaps.every((g) => g >= 1.5 * fps && g <= 2.5 * fps),
    'every gap in range',
  );
  assert.equal(lit, onsets.length * 3, 'each flash lights 3 frames at 30 fps');
  const b = new BeaconSchedule(fps, 42);
  assert.deepEqual(
    onsets.slice(0, 20).map((s) => b.isOnset(s)),
    Array.from({ length: 20 }, () => true),
  );
  assert.equal(new BeaconSchedule(fps, 7).isOnset(onsets[0] as number) && new BeaconSchedule(fps, 7).isOnset(onsets[1] as number), false);
});
