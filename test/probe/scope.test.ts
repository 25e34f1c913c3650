import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { requirementsFor, scope } from '../../src/probe/scope.ts';
import { repoPath } from '../helpers.ts';

test('a video call needs LIVE, and the budget splits into stages that add up to it', () => {
  const s = scope(requirementsFor('video-call', {}));
  assert.equal(s.category, 'LIVE');
  const total = s.budget.reduce((sum, b) => sum + b.ms, 0);
  assert.ok(Math.abs(total - 150) < 0.5, `stages add up to ${total}`);
  const inference = s.budget.find((b) => b.stage === 'inference');
  assert.equal(inference?.ms, s.inferenceBudgetMs);
  assert.ok(s.thresholds.liveP95Ms !== undefined && s.thresholds.liveP95Ms < 150, 'the probe budget leaves out capture and display');
  assert.equal(s.thresholds.maxDriftMsPerS, 0.1);
  assert.ok(s.warnings.some((w) => /soak-test a full session/.test(w)));
});

test('monitoring tolerates seconds (NEAR-LIVE), content is rendered (GENERATION), and explicit numbers win', () => {
  assert.equal(scope(requirementsFor('monitoring', {})).category, 'NEAR-LIVE');
  assert.equal(scope(requirementsFor('content', {})).category, 'GENERATION');
  const custom = scope(requirementsFor('custom', { interactive: false, budgetMs: 800, fps: 60, streams: 4 }));
  assert.equal(custom.category, 'LIVE');
  assert.equal(custom.throughputFps, 240);
});

test('a budget smaller than the fixed costs is called out', () => {
  const s = scope(requirementsFor('avatar', { budgetMs: 80, networkMs: 40 }));
  assert.ok(s.inferenceBudgetMs <= 0);
  assert.ok(s.warnings.some((w) => /already exceed the 80 ms budget/.test(w)));
  assert.throws(() => requirementsFor('custom', { fps: 0 }), /fps must be > 0/);
});

function framewise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath('bin/framewise.js'), ...args], { encoding: 'utf8', timeout: 120_000, input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('framewise scope prints the plan; without a terminal it needs --use-case', () => {
  const r = framewise('scope', '--use-case', 'fitness-coach', '--size', '1280x720');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /fitness-coach: you need LIVE/);
  assert.match(r.stdout, /inference +\d/);
  // The plan ends with the probe command itself, flags as the probe takes them.
  const flags = /probe it: framewise probe <target> (.*)$/m.exec(r.stdout)?.[1];
  assert.ok(flags, r.stdout);
  assert.match(flags, /^--fps 30 --size 1280x720 --duration \d+ --expect LIVE --live-p95-ms [\d.]+ --live-p50-ms [\d.]+ --max-drift [\d.]+$/);
  // The probe takes them as typed (only the length is cut short here).
  const typed = flags.replace(/--duration \d+/, '--duration 3');
  const check = framewise('probe', 'local:passthrough', ...typed.split(' '), '--warmup', '0', '--overload', '0', '--drain', '0', '--no-warm');
  assert.ok(check.status === 0 || check.status === 3, `the probe accepted the flags (exit ${check.status}): ${check.stderr}`);
  // 3 s cannot pin a drift to 0.1 ms/s under load: any verdict but GENERATION shows the flags were taken.
  assert.match(check.stdout, /local:passthrough: (LIVE|NEAR-LIVE|INCONCLUSIVE)/);
  // An impossible budget: said so, and a failing exit code.
  const impossible = framewise('scope', '--use-case', 'video-call', '--budget-ms', '20');
  assert.equal(impossible.status, 1, impossible.stdout);
  assert.match(impossible.stdout, /IMPOSSIBLE: no system can meet this budget/);
  assert.match(impossible.stdout, /the fixed costs \(\d+(\.\d+)? ms\) already exceed the 20 ms budget/);
  const missing = framewise('scope');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--use-case is required when not on a terminal/);
});

test('framewise scope --target holds a system to the use case: a 300 ms system fails a video call', () => {
  const target = `exec:"${process.execPath}" --import tsx "${repoPath('examples/reference/y4m-system.ts')}" delay 300`;
  const r = framewise('scope', '--use-case', 'video-call', '--target', target, '--probe-duration', '4');
  assert.equal(r.status, 3, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /with these thresholds: framewise probe exec:.* --live-p95-ms 83\.3 --live-p50-ms 58\.3 --max-drift 0\.1/);
  assert.match(r.stdout, /delay 300: NEAR-LIVE\n {2}- p95 latency 3\d\d ms is above 83 ms/);
});
