import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FramewiseError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse a command's flags strictly; a mistake (unknown flag, missing value) becomes a usage error that shows the
 * command's help. `allowPositionals` for commands that take a target.
 */
export function parseFlags<O extends Options, P extends boolean = false>(args: string[], options: O, usage: string, allowPositionals?: P) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (err) {
    throw new FramewiseError('invalid-argument', `${(err as Error).message}\n\n${usage}`);
  }
}
