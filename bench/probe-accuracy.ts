import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PhaseMetrics } from '../src/probe/analysis.ts';
import { runProbe } from '../src/probe/run-probe.ts';
import { ExecTarget } from '../src/probe/targets/exec-target.ts';
import { createTarget } from '../src/probe/targets/registry.ts';
import type { StreamTarget } from '../src/probe/targets/target.ts';
import { startWsEcho } from '../examples/reference/ws-system.ts';
import { table } from './stats-util.ts';

const SUSTAIN_S = 15;
const reference = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'reference', 'y4m-system.ts');
const exec = (mode: string): ExecTarget => new ExecTarget(`"${process.execPath}" --import tsx "${reference}" ${mode}`);

async function sustain(target: StreamTarget): Promise<PhaseMetrics> {
  const report = await runProbe(target, { warmupS: 2, sustainS: SUSTAIN_S, overloadS: 0, drainS: 2, measureWarm: false });
  return report.phases.find((p) => p.phase === 'sustain') as PhaseMetrics;
}

/** The probe's own floor per adapter, and how closely it measures a known injected delay. */
export async function probeAccuracy(): Promise<string> {
  const floors: (string | number)[][] = [];
  const local = await sustain(createTarget('local:passthrough'));
  const pipe = await sustain(exec('passthrough'));
  const echo = await startWsEcho({ delayMs: 0 });
  const wsJpeg = await sustain(createTarget(echo.url));
  const wsRaw = await sustain(createTarget(echo.url.replace('ws://', 'ws+raw://')));
  await echo.close();
  for (const [name, m] of [
    ['local:passthrough (in-process pipeline)', local],
    ['exec: y4m passthrough program (stdin/stdout pipes)', pipe],
    ['ws:// echo, JPEG per message (encode + decode included)', wsJpeg],
    ['ws+raw:// echo, raw I420 per message', wsRaw],
  ] as const) {
    floors.push([name, m.latencyMs.p50.toFixed(2), m.latencyMs.p95.toFixed(2), m.latencyMs.p99.toFixed(2), m.lost ?? 'unknown']);
  }
  const accuracy: (string | number)[][] = [];
  for (const delayMs of [100, 300, 1000]) {
    const m = await sustain(exec(`delay ${delayMs}`));
    const error = m.latencyMs.p50 - pipe.latencyMs.p50 - delayMs;
    accuracy.push([delayMs, m.latencyMs.p50.toFixed(2), pipe.latencyMs.p50.toFixed(2), error.toFixed(2), m.latencyMs.p95.toFixed(2)]);
  }
  return [
    `### Probe floor per adapter (${SUSTAIN_S} s sustain at 30 fps, 640x480)`,
    '',
    table(['adapter', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'dropped'], floors),
    '',
    '### Probe accuracy: injected delay vs measured (exec reference `delay <ms>`, floor subtracted)',
    '',
    table(['injected (ms)', 'measured p50 (ms)', 'floor p50 (ms)', 'error (ms)', 'measured p95 (ms)'], accuracy),
    '',
    'Target: error within 5 ms.',
  ].join('\n');
}
