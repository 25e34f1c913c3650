import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaSource } from '../../src/io/media-source.ts';
import { ObjectDetector } from '../../src/models/object-detector.ts';
import { scratchDir, testdata } from '../helpers.ts';

test('person detection on one-by-one-person-detection.mp4: a person at 30 s and 80 s, none in the empty room at 0 s and 5 s', async () => {
  const detector = await ObjectDetector.load({ modelsDir: scratchDir('objects'), classes: ['person'] });
  // 10 fps clip: seconds -> frame index; checked by eye: a person stands at the table at 30 s and 80 s, nobody at 0 and 5 s
  const wanted = new Map([
    [0, false],
    [50, false],
    [300, true],
    [800, true],
  ]);
  const source = new MediaSource({ input: testdata('videos/one-by-one-person-detection.mp4'), format: 'i420', durationS: 81 });
  await source.open();
  const seen = new Map<number, number>();
  try {
    let index = 0;
    for (let frame = await source.read(); frame; frame = await source.read(), index++) {
      if (wanted.has(index)) {
        const found = await detector.detect(frame);
        seen.set(index, found.length);
        if (wanted.get(index)) {
          const person = found[0];
          assert.ok(person, `frame ${index}: a person`);
          assert.equal(person.label, 'person');
          assert.ok(person.score > 0.5, `frame ${index}: score ${person.score}`);
          // the person stands in the right half of the 768x432 picture, head to feet
          assert.ok(person.box.xMin > 300 && person.box.xMin + person.box.width < 600, `frame ${index}: box x ${person.box.xMin}`);
          assert.ok(person.box.height > 300, `frame ${index}: box height ${person.box.height}`);
        } else {
          assert.deepEqual(found, [], `frame ${index}: nobody`);
        }
      }
      frame.release();
    }
  } finally {
    await source.close();
    await detector.close();
  }
  assert.equal(seen.size, wanted.size, 'every chosen frame was checked');
});

test('an unknown class name is refused with the list it comes from', async () => {
  await assert.rejects(ObjectDetector.load({ classes: ['unicorn'] }), /unknown object class "unicorn": the classes are COCO's \(person, bicycle/);
});
