import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BilinearScaler } from '../../src/effects/bilinear-scaler.ts';
import { PictureScaler } from '../../src/io/picture-scaler.ts';
import { readPicture } from '../../src/io/read-picture.ts';
import { testdata } from '../helpers.ts';

// The page resizes pictures in JavaScript where the server has swscale: the two must agree, so an effect looks the
// same in both places.

function difference(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / a.length, max };
}

test('BilinearScaler (the page) agrees with swscale (the server): up, down, I420 and gray, on a real picture', async () => {
  const [y, u, v] = await readPicture(testdata('images/three_people.jpg'));
  const js = new BilinearScaler();
  const sws = new PictureScaler();
  const sizes: [number, number][] = [
    [640, 480],
    [Math.round(y.width / 5), Math.round(y.height / 5)],
    [y.width + 37, y.height + 11],
    [255, 97],
  ];
  for (const [w, h] of sizes) {
    const c = ((w + 1) >> 1) * ((h + 1) >> 1);
    const a = [new Uint8Array(w * h), new Uint8Array(c), new Uint8Array(c)] as const;
    const b = [new Uint8Array(w * h), new Uint8Array(c), new Uint8Array(c)] as const;
    js.scale([y.data, u.data, v.data], y.width, y.height, a, w, h);
    sws.scale([y.data, u.data, v.data], y.width, y.height, b, w, h);
    for (let i = 0; i < 3; i++) {
      const d = difference(a[i] as Uint8Array, b[i] as Uint8Array);
      // Up to a few levels on edges (swscale filters its shrinks over more taps); the picture as a whole the same.
      assert.ok(d.mean < 2.5, `${y.width}x${y.height} -> ${w}x${h} plane ${i}: mean difference ${d.mean.toFixed(2)}`);
    }
  }
  // The selfie mask's case: a 256x256 gray map up to the frame.
  const mask = new Uint8Array(256 * 256).map((_, i) => ((i % 256) * 7 + Math.floor(i / 256) * 3) & 255);
  const a = new Uint8Array(640 * 480);
  const b = new Uint8Array(640 * 480);
  js.scale([mask], 256, 256, [a], 640, 480);
  sws.scale([mask], 256, 256, [b], 640, 480);
  const d = difference(a, b);
  assert.ok(d.mean < 2.5, `mask upscale: mean difference ${d.mean.toFixed(2)}, max ${d.max}`);
  js[Symbol.dispose]();
  sws[Symbol.dispose]();
});

test('BilinearScaler keeps flat areas flat and hits the corners exactly', () => {
  const js = new BilinearScaler();
  const flat = new Uint8Array(10 * 10).fill(77);
  const out = new Uint8Array(33 * 17);
  js.scale([flat], 10, 10, [out], 33, 17);
  assert.ok(out.every((p) => p === 77));
  const ramp = Uint8Array.from({ length: 4 }, (_, i) => i * 80);
  const wide = new Uint8Array(8);
  js.scale([ramp], 4, 1, [wide], 8, 1);
  assert.equal(wide[0], 0);
  assert.equal(wide[7], 240);
  assert.ok(
    wide.every((p, i) => i === 0 || p >= (wide[i - 1] as number)),
    `monotonic: ${wide.join(',')}`,
  );
});
