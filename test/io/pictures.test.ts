import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Frame } from '../../src/core/frame.ts';
import { listEffects } from '../../src/effects/registry.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { readPicture } from '../../src/io/read-picture.ts';
import { runStage } from '../../src/testing/index.ts';
import { createEffect } from '../../src/effects/registry.ts';
import { repoPath, scratchDir, testdata } from '../helpers.ts';

// Pictures in and out at their exact size: an odd width or height is never rounded or rescaled, and everything an
// effect finds is in the original picture's pixels.

const dir = scratchDir('pictures');

function framewise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath('bin/framewise.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Make a test picture with FFmpeg's CLI (Debian's ffmpeg, which .ci/run installs). */
function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
}

async function size(path: string): Promise<{ width: number; height: number; frames: number }> {
  const source = new MediaSource({ input: path });
  const info = await source.open();
  let frames = 0;
  for (let f = await source.read(); f; f = await source.read()) {
    frames++;
    f.release();
  }
  await source.close();
  return { width: info.width, height: info.height, frames };
}

test('jpg/png/webp in and out keep odd sizes exactly (1001x667, 257x257, 819x1023)', async () => {
  ffmpeg('-i', testdata('images/portrait.jpg'), '-vf', 'scale=1001:667', join(dir, 'wide.jpg'));
  ffmpeg('-i', testdata('images/sergey.png'), '-vf', 'scale=257:257', join(dir, 'square.png'));
  ffmpeg('-i', testdata('images/portrait.jpg'), '-vf', 'scale=257:257', '-c:v', 'libwebp', join(dir, 'square.webp'));
  const cases: [string, string, string, number, number][] = [
    ['wide.jpg', 'blur', 'wide-blur.png', 1001, 667],
    ['square.png', 'faces', 'square-faces.jpg', 257, 257],
    ['square.webp', 'grayscale', 'square-gray.webp', 257, 257],
    ['square.png', 'mirror', 'square.mp4', 257, 257],
  ];
  for (const [input, effect, output, width, height] of cases) {
    const r = framewise('run', '-i', join(dir, input), '-e', effect, '-o', join(dir, output));
    assert.equal(r.status, 0, `${input} -> ${output}: ${r.stderr}`);
    assert.match(r.stdout, /mode {8}render/, 'a picture is rendered (every frame counts), not paced like a camera');
    assert.deepEqual(await size(join(dir, output)), { width, height, frames: 1 }, output);
  }
  // The reading side keeps the size too.
  const planes = await readPicture(join(dir, 'wide.jpg'));
  assert.deepEqual(
    planes.map((p) => [p.width, p.height]),
    [
      [1001, 667],
      [501, 334],
      [501, 334],
    ],
  );
  // VP8 cannot carry an odd size: refused with what to do, never rescaled.
  const vp8 = framewise('run', '-i', join(dir, 'square.png'), '-o', join(dir, 'square.webm'));
  assert.equal(vp8.status, 1);
  assert.match(vp8.stderr, /VP8 needs an even width and height and this picture is 257x257 \(kept exact, never rescaled\)/);
});

test('coordinates in frame.meta refer to the original pixels of an odd-sized picture (faces vs the portrait golden)', async () => {
  // Cropping the right column and the bottom row leaves the face where the golden has it, at an odd size.
  ffmpeg('-i', testdata('images/portrait.jpg'), '-vf', 'crop=819:1023:0:0', join(dir, 'portrait-odd.png'));
  const meta = join(dir, 'faces.jsonl');
  const r = framewise('run', '-i', join(dir, 'portrait-odd.png'), '-e', 'faces', '--meta', meta, '-o', join(dir, 'portrait-faces.png'));
  assert.equal(r.status, 0, r.stderr);
  const line = JSON.parse(readFileSync(meta, 'utf8').trim()) as { faces: { box: { xMin: number; yMin: number; width: number; height: number } }[] };
  const golden = (
    JSON.parse(readFileSync(testdata('golden/portrait_face_detection_px.json'), 'utf8')) as {
      short_range: { box: { xMin: number; yMin: number; width: number; height: number } };
    }
  ).short_range.box;
  const face = line.faces[0];
  assert.ok(face, 'one face');
  for (const k of ['xMin', 'yMin', 'width', 'height'] as const)
    assert.ok(Math.abs(face.box[k] - golden[k]) <= 10, `${k}: ${face.box[k]} vs golden ${golden[k]}`);
  assert.deepEqual(await size(join(dir, 'portrait-faces.png')), { width: 819, height: 1023, frames: 1 });
});

test('every effect runs on odd-sized i420 frames and hands back the same size', async () => {
  const planes = await readPicture(testdata('images/sergey.png'));
  for (const [w, h] of [
    [257, 257],
    [161, 121],
  ] as const) {
    for (const effect of listEffects()) {
      const spec = effect.name === 'replace' ? 'replace:green' : effect.name === 'delay' ? 'delay:1' : effect.name;
      const frame = Frame.alloc({ width: w, height: h, format: 'i420' });
      // Any picture content will do: the top-left of sergey.png.
      for (let y = 0; y < h; y++) (frame.planes[0] as Uint8Array).set(planes[0].data.subarray(y * 600, y * 600 + w), y * w);
      const { frames } = await runStage(createEffect(spec), [frame]);
      assert.equal(frames.length, 1, spec);
      assert.deepEqual([frames[0]?.width, frames[0]?.height], [w, h], `${spec} keeps ${w}x${h}`);
    }
  }
});

test('GIF in: every frame of an animation, at its size', async () => {
  ffmpeg('-i', testdata('videos/desk_person_again.mkv'), '-t', '0.5', '-vf', 'scale=161:121', join(dir, 'clip.gif'));
  const r = framewise('run', '-i', join(dir, 'clip.gif'), '-e', 'grayscale', '-o', join(dir, 'clip.mp4'));
  assert.equal(r.status, 0, r.stderr);
  const out = await size(join(dir, 'clip.mp4'));
  const input = await size(join(dir, 'clip.gif'));
  assert.deepEqual(out, { width: 161, height: 121, frames: input.frames });
  assert.ok(input.frames >= 10);
});

test('bad pictures get one clear line: truncated, not a picture, over the size limit', () => {
  const jpeg = readFileSync(testdata('images/portrait.jpg'));
  writeFileSync(join(dir, 'cut.jpg'), jpeg.subarray(0, 5000));
  writeFileSync(join(dir, 'cut.png'), readFileSync(testdata('images/sergey.png')).subarray(0, 60_000));
  writeFileSync(join(dir, 'noise.png'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)));
  ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=9000x5000', '-frames:v', '1', join(dir, 'huge.png'));
  const cases: [string, RegExp][] = [
    ['cut.jpg', /no picture could be decoded from ".*cut\.jpg" \(1 corrupt packet\(s\)\): it is truncated or corrupt/],
    ['cut.png', /no picture could be decoded from ".*cut\.png".*truncated or corrupt/],
    ['noise.png', /input ".*noise\.png" (reports no picture size; it may be corrupt|cannot be opened)|cannot open input/],
    ['huge.png', /is 9000x5000, larger than the limit of \d+ pixels/],
  ];
  for (const [name, message] of cases) {
    const r = framewise('run', '-i', join(dir, name), '-o', join(dir, `${name}.out.png`));
    assert.equal(r.status, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
