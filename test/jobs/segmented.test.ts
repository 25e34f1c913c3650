import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { MediaSource } from '../../src/io/media-source.ts';
import { renderSegmented } from '../../src/jobs/segmented-render.ts';
import { scratchDir, testdata } from '../helpers.ts';

/** Every picture of `input` from `startAtUs` on: its time and a checksum of its pixels. */
async function pictures(input: string, startAtUs?: number): Promise<{ ptsUs: number; sum: string }[]> {
  const source = new MediaSource({ input, ...(startAtUs === undefined ? {} : { startAtUs }) });
  await source.open();
  const out: { ptsUs: number; sum: string }[] = [];
  try {
    for (let frame = await source.read(); frame; frame = await source.read()) {
      const hash = createHash('md5');
      for (const plane of frame.planes) hash.update(plane);
      out.push({ ptsUs: frame.ptsUs, sum: hash.digest('hex') });
      frame.release();
    }
  } finally {
    await source.close();
  }
  return out;
}

test('a MediaSource started mid-file hands out exactly the pictures from that time on, B-frames or not', { timeout: 120_000 }, async () => {
  for (const clip of ['videos/desk_person_school.mkv', 'videos/facing_camera_720p.mp4']) {
    const input = testdata(clip);
    const all = await pictures(input, 0);
    for (const at of [1, 0.5 * (all.at(-1)?.ptsUs ?? 0) + 7, all[40]?.ptsUs ?? 0]) {
      const from = await pictures(input, Math.round(at));
      assert.deepEqual(
        from,
        all.filter((p) => p.ptsUs >= Math.round(at)),
        `${clip} from ${at} µs`,
      );
    }
  }
});

test('effects whose state spans the whole run render in one segment; short inputs in as many as their length needs', { timeout: 180_000 }, async () => {
  const dir = scratchDir('segmented');
  const input = testdata('videos/desk_person_school.mkv'); // 72 frames, 2.4 s
  const pose = await renderSegmented({ input, effects: ['pose:lite'], output: join(dir, 'pose.mp4'), segmentsDir: join(dir, 'p'), segmentS: 1 });
  assert.equal(pose.segments, 1);
  assert.equal(pose.frames, 72);
  const grey = await renderSegmented({ input, effects: ['grayscale'], output: join(dir, 'grey.webm'), segmentsDir: join(dir, 'g'), segmentS: 1 });
  assert.equal(grey.segments, 3);
  assert.equal(grey.frames, 72);
  await assert.rejects(
    renderSegmented({ input, effects: ['grayscale'], output: join(dir, 'x.mp4'), segmentsDir: join(dir, 'x'), segmentS: 0.2 }),
    /at least 1 s/,
  );
});
