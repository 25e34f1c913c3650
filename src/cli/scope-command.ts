import { createInterface } from 'node:readline/promises';
import { FramewiseError } from '../core/errors.ts';
import { parseFlags } from './flags.ts';
import { type Requirements, requirementsFor, type Scope, scope, USE_CASES, type UseCase } from '../probe/scope.ts';
import { parseSize, positiveNumber } from './numbers.ts';
import { probeCommand } from './probe-command.ts';

/** Help for `framewise scope`. */
export const SCOPE_USAGE = `framewise scope [options]

Turns product requirements into the category you need (LIVE, NEAR-LIVE or GENERATION), a glass-to-glass latency
budget split per stage, and the probe thresholds to hold a system to. Asks for what is missing on a terminal.

  --use-case NAME      ${Object.keys(USE_CASES).join(', ')}
  --interactive yes|no does a person react to the output?
  --budget-ms N        glass-to-glass budget
  --fps N              camera rate
  --size WxH           picture size (default 640x480)
  --streams N          streams at once (default 1)
  --session-min N      how long one stream runs
  --network-ms N       one-way network time to the processing site (default 25)
  --json               print the result as JSON
  --target TARGET      then probe TARGET with these thresholds (any \`framewise probe\` target)
  --probe-duration S   with --target: a quick probe of S seconds (1 s warm-up, no overload) instead of the full one
`;

type Io = { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

async function ask(io: Io): Promise<UseCase> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    const names = Object.keys(USE_CASES) as UseCase[];
    names.forEach((name, i) => io.stdout.write(`  ${i + 1}. ${name.padEnd(18)} ${USE_CASES[name].summary}\n`));
    const answer = (await rl.question('Which use case? (number or name) ')).trim();
    const picked = names[Number(answer) - 1] ?? names.find((n) => n === answer);
    if (!picked) throw new FramewiseError('invalid-argument', `"${answer}" is not one of the use cases`);
    return picked;
  } finally {
    rl.close();
  }
}

/** Run `framewise scope`; returns the exit code. */
export async function scopeCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseFlags(
    args,
    {
      'use-case': { type: 'string' },
      interactive: { type: 'string' },
      'budget-ms': { type: 'string' },
      fps: { type: 'string' },
      size: { type: 'string' },
      streams: { type: 'string' },
      'session-min': { type: 'string' },
      'network-ms': { type: 'string' },
      json: { type: 'boolean' },
      target: { type: 'string' },
      'probe-duration': { type: 'string' },
    },
    'scope',
    SCOPE_USAGE,
  );
  const v = parsed.values;
  let useCase = v['use-case'] as UseCase | undefined;
  if (useCase === undefined) {
    if (io.stdin.isTTY !== true)
      throw new FramewiseError('invalid-argument', `--use-case is required when not on a terminal: ${Object.keys(USE_CASES).join(', ')}`);
    useCase = await ask(io);
  }
  if (v.interactive !== undefined && v.interactive !== 'yes' && v.interactive !== 'no')
    throw new FramewiseError('invalid-argument', '--interactive must be yes or no');
  const size = parseSize('--size', v.size);
  const sessionMin = positiveNumber('--session-min', v['session-min']);
  const networkMs = v['network-ms'] === '0' ? 0 : positiveNumber('--network-ms', v['network-ms']);
  const explicit: Partial<Requirements> = {
    ...(v.interactive !== undefined ? { interactive: v.interactive === 'yes' } : {}),
    ...(v['budget-ms'] !== undefined ? { budgetMs: positiveNumber('--budget-ms', v['budget-ms']) } : {}),
    ...(v.fps !== undefined ? { fps: positiveNumber('--fps', v.fps) } : {}),
    ...size,
    ...(v.streams !== undefined ? { streams: positiveNumber('--streams', v.streams) } : {}),
    ...(sessionMin !== undefined ? { sessionS: sessionMin * 60 } : {}),
    ...(networkMs !== undefined ? { networkMs } : {}),
  };
  const result = scope(requirementsFor(useCase, explicit));
  const quickS = positiveNumber('--probe-duration', v['probe-duration']);
  if (v.json) io.stdout.write(`${JSON.stringify({ ...result, probeFlags: probeFlags(result, quickS) }, null, 2)}\n`);
  else io.stdout.write(formatScope(result, quickS));
  // An impossible budget is a failed plan: say so in the exit code, and probe nothing against it.
  if (!result.feasible) return 1;
  if (!v.target) return 0;
  const probeArgs = [v.target, ...probeFlags(result, quickS)];
  io.stderr.write(`framewise: probing ${v.target} with these thresholds: framewise probe ${probeArgs.join(' ')}\n`);
  return probeCommand(probeArgs, io);
}

/** The `framewise probe` flags that hold a target to this scope, exactly as the probe takes them. */
export function probeFlags(result: Scope, quickS?: number): string[] {
  const r = result.requirements;
  const t = result.thresholds;
  const length = quickS === undefined ? ['--duration', String(result.probeSustainS)] : ['--duration', String(quickS), '--warmup', '1', '--overload', '0'];
  const flags = ['--fps', String(r.fps), '--size', `${r.width}x${r.height}`, ...length, '--expect', result.category];
  if (t.liveP95Ms !== undefined) flags.push('--live-p95-ms', String(t.liveP95Ms));
  if (t.liveP50Ms !== undefined) flags.push('--live-p50-ms', String(t.liveP50Ms));
  if (t.maxDriftMsPerS !== undefined) flags.push('--max-drift', String(t.maxDriftMsPerS));
  if (t.nearLiveP95Ms !== undefined) flags.push('--near-live-p95-ms', String(t.nearLiveP95Ms));
  return flags;
}

/** The scope as a short text. */
export function formatScope(s: Scope, quickS?: number): string {
  const r = s.requirements;
  const lines = [
    `${r.useCase}: you need ${s.category}`,
    `  because ${s.why}.`,
    `  ${r.width}x${r.height} at ${r.fps} fps, ${r.streams} stream(s) of ${Math.round(r.sessionS / 60)} min: ${s.throughputFps} frames/s to process in all`,
    '',
    `  glass-to-glass budget ${r.budgetMs} ms:`,
    ...s.budget.map((b) => `    ${b.stage.padEnd(14)} ${String(b.ms).padStart(8)} ms  ${b.note}`),
    '',
    s.feasible
      ? `  probe it: framewise probe <target> ${probeFlags(s, quickS).join(' ')}`
      : '  IMPOSSIBLE: no system can meet this budget (see below); nothing to probe against',
    ...s.warnings.map((w) => `  ! ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
