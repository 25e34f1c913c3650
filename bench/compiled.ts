import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianOf, table } from './stats-util.ts';

const ROUNDS = 6;

/**
 * The compiled package (dist/, what users import and what the CLI runs) against the TypeScript sources run through
 * tsx, in alternating processes of the same run: engine cost per frame and blur per 640x480 frame. Target: the
 * compiled code is not slower (ratio <= 1.05, the noise on this machine).
 */
export async function compiledBench(clip: { label: string; path: string }): Promise<string> {
  const worker = join(dirname(fileURLToPath(import.meta.url)), 'compiled-worker.ts');
  const results: Record<'dist' | 'src', { engineUs: number[]; blurP50Ms: number[] }> = {
    dist: { engineUs: [], blurP50Ms: [] },
    src: { engineUs: [], blurP50Ms: [] },
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const from of round % 2 === 0 ? (['dist', 'src'] as const) : (['src', 'dist'] as const)) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', worker, from, clip.path], { encoding: 'utf8', timeout: 300_000 });
      if (r.status !== 0) throw new Error(`compiled bench (${from}) failed: ${r.stderr}`);
      const line = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { engineUs: number; blurP50Ms: number };
      results[from].engineUs.push(line.engineUs);
      results[from].blurP50Ms.push(line.blurP50Ms);
    }
  }
  const row = (what: string, key: 'engineUs' | 'blurP50Ms', digits: number): (string | number)[] => {
    const dist = medianOf(results.dist[key]);
    const src = medianOf(results.src[key]);
    return [what, src.toFixed(digits), dist.toFixed(digits), (dist / src).toFixed(2)];
  };
  return [
    `### Compiled package vs sources (${clip.label}; median of ${ROUNDS} alternating processes each)`,
    '',
    table(
      ['measure', 'sources via tsx (floor)', 'compiled dist/', 'ratio'],
      [row('engine, passthrough render (us/frame)', 'engineUs', 2), row('blur stage alone, p50 of 340 frames (ms/frame)', 'blurP50Ms', 2)],
    ),
    '',
    'Target: ratio <= 1.05 (compiled code is not slower). The dist process loads dist/index.js; tsx is only the loader for the worker script itself.',
  ].join('\n');
}
