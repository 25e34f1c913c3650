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

test('finished segments are handed on in order while the next renders; a failed hand-on stops the render, nothing after it', { timeout: 180_000 }, async () => {
  const dir = scratchDir('segmented-hand-on');
  const input = testdata('videos/desk_person_school.mkv'); // 2.4 s: 3 segments of 1 s
  const events: string[] = [];
  let secondStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (secondStarted = resolve));
  // The first hand-on only ends once the second segment has started: a render that waited for it would never finish.
  const result = await renderSegmented({
    input,
    effects: ['grayscale'],
    output: join(dir, 'out.mp4'),
    segmentsDir: join(dir, 'a'),
    segmentS: 1,
    onSegmentStart: (index) => {
      events.push(`start ${index}`);
      if (index === 1) secondStarted();
    },
    onSegmentDone: async (index, files) => {
      events.push(`hand on ${index} (${files.map((f) => f.split('/').at(-1)).join(' ')})`);
      if (index === 0) await started;
      events.push(`handed ${index}`);
    },
  });
  assert.equal(result.segments, 3);
  assert.equal(result.frames, 72);
  assert.deepEqual(
    events.filter((e) => e.startsWith('handed')),
    ['handed 0', 'handed 1', 'handed 2'],
  );
  assert.ok(events.indexOf('start 1') < events.indexOf('handed 0'), events.join(', '));
  assert.equal(events.at(-1), 'handed 2', 'every hand-on is over before the render returns');
  assert.ok(events.includes('hand on 0 (seg-00000.nut seg-00000.json)'), events.join(', '));

  const failed: string[] = [];
  await assert.rejects(
    renderSegmented({
      input,
      effects: ['grayscale'],
      output: join(dir, 'failed.mp4'),
      segmentsDir: join(dir, 'b'),
      segmentS: 1,
      onSegmentStart: (index) => failed.push(`start ${index}`),
      onSegmentDone: async (index) => {
        failed.push(`hand on ${index}`);
        throw new Error(`server gone at ${index}`);
      },
    }),
    /server gone at 0/,
  );
  assert.ok(!failed.includes('hand on 1') && !failed.includes('start 2'), failed.join(', '));
});
