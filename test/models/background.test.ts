import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame } from '../../src/core/frame.ts';
import { runStage } from '../../src/testing/index.ts';
import { createEffect } from '../../src/effects/registry.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { PersonSegmenter } from '../../src/models/person-segmenter.ts';
import { testdata } from '../helpers.ts';

/** The first `n` frames of the desk video as i420 copies. */
async function deskFrames(n: number): Promise<Frame[]> {
  const source = new MediaSource({ input: testdata('videos/desk_person_again.mkv'), format: 'i420' });
  await source.open();
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const f = await source.read();
    if (!f) break;
    frames.push(clone(f));
    f.release();
  }
  await source.close();
  return frames;
}

/** An unpooled copy of a frame's pixels. */
function clone(frame: Frame): Frame {
  const out = Frame.alloc({ width: frame.width, height: frame.height, format: frame.format });
  frame.planes.forEach((p, k) => out.planes[k]?.set(p));
  return out;
}

/** Mean absolute luma change and mean horizontal gradient, over the pixels `mask` selects. */
function region(before: Frame, after: Frame, mask: Uint8Array, person: boolean) {
  const a = before.planes[0] as Uint8Array;
  const b = after.planes[0] as Uint8Array;
  let change = 0;
  let gradBefore = 0;
  let gradAfter = 0;
  let n = 0;
  for (let i = 1; i < mask.length; i++) {
    const m = mask[i] as number;
    if (person ? m < 250 : m > 5) continue;
    change += Math.abs((a[i] as number) - (b[i] as number));
    gradBefore += Math.abs((a[i] as number) - (a[i - 1] as number));
    gradAfter += Math.abs((b[i] as number) - (b[i - 1] as number));
    n++;
  }
  return { change: change / n, gradBefore: gradBefore / n, gradAfter: gradAfter / n, n };
}

test('blur keeps the person and blurs the rest of a real webcam frame', async () => {
  const frames = await deskFrames(5);
  const originals = frames.map(clone);
  const segmenter = await PersonSegmenter.load();
  const mask = Uint8Array.from((await segmenter.segment(originals[4] as Frame)).data);
  await segmenter.close();
  const { frames: out } = await runStage(createEffect('blur'), frames);
  const last = out[4] as Frame;
  const person = region(originals[4] as Frame, last, mask, true);
  const background = region(originals[4] as Frame, last, mask, false);
  assert.ok(person.n > 10_000 && background.n > 10_000, `person ${person.n} px, background ${background.n} px`);
  assert.ok(person.change < 4, `the person changed by ${person.change.toFixed(1)} on average`);
  assert.ok(background.gradAfter < background.gradBefore * 0.5, `background detail ${background.gradBefore.toFixed(1)} -> ${background.gradAfter.toFixed(1)}`);
});

test('replace paints the background with a colour and leaves the person', async () => {
  const frames = await deskFrames(3);
  const originals = frames.map(clone);
  const segmenter = await PersonSegmenter.load();
  const mask = Uint8Array.from((await segmenter.segment(originals[2] as Frame)).data);
  await segmenter.close();
  const out = (await runStage(createEffect('replace:#00ff00'), frames)).frames[2] as Frame;
  const y = out.planes[0] as Uint8Array;
  let green = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if ((mask[i] as number) > 5) continue;
    n++;
    if (Math.abs((y[i] as number) - 145) <= 3) green++;
  }
  assert.ok(green / n > 0.95, `${((green / n) * 100).toFixed(1)} % of background pixels have green's luma`);
  assert.ok(region(originals[2] as Frame, out, mask, true).change < 4);
});

test('background effects refuse what they cannot do, with what to do instead', async () => {
  assert.throws(() => createEffect('replace'), /effect "replace" needs an argument: replace:<colour\|picture> \(#rrggbb, a colour name/);
  assert.throws(() => createEffect('replace:purple-ish'), /background picture purple-ish does not exist/);
  assert.throws(() => createEffect('replace:/nope/beach.jpg'), /does not exist/);
  assert.throws(() => createEffect('blur:1'), /radius must be 2-200/);
  const rgba = Frame.alloc({ width: 64, height: 48, format: 'rgba' });
  await assert.rejects(runStage(createEffect('blur'), [rgba]), /works on i420 frames, got rgba/);
});
