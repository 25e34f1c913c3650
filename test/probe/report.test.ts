import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProbeReport } from '../../src/probe/run-probe.ts';
import { repoPath, scratchDir } from '../helpers.ts';

function framewise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath('bin/framewise.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('framewise probe writes JSON and a self-contained HTML report, and --expect gates on the verdict', () => {
  const dir = scratchDir('probe');
  const html = join(dir, 'report.html');
  const r = framewise(
    'probe',
    'local:passthrough',
    '--warmup',
    '0',
    '--duration',
    '4',
    '--overload',
    '1',
    '--drain',
    '0.5',
    '--no-warm',
    '--json',
    '--report',
    html,
    '--expect',
    'live',
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ProbeReport;
  assert.equal(report.verdict.category, 'LIVE');
  assert.equal(report.stimulus.fps, 30);
  assert.ok(report.samples.length > 100);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<div class="verdict">LIVE<\/div>/);
  assert.equal(page.match(/<svg /g)?.length, 3, 'three plots');
  assert.doesNotMatch(page, /NaN|undefined|Infinity/);
  assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org)/, 'no scripts, nothing fetched from elsewhere');

  const gate = framewise(
    'probe',
    'local:passthrough',
    '--warmup',
    '0',
    '--duration',
    '3',
    '--overload',
    '0',
    '--drain',
    '0.5',
    '--no-warm',
    '--expect',
    'GENERATION',
  );
  assert.equal(gate.status, 3);
  assert.match(gate.stdout, /local:passthrough: /);
});

test('framewise probe refuses bad arguments with one line', () => {
  const cases: [string[], RegExp][] = [
    [['probe'], /name the target to probe, e.g. framewise probe local:blur/],
    [['probe', 'local:passthrough', 'local:grayscale'], /name one target, not two/],
    [['probe', 'local:passthrough', '--size', 'big'], /--size must look like 640x480/],
    [['probe', 'local:passthrough', '--expect', 'FAST'], /--expect must be one of LIVE, NEAR-LIVE, GENERATION, INCONCLUSIVE/],
    [['probe', 'local:passthrough', '--duration', '2'], /the sustain phase needs at least 3 s/],
    [['probe', 'local:sparkle'], /unknown effect "sparkle"/],
  ];
  for (const [args, message] of cases) {
    const r = framewise(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
