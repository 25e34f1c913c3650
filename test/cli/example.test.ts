import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { MediaSource } from '../../src/io/media-source.ts';
import { repoPath, testdata, scratchDir } from '../helpers.ts';

async function meanLumaOfFirstFrame(input: string): Promise<number> {
  const source = new MediaSource({ input });
  await source.open();
  const frame = await source.read();
  assert.ok(frame);
  const y = frame.planes[0] as Uint8Array;
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] as number;
  await source.close();
  return sum / y.length;
}

test('the README custom-stage example runs and really inverts the picture', async () => {
  const input = testdata('videos/desk_person_again.mkv');
  const output = join(scratchDir('example'), 'inverted.webm');
  const r = spawnSync(process.execPath, ['--import', 'tsx', repoPath('examples/custom-stage.ts'), input, output], {
    encoding: 'utf8',
    cwd: repoPath('.'),
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+ frames, latency p95/);
  const before = await meanLumaOfFirstFrame(input);
  const after = await meanLumaOfFirstFrame(output);
  assert.ok(Math.abs(after - (255 - before)) < 6, `mean luma ${before.toFixed(1)} -> ${after.toFixed(1)}`);
});

test('the bring-your-own-model example runs an ONNX model as a stage and reports a plausible person share', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', repoPath('examples/custom-model.ts'), testdata('videos/desk_person_again.mkv')], {
    encoding: 'utf8',
    cwd: repoPath('.'),
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const share = Number(/person ([\d.]+) % of the picture/.exec(r.stdout)?.[1]);
  assert.match(r.stdout, /^77 frames, person/);
  assert.ok(share > 10 && share < 90, `person share ${share} %`);
});
