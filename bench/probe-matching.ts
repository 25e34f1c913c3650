import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProbe } from '../src/probe/run-probe.ts';
import { ExecTarget } from '../src/probe/targets/exec-target.ts';
import { createTarget } from '../src/probe/targets/registry.ts';
import type { StreamTarget } from '../src/probe/targets/target.ts';
import { table } from './stats-util.ts';

const SYSTEM = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'reference', 'y4m-system.ts');
const reference = (mode: string): StreamTarget => new ExecTarget(`"${process.execPath}" --import tsx "${SYSTEM}" ${mode}`);

/**
 * Latency from the beacon flashes against latency from the frame-ID codes, on the same returned frames of the same
 * run: systems that restyle the whole picture but put the code band back (so both can be read), and a Framewise
 * effect in-process. Three probes at a time at 320x240, 45 s of sustain each (about 22 flashes).
 */
export async function probeMatchingBench(): Promise<string> {
  const systems: [string, () => StreamTarget][] = [
    ['passthrough', () => reference('passthrough')],
    ['invert 150 ms (code band kept)', () => reference('invert 150 keepcode')],
    ['recolour 300 ms (code band kept)', () => reference('recolour 300 keepcode')],
    ['mirror 100 ms (code band kept)', () => reference('mirror 100 keepcode')],
    ['shift 200 ms (code band kept)', () => reference('shift 200 keepcode')],
    ['local:blur (Framewise, in-process)', () => createTarget('local:blur')],
  ];
  const rows: (string | number)[][] = [];
  for (let i = 0; i < systems.length; i += 3) {
    const batch = systems.slice(i, i + 3);
    const reports = await Promise.all(
      batch.map(([, make]) => runProbe(make(), { width: 320, height: 240, warmupS: 2, sustainS: 45, overloadS: 0, drainS: 2, measureWarm: false })),
    );
    reports.forEach((r, k) => {
      const m = r.matching;
      rows.push([
        (batch[k] as [string, unknown])[0],
        m?.byCode ?? 0,
        `${m?.byFlash.matched ?? 0} of ${m?.byFlash.detected ?? 0} (${m?.byFlash.sent ?? 0} sent)`,
        m?.flashVsCode ? m.flashVsCode.count : 0,
        m?.flashVsCode ? m.flashVsCode.medianMs.toFixed(2) : '-',
        m?.flashVsCode ? m.flashVsCode.maxAbsMs.toFixed(2) : '-',
      ]);
    });
  }
  return [
    '### Probe: latency from beacon flashes vs from frame-ID codes (same frames, same run)',
    '',
    table(['system', 'frames matched by code', 'flashes tied', 'flashes with a code too', 'median flash - code (ms)', 'max |flash - code| (ms)'], rows),
    '',
    'Target: within 5 ms.',
  ].join('\n');
}
