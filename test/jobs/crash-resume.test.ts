import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { frameChecksums, repoPath, scratchDir, testdata } from '../helpers.ts';

const CLIP = testdata('videos/facing_camera_720p.mp4'); // 195 frames, 7.8 s, with audio
const BIN = repoPath('bin/framewise.js');

function duration(path: string, stream: 'v' | 'a'): number {
  return Number(
    execFileSync('ffprobe', ['-v', 'error', '-select_streams', `${stream}:0`, '-show_entries', 'stream=duration', '-of', 'csv=p=0', path], {
      encoding: 'utf8',
    }).trim(),
  );
}

function render(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, 'render', ...args], { encoding: 'utf8', timeout: 300_000 });
}

test(
  'a render killed with SIGKILL mid-job resumes after its last finished segment: no frame lost or duplicated, same output',
  { timeout: 600_000 },
  async () => {
    const dir = scratchDir('crash');
    const whole = join(dir, 'whole.mp4');
    const crashed = join(dir, 'crashed.mp4');
    const args = ['-i', CLIP, '-e', 'blur', '--segment', '2'];
    const first = render([...args, '-o', whole]);
    assert.equal(first.status, 0, first.stderr);
    const reference = frameChecksums(whole);
    assert.equal(reference.length, 195);

    const child = spawn(process.execPath, [BIN, 'render', ...args, '-o', crashed], { stdio: 'ignore' });
    const segments = join(dir, '.crashed.mp4.segments');
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && !(existsSync(segments) && readdirSync(segments).includes('seg-00001.json'))) await sleep(20);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(readdirSync(segments).includes('seg-00001.json'), 'two segments were finished before the kill');
    assert.ok(!existsSync(crashed), 'no output under the final name after a kill');

    const resumed = render([...args, '-o', crashed, '--json']);
    assert.equal(resumed.status, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout) as { frames: number; resumedSegments: number; segments: number };
    assert.equal(summary.frames, 195);
    assert.ok(summary.resumedSegments >= 2 && summary.resumedSegments < summary.segments, JSON.stringify(summary));
    const after = frameChecksums(crashed);
    assert.equal(after.length, reference.length, 'same frame count');
    assert.deepEqual(after, reference, 'every frame identical to the uninterrupted render (checksum and timestamp)');
    assert.ok(Math.abs(duration(crashed, 'v') - duration(whole, 'v')) < 1e-3);
    assert.ok(Math.abs(duration(crashed, 'a') - duration(CLIP, 'a')) < 0.05, 'audio kept, in full');
    assert.ok(!existsSync(segments), 'segments removed once joined');
  },
);

test('framewise render --server submits, follows and downloads a job; framewise jobs lists and shows it', { timeout: 300_000 }, async () => {
  const dir = scratchDir('render-remote');
  const server = await FramewiseServer.start({ port: 0, web: false, token: 't0ken', jobs: { dir: join(dir, 'jobs'), concurrency: 1 } });
  try {
    const out = join(dir, 'out.mkv');
    const env = { ...process.env, FRAMEWISE_TOKEN: 't0ken' };
    // Spawned without blocking: the server runs in this process.
    const run = (args: string[], childEnv = env): Promise<{ status: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { env: childEnv });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (status) => resolve({ status, stdout, stderr }));
      });
    const done = await run(['render', '-i', CLIP, '-e', 'grayscale', '-o', out, '--server', server.url]);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /195 frames/);
    assert.equal(frameChecksums(out).length, 195);
    const id = /job (\w+)/.exec(done.stdout)?.[1] ?? '';
    const ls = await run(['jobs', 'ls', '--server', server.url]);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, new RegExp(`${id}\\s+succeeded\\s+100% 195/195`));
    const show = await run(['jobs', 'show', id, '--server', server.url]);
    assert.equal((JSON.parse(show.stdout) as { state: string }).state, 'succeeded');
    const bad = await run(['render', '-i', CLIP, '-e', 'nope', '-o', join(dir, 'x.mp4'), '--server', server.url]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown effect "nope"/);
    assert.ok(!/\n\s+at /.test(bad.stderr), 'one line, no stack');
    const unauthorised = await run(['jobs', 'ls', '--server', server.url], { ...process.env, FRAMEWISE_TOKEN: '' });
    assert.notEqual(unauthorised.status, 0);
    assert.match(unauthorised.stderr, /401/);
  } finally {
    await server.close();
  }
});
