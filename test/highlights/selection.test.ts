import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_WEIGHTS, parseWeights, type ScoredSecond, scoreSeconds } from '../../src/highlights/scoring.ts';
import { chooseClips } from '../../src/highlights/selection.ts';
import type { HighlightSignals } from '../../src/highlights/signals.ts';

/** Seconds with the given scores (signals left out: selection only reads the score). */
function seconds(scores: readonly number[]): ScoredSecond[] {
  return scores.map((score, t) => ({ t, score, signals: { motion: score, audio: null, people: null, pose: null } }));
}

const still = (n: number): number[] => new Array<number>(n * 10).fill(0);

test('clips go to the best seconds, fill the length with their margins, and never cross a shot boundary', () => {
  // 60 s: two action bursts, 10-17 (strong) and 40-45 (weaker), nothing elsewhere; a cut at 14 s.
  const scores = Array.from({ length: 60 }, (_, t) => (t >= 10 && t < 17 ? 0.9 : t >= 40 && t < 45 ? 0.6 : 0.02));
  const clips = chooseClips(seconds(scores), [0, 14], 60, still(60), { lengthS: 20, marginS: 1, minClipS: 2, maxClipS: 15 });
  const total = clips.reduce((s, c) => s + c.endS - c.startS, 0);
  assert.ok(total <= 20 + 1e-9, `total ${total}`);
  for (const c of clips) {
    const crossesCut = c.startS < 14 && c.endS > 14;
    assert.ok(!crossesCut, `clip ${c.startS}-${c.endS} crosses the cut at 14 s`);
    assert.ok(c.coreStartS >= c.startS && c.coreEndS <= c.endS);
  }
  const covered = (t: number): boolean => clips.some((c) => c.startS <= t && t + 1 <= c.endS);
  for (const t of [10, 11, 12, 13, 14, 15, 16, 40, 41, 42, 43, 44]) assert.ok(covered(t), `second ${t} of action not chosen: ${JSON.stringify(clips)}`);
  for (const t of [0, 5, 25, 30, 55]) assert.ok(!covered(t), `quiet second ${t} chosen`);
});

test('a short target takes the strongest burst; nothing above the minimum score gives no clip', () => {
  const scores = Array.from({ length: 60 }, (_, t) => (t >= 10 && t < 16 ? 0.5 : t >= 40 && t < 46 ? 0.9 : 0.02));
  const clips = chooseClips(seconds(scores), [0], 60, still(60), { lengthS: 8, marginS: 1 });
  assert.equal(clips.length, 1);
  assert.equal(clips[0]?.coreStartS, 40);
  assert.equal(clips[0]?.coreEndS, 46);
  assert.deepEqual(chooseClips(seconds(new Array<number>(60).fill(0.05)), [0], 60, still(60), { lengthS: 20 }), []);
});

test('clip ends move to the calmest moment inside the margin (not into an action)', () => {
  const scores = Array.from({ length: 30 }, (_, t) => (t >= 10 && t < 15 ? 0.9 : 0.02));
  const motion = still(30).map((_, k) => (k >= 80 && k < 97 ? 0.05 : 0.001)); // a movement from 8.0 to 9.7 s, calm after
  motion[93] = 0.05;
  const [clip] = chooseClips(seconds(scores), [0], 30, motion, { lengthS: 10, marginS: 2, minClipS: 3 });
  assert.ok(clip);
  // The lead-in may start from 8.0 s; 8.0-9.7 s is moving, so the start goes to the calm tick at 9.8 or later.
  assert.ok(clip.startS >= 9.7 && clip.startS <= 10, `start ${clip.startS}`);
  assert.equal(clip.endS, 17, 'a calm lead-out keeps its whole margin');
});

test('long videos into long reels stay within bounds (slots grow instead of the table)', () => {
  const n = 4 * 3600;
  const scores = Array.from({ length: n }, (_, t) => (t % 600 < 20 ? 0.8 : 0.05));
  const t0 = performance.now();
  const clips = chooseClips(seconds(scores), [0], n, [], { lengthS: 1800 });
  const ms = performance.now() - t0;
  const total = clips.reduce((s, c) => s + c.endS - c.startS, 0);
  assert.ok(total <= 1800 && total > 400, `total ${total}`);
  assert.ok(clips.length > 10);
  console.log(`4 h into a 30 min reel: ${clips.length} clips, ${total.toFixed(0)} s, chosen in ${ms.toFixed(0)} ms`);
});

test('scores: each signal in 0..1 against the video itself, weights renormalised over what was measured', () => {
  const ticks = 100; // 10 s
  const signals: HighlightSignals = {
    durationS: 10,
    fps: 10,
    width: 64,
    height: 36,
    motion: Array.from({ length: ticks }, (_, k) => (k >= 50 ? 0.03 : 0.001)),
    loudnessLufs: Array.from({ length: ticks }, (_, k) => (k >= 50 ? -14 : -70)),
    people: null,
    pose: null,
    shotStartsS: [0],
    modelFps: 2,
  };
  const { seconds: scored, normalisation } = scoreSeconds(signals, DEFAULT_WEIGHTS);
  assert.equal(scored.length, 10);
  assert.equal(normalisation.audio?.zero, -50);
  for (const s of scored.slice(0, 5)) assert.ok(s.score < 0.05, `quiet second ${s.t}: ${s.score}`);
  for (const s of scored.slice(5)) assert.ok(s.score > 0.95, `loud, moving second ${s.t}: ${s.score}`);
  assert.equal(scored[7]?.signals.people, null);
  assert.deepEqual(parseWeights('motion=1, audio=0'), { motion: 1, audio: 0 });
  assert.throws(() => parseWeights('colour=1'), /unknown signal "colour"/);
  assert.throws(() => parseWeights('motion=-1'), /must be a number >= 0/);
});
