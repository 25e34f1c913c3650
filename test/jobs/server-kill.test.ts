import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord } from '../../src/jobs/job.ts';
import { JobClient } from '../../src/jobs/job-client.ts';
import { renderSegmented } from '../../src/jobs/segmented-render.ts';
import { frameChecksums, repoPath, scratchDir, testdata } from '../helpers.ts';
import { stopProcess } from '../worker-process.ts';

const CLIP = testdata('videos/facing_camera_720p.mp4'); // 195 frames, 7.8 s
const BIN = repoPath('bin/framewise.js');

/** `framewise serve` with the embedded queue as its own process; resolves with its URL once it listens. */
async function serve(jobsDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--jobs-dir', jobsDir, '--job-concurrency', '1', '--segment', '2', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const found = /live server on (http:\/\/[^\s]+)/.exec(out);
      if (found) resolve(found[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`framewise serve exited with ${code}: ${err}`)));
  });
  return { child, url };
}

test(
  'framewise serve SIGKILLed mid-job and started again: no job lost, nothing under a final name until it is whole, the running job resumes with every frame',
  { timeout: 600_000 },
  async (t) => {
    const dir = scratchDir('server-kill');
    const jobsDir = join(dir, 'jobs');
    const whole = join(dir, 'whole.mp4');
    await renderSegmented({ input: CLIP, effects: ['blur'], output: whole, segmentsDir: join(dir, 'whole-segments'), segmentS: 2 });
    const reference = frameChecksums(whole);
    assert.equal(reference.length, 195);

    let server = await serve(jobsDir);
    try {
      const client = new JobClient(server.url);
      const running = await client.submit(CLIP, ['blur'], 'mp4');
      const queued = [await client.submit(CLIP, ['grayscale'], 'mkv'), await client.submit(CLIP, ['mirror'], 'mp4')];
      let seen: JobRecord | null = null;
      for (let i = 0; i < 2400; i++) {
        seen = await client.get(running.id);
        if (seen.progress.segmentsDone >= 1) break;
        await sleep(50);
      }
      assert.ok(seen && seen.state === 'running' && seen.progress.segmentsDone >= 1, `a segment was done before the kill: ${JSON.stringify(seen?.progress)}`);
      await stopProcess(server.child, 'SIGKILL');

      for (const job of [running, ...queued]) {
        const files = readdirSync(join(jobsDir, job.id));
        assert.ok(files.includes('job.json'), `${job.id}: its record is on disk`);
        assert.ok(!files.some((f) => f.startsWith('result')), `${job.id}: nothing under the final name after the kill: ${files.join(', ')}`);
      }

      server = await serve(jobsDir);
      const again = new JobClient(server.url);
      const finals = await Promise.all([running, ...queued].map((job) => again.wait(job.id)));
      for (const job of finals) {
        assert.equal(job.state, 'succeeded', `${job.id}: ${job.error}`);
        assert.equal(job.result?.frames, 195, job.id);
        assert.deepEqual(readdirSync(join(jobsDir, job.id)).sort(), ['job.json', `result.${job.spec.format}`], `${job.id}: only the record and the result`);
      }
      const resumed = finals[0] as JobRecord;
      assert.ok(resumed.attempts >= 2, `the running job was taken again (attempts ${resumed.attempts})`);
      assert.deepEqual(frameChecksums(join(jobsDir, resumed.id, 'result.mp4')), reference, 'every frame identical to an uninterrupted render');
      t.diagnostic(`attempts per job: ${finals.map((j) => j.attempts).join(', ')}`);
    } finally {
      await stopProcess(server.child);
    }
  },
);
