import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NullSink, Pipeline, render } from '../../src/core/index.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { repoPath, scratchDir, testdata } from '../helpers.ts';

// Signals as a shell user sends them: a run stops cleanly, reports, and exits 128 + the signal's number; a render
// leaves a playable file, or (killed outright) none under the output's name.

const dir = scratchDir('signals');

function start(...args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [repoPath('bin/framewise.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function waitFor(read: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!read() && Date.now() < deadline) await sleep(50);
}

test('SIGINT, SIGTERM and SIGHUP end a live run cleanly with 130, 143 and 129, and the summary is still printed', async () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    const run = start('run', '-i', 'testsrc:320x240@30', '--duration', '60');
    let stderr = '';
    run.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => stderr.includes('live run'), 10_000);
    await sleep(800);
    run.child.kill(signal);
    const r = await run.done;
    assert.equal(r.code, code, `${signal}: ${r.stderr}`);
    assert.match(r.stdout, /frames {6}\d+ in, \d+ out/, `${signal}: the summary`);
  }
});

test('a long live run prints a one-line status on stderr (frames, fps, latency p95, drops)', async () => {
  const r = await start('run', '-i', 'testsrc:320x240@30', '--duration', '6').done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^frames \d+ in, \d+ out {2}fps [\d.]+ {2}latency p95 [\d.]+ ms {2}dropped \d+ {2}time \d+ s$/m);
});

async function playable(path: string): Promise<number> {
  const { stats } = await new Pipeline({ source: new MediaSource({ input: path }), sink: new NullSink(), policy: render() }).run();
  return stats.framesOut;
}

test('a render stopped by SIGHUP leaves a playable file; one killed with SIGKILL leaves none under its name', async () => {
  const input = testdata('videos/one-by-one-person-detection.mp4');
  const hup = join(dir, 'hup.mp4');
  const run = start('run', '-i', input, '-m', 'render', '-e', 'blur', '-o', hup);
  await waitFor(() => readdirSync(dir).some((f) => f.startsWith('.hup.mp4')), 30_000);
  await sleep(1500);
  run.child.kill('SIGHUP');
  const r = await run.done;
  assert.equal(r.code, 129, r.stderr);
  assert.ok(existsSync(hup), 'the finished part is under the output name');
  const frames = await playable(hup);
  assert.ok(frames > 0, `${frames} frames play back`);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('partial')),
    [],
    'no temporary file left',
  );

  const killed = join(dir, 'killed.mp4');
  const doomed = start('run', '-i', input, '-m', 'render', '-e', 'blur', '-o', killed);
  await waitFor(() => readdirSync(dir).some((f) => f.startsWith('.killed.mp4')), 30_000);
  await sleep(1500);
  doomed.child.kill('SIGKILL');
  await doomed.done;
  assert.equal(existsSync(killed), false, 'no half-written file under the output name');
});
