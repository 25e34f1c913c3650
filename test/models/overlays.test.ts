import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame } from '../../src/core/frame.ts';
import { runStage } from '../../src/testing/index.ts';
import { COLOURS } from '../../src/effects/draw.ts';
import { FacesStage, PoseStage } from '../../src/effects/overlay-stages.ts';
import { createEffect } from '../../src/effects/registry.ts';
import { SquatCounter } from '../../src/effects/rep-counter.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import type { PoseLandmark } from '../../src/models/pose-estimator.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { jsonGolden } from './goldens.ts';

const modelsDir = scratchDir('overlays');

async function frames(clip: string, count: number): Promise<Frame[]> {
  const source = new MediaSource({ input: testdata(`videos/${clip}`), format: 'i420' });
  await source.open();
  const out: Frame[] = [];
  for (let f = await source.read(); f && out.length < count; f = await source.read()) {
    const copy = Frame.alloc({ width: f.width, height: f.height, format: 'i420' });
    f.planes.forEach((p, k) => copy.planes[k]?.set(p));
    f.release();
    out.push(copy);
  }
  await source.close();
  return out;
}

/** Landmarks at golden positions, all visible. */
function asLandmarks(points: [number, number, number][]): PoseLandmark[] {
  return points.map(([x, y, z]) => ({ x, y, z, visibility: 1, presence: 1 }));
}

test('squat counter: hysteresis between 110 and 155 degrees, jitter at a threshold counts once, hidden legs are ignored', () => {
  const standing = asLandmarks(Array.from({ length: 33 }, () => [0, 0, 0]));
  const legs = (deg: number): PoseLandmark[] => {
    const l = standing.map((p) => ({ ...p }));
    const rad = (deg * Math.PI) / 180;
    for (const [hip, knee, ankle] of [
      [23, 25, 27],
      [24, 26, 28],
    ] as const) {
      l[knee] = { x: 0, y: 100, z: 0, visibility: 1, presence: 1 };
      l[ankle] = { x: 0, y: 200, z: 0, visibility: 1, presence: 1 };
      // knee->hip at `deg` from knee->ankle
      l[hip] = { x: 100 * Math.sin(rad), y: 100 + 100 * Math.cos(rad), z: 0, visibility: 1, presence: 1 };
    }
    return l;
  };
  const counter = new SquatCounter();
  for (const deg of [175, 150, 112, 108, 112, 108, 100, 140, 154, 156, 150, 160, 170, 100, 170]) counter.update(legs(deg));
  assert.equal(counter.reps, 2);
  const hidden = legs(90).map((p) => ({ ...p, visibility: 0.1 }));
  counter.update(hidden);
  assert.ok(Number.isNaN(counter.angleDeg), 'no visible leg, no angle');
  assert.equal(counter.phase, 'up', 'an invisible pose does not start a repetition');
});

test('pose effect on pose_squats.mp4: 2 completed squats, as the MediaPipe golden landmarks count them; skeleton drawn', async () => {
  const golden = jsonGolden<[number, number, number][][]>('pose_squats.full.json');
  const reference = new SquatCounter();
  for (const points of golden) reference.update(asLandmarks(points));
  assert.equal(reference.reps, 2, 'the golden: two squats down and up, a third one still on the way up when the clip ends');
  const input = await frames('pose_squats.mp4', 65);
  const before = (input[20] as Frame).planes[0]?.slice() ?? new Uint8Array();
  const stage = new PoseStage({ modelsDir });
  const { frames: out } = await runStage(stage, input);
  assert.equal(out.length, 65);
  assert.ok(
    out.every((f) => f?.meta.pose?.landmarks.length === 33),
    'a pose on every frame',
  );
  assert.equal(out[64]?.meta.reps, 2);
  assert.equal(stage.counter.reps, 2);
  const after = out[20]?.planes[0] ?? new Uint8Array();
  const drawn = after.reduce((n, v, i) => n + (v !== before[i] && (v === COLOURS.green[0] || v === COLOURS.yellow[0]) ? 1 : 0), 0);
  assert.ok(drawn > 500, `skeleton pixels drawn (${drawn})`);
});

test('faces effect on a webcam clip: one face per frame, its box drawn in green on the luma plane', async () => {
  const input = await frames('facing_camera_720p.mp4', 3);
  const { frames: out } = await runStage(new FacesStage({ modelsDir }), input);
  for (const f of out) {
    assert.ok(f);
    const face = f.meta.faces?.[0];
    assert.ok(face && f.meta.faces?.length === 1, 'one face');
    const y = f.planes[0] as Uint8Array;
    const top = Math.round(face.box.yMin) * f.width + Math.round(face.box.xMin + face.box.width / 2);
    assert.equal(y[top + f.width], COLOURS.green[0], 'the top edge of the box');
  }
});

test('overlay effects: a clear error for rgba frames and for unknown object classes', async () => {
  assert.throws(() => createEffect('objects:person+unicorn'), /unknown object class "unicorn"/);
  const stage = createEffect('faces');
  const rgba = Frame.alloc({ width: 64, height: 64, format: 'rgba' });
  await assert.rejects(runStage(stage, [rgba]), /faces draws on i420 frames, got rgba/);
});
