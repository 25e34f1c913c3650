import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaSource } from '../../src/io/media-source.ts';
import { PoseEstimator } from '../../src/models/pose-estimator.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { jsonGolden } from './goldens.ts';

for (const variant of ['full', 'lite'] as const) {
  test(`pose (${variant}) on pose_squats.mp4: mean error <= 30 px over the 33 landmarks of all 65 frames against MediaPipe Pose full`, async (t) => {
    const golden = jsonGolden<[number, number, number][][]>('pose_squats.full.json');
    const estimator = await PoseEstimator.load({ modelsDir: scratchDir('pose'), variant });
    const source = new MediaSource({ input: testdata('videos/pose_squats.mp4'), format: 'i420' });
    await source.open();
    const perFrame: number[] = [];
    try {
      for (let frame = await source.read(); frame; frame = await source.read()) {
        const pose = await estimator.detect(frame);
        const expected = golden[perFrame.length];
        frame.release();
        assert.ok(pose && expected, `frame ${perFrame.length}: a pose (golden has ${expected?.length ?? 0} points)`);
        assert.equal(pose.landmarks.length, 33);
        let sum = 0;
        for (const [k, p] of pose.landmarks.entries()) sum += Math.hypot(p.x - (expected[k]?.[0] ?? NaN), p.y - (expected[k]?.[1] ?? NaN));
        perFrame.push(sum / 33);
      }
    } finally {
      await source.close();
      await estimator.close();
    }
    assert.equal(perFrame.length, golden.length, 'every frame of the clip has a golden pose');
    const mean = perFrame.reduce((a, b) => a + b, 0) / perFrame.length;
    t.diagnostic(`mean ${mean.toFixed(1)} px, worst frame ${Math.max(...perFrame).toFixed(1)} px`);
    assert.ok(mean <= 30, `mean error ${mean.toFixed(1)} px`);
  });
}
