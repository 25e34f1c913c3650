import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FramewiseError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Thrown when a command's `--help`/`-h` was given: the CLI prints the command's help to stdout and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** What `parseFlags` returns: the flag values by name, and the positionals. */
export interface ParsedFlags<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>['values'];
  positionals: string[];
}

/**
 * Parse a command's flags strictly. `--help`/`-h` anywhere asks for the help text (HelpRequested); a mistake
 * (unknown flag, missing value, stray argument) is one line naming it plus where to look, never the parser's text.
 */
export function parseFlags<O extends Options>(args: string[], options: O, command: string, usage: string, allowPositionals = false): ParsedFlags<O> {
  if (args.includes('--help') || args.includes('-h')) throw new HelpRequested(usage);
  const seeHelp = `see framewise ${command} --help`;
  let parsed: ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new FramewiseError('invalid-argument', `${describeParseError(err, args)}: ${seeHelp}`);
  }
  if (!allowPositionals && parsed.positionals.length > 0)
    throw new FramewiseError('invalid-argument', `unexpected argument "${parsed.positionals[0]}": ${seeHelp}`);
  return { values: parsed.values, positionals: parsed.positionals };
}

/** `--fps -5` reads as a flag followed by an unknown flag; join it to `--fps=-5` so the value check can say what is wrong. */
function joinNegativeValues(args: string[], options: Options): string[] {
  const valueFlag = (arg: string): string | undefined => {
    if (arg.includes('=')) return undefined;
    const name = arg.startsWith('--') ? arg.slice(2) : Object.keys(options).find((k) => arg.length === 2 && options[k]?.short === arg.slice(1));
    return name !== undefined && options[name]?.type === 'string' ? name : undefined;
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const name = next !== undefined && /^-(\d|\.\d)/.test(next) ? valueFlag(arg) : undefined;
    if (name !== undefined) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function describeParseError(err: unknown, args: string[]): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'(?:-\w, )?(--?[^'\s,]+)/.exec(message)?.[1] ?? args.find((a) => a.startsWith('-')) ?? '';
  const name = flag.split('=')[0] ?? flag;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${name}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/ambiguous/.test(message)) return `${name} needs a value (to pass one that starts with "-", write ${name}=-...)`;
      return /argument missing/.test(message) ? `${name} needs a value` : `${name} takes no value`;
    default:
      return `cannot read the arguments (${message.split('.')[0] ?? message})`;
  }
}
