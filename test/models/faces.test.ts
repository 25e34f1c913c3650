import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame } from '../../src/core/frame.ts';
import { FaceDetector } from '../../src/models/face-detector.ts';
import { FaceLandmarker } from '../../src/models/face-landmarker.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { jsonGolden, pbtxtNumber, pbtxtPoints } from './goldens.ts';
import { readImage } from './image-helpers.ts';

const modelsDir = scratchDir('faces');

interface PxGolden {
  short_range: { box: { xMin: number; yMin: number; width: number; height: number }; keypoints: [number, number][] };
  full_range: { box: { xMin: number; yMin: number; width: number; height: number }; keypoints: [number, number][] };
}

test('face detection of portrait.jpg: box and 6 keypoints within 10 px of the tfjs-models golden (12 px of the MediaPipe tasks golden)', async (t) => {
  const detector = await FaceDetector.load({ modelsDir });
  try {
    const photo = await readImage(testdata('images/portrait.jpg'));
    const faces = await detector.detect(photo);
    assert.equal(faces.length, 1, 'one face');
    const face = faces[0] as (typeof faces)[number];
    let worst = 0;
    const within =
      (px: number) =>
      (a: number, b: number, what: string): void => {
        worst = Math.max(worst, Math.abs(a - b));
        assert.ok(Math.abs(a - b) <= px, `${what}: ${a.toFixed(1)} vs golden ${b}`);
      };
    const near = within(10);
    const px = jsonGolden<PxGolden>('portrait_face_detection_px.json').short_range;
    near(face.box.xMin, px.box.xMin, 'tfjs-models xMin');
    near(face.box.yMin, px.box.yMin, 'tfjs-models yMin');
    near(face.box.width, px.box.width, 'tfjs-models width');
    near(face.box.height, px.box.height, 'tfjs-models height');
    t.diagnostic(`tfjs-models golden: box within ${worst.toFixed(1)} px`);
    worst = 0;
    px.keypoints.forEach(([x, y], k) => {
      near(face.keypoints[k]?.x ?? NaN, x, `keypoint ${k} x`);
      near(face.keypoints[k]?.y ?? NaN, y, `keypoint ${k} y`);
    });
    t.diagnostic(`tfjs-models golden: keypoints within ${worst.toFixed(1)} px`);
    worst = 0;
    // MediaPipe tasks' golden (a newer release of the model): box in pixels, keypoints relative to the image. Its
    // ear points sit up to 11 px below the tfjs-models golden's (left ear y 209 vs 198), so its keypoints get 12 px.
    const file = 'portrait_expected_detection.pbtxt';
    near(face.box.xMin, pbtxtNumber(file, 'xmin'), 'tasks xmin');
    near(face.box.yMin, pbtxtNumber(file, 'ymin'), 'tasks ymin');
    near(face.box.width, pbtxtNumber(file, 'width'), 'tasks width');
    t.diagnostic(`MediaPipe tasks golden: box within ${worst.toFixed(1)} px`);
    worst = 0;
    pbtxtPoints(file).forEach(([x, y], k) => {
      within(12)(face.keypoints[k]?.x ?? NaN, x * photo.width, `tasks keypoint ${k} x`);
      within(12)(face.keypoints[k]?.y ?? NaN, y * photo.height, `tasks keypoint ${k} y`);
    });
    t.diagnostic(`MediaPipe tasks golden: keypoints within ${worst.toFixed(1)} px`);
  } finally {
    await detector.close();
  }
});

test('face detection of sergey.png: within 0.01 (relative) of the MediaPipe calculator golden, score too', async (t) => {
  const detector = await FaceDetector.load({ modelsDir });
  try {
    const photo = await readImage(testdata('images/sergey.png'));
    const [face, ...rest] = await detector.detect(photo);
    assert.ok(face && rest.length === 0, 'exactly one face');
    const file = 'sergey_expected_detection.pbtxt';
    let worst = 0;
    const near = (a: number, b: number, what: string): void => {
      worst = Math.max(worst, Math.abs(a - b));
      assert.ok(Math.abs(a - b) <= 0.01, `${what}: ${a.toFixed(4)} vs golden ${b}`);
    };
    near(face.box.xMin / photo.width, pbtxtNumber(file, 'xmin'), 'xmin');
    near(face.box.yMin / photo.height, pbtxtNumber(file, 'ymin'), 'ymin');
    near(face.box.width / photo.width, pbtxtNumber(file, 'width'), 'width');
    near(face.box.height / photo.height, pbtxtNumber(file, 'height'), 'height');
    near(face.score, pbtxtNumber(file, 'score'), 'score');
    const golden = pbtxtPoints(file);
    assert.equal(golden.length, 6);
    golden.forEach(([x, y], k) => {
      near((face.keypoints[k]?.x ?? NaN) / photo.width, x, `keypoint ${k} x`);
      near((face.keypoints[k]?.y ?? NaN) / photo.height, y, `keypoint ${k} y`);
    });
    t.diagnostic(`largest difference ${worst.toFixed(4)} (score ${face.score.toFixed(4)})`);
  } finally {
    await detector.close();
  }
});

test('face landmarks of portrait.jpg: mean error <= 0.02 (normalised) over the 468 points shared with the golden', async (t) => {
  const landmarker = await FaceLandmarker.load({ modelsDir });
  try {
    const photo = await readImage(testdata('images/portrait.jpg'));
    const mesh = await landmarker.detect(photo);
    assert.ok(mesh, 'a face');
    assert.equal(mesh.landmarks.length, 468);
    const golden = pbtxtPoints('portrait_expected_face_landmarks.pbtxt');
    assert.equal(golden.length, 478, 'the golden has 468 mesh points + 10 iris points');
    let sum = 0;
    for (const [i, p] of mesh.landmarks.entries()) {
      const [gx, gy] = golden[i] as [number, number];
      sum += Math.hypot(p.x / photo.width - gx, p.y / photo.height - gy);
    }
    const mean = sum / mesh.landmarks.length;
    t.diagnostic(`mean error ${mean.toFixed(4)}`);
    assert.ok(mean <= 0.02, `mean error ${mean}`);
    // the same photo again follows the face from its own landmarks, without the detector, and agrees
    const again = await landmarker.detect(photo);
    assert.ok(again && Math.abs((again.landmarks[1]?.x ?? 0) - (mesh.landmarks[1]?.x ?? 0)) < 3, 'tracking keeps the nose tip');
  } finally {
    await landmarker.close();
  }
});

test('full-range face detection: portrait.jpg within 10 px of the full-range golden; a far face the short-range model misses', async (t) => {
  const far = await FaceDetector.load({ modelsDir, range: 'full' });
  const near = await FaceDetector.load({ modelsDir });
  try {
    const photo = await readImage(testdata('images/portrait.jpg'));
    const [face, ...rest] = await far.detect(photo);
    assert.ok(face && rest.length === 0, 'one face');
    const px = jsonGolden<PxGolden>('portrait_face_detection_px.json').full_range;
    let worst = 0;
    const close = (a: number, b: number, what: string): void => {
      worst = Math.max(worst, Math.abs(a - b));
      assert.ok(Math.abs(a - b) <= 10, `${what}: ${a.toFixed(1)} vs golden ${b}`);
    };
    close(face.box.xMin, px.box.xMin, 'xMin');
    close(face.box.yMin, px.box.yMin, 'yMin');
    close(face.box.width, px.box.width, 'width');
    close(face.box.height, px.box.height, 'height');
    px.keypoints.forEach(([x, y], k) => {
      close(face.keypoints[k]?.x ?? NaN, x, `keypoint ${k} x`);
      close(face.keypoints[k]?.y ?? NaN, y, `keypoint ${k} y`);
    });
    t.diagnostic(`full-range golden: within ${worst.toFixed(1)} px`);
    // Three people in a room: all three faces.
    assert.equal((await far.detect(await readImage(testdata('images/three_people.jpg')))).length, 3);
    // The same person far from the camera: the portrait at a quarter of its size in a 1280x720 room.
    const room = Frame.alloc({ width: 1280, height: 720, format: 'rgba' });
    const dst = room.planes[0] as Uint8Array;
    const src = photo.planes[0] as Uint8Array;
    dst.fill(120);
    const [ox, oy] = [700, 300];
    for (let y = 0; y < Math.floor(photo.height / 4); y++)
      for (let x = 0; x < Math.floor(photo.width / 4); x++)
        dst.set(src.subarray((y * 4 * photo.width + x * 4) * 4, (y * 4 * photo.width + x * 4) * 4 + 4), ((y + oy) * 1280 + x + ox) * 4);
    assert.deepEqual(await near.detect(room), [], 'the short-range model does not see a face this far away');
    const [small] = await far.detect(room);
    assert.ok(small, 'the full-range model finds the far face');
    close(small.box.xMin, ox + px.box.xMin / 4, 'far xMin');
    close(small.box.yMin, oy + px.box.yMin / 4, 'far yMin');
    close(small.box.width, px.box.width / 4, 'far width');
  } finally {
    await Promise.all([far.close(), near.close()]);
  }
});

test('no face in a blank picture: no detection, no landmarks', async () => {
  const blank = Frame.alloc({ width: 320, height: 240, format: 'rgba' });
  (blank.planes[0] as Uint8Array).fill(128);
  const detector = await FaceDetector.load({ modelsDir });
  const landmarker = await FaceLandmarker.load({ modelsDir });
  try {
    assert.deepEqual(await detector.detect(blank), []);
    assert.equal(await landmarker.detect(blank), null);
  } finally {
    await Promise.all([detector.close(), landmarker.close()]);
  }
});
