import { readFileSync, statSync } from 'node:fs';
import { FramewiseError } from '../core/errors.ts';
import { builtInLooks, type LookSource } from './look-source.ts';
import { type Look, parseLook } from './look.ts';

const MAX_LOOK_BYTES = 64 * 1024;

/** Built-in looks, or a look JSON file named by a local path (as typed on the command line: the user owns the file). */
export const localLooks: LookSource = {
  resolve(name: string): Look {
    if (!name.endsWith('.json')) return builtInLooks.resolve(name);
    const size = (() => {
      try {
        return statSync(name).size;
      } catch {
        throw new FramewiseError('input-not-found', `look file ${name} does not exist`);
      }
    })();
    if (size > MAX_LOOK_BYTES) throw new FramewiseError('invalid-argument', `look file ${name} is ${size} bytes: a look is at most ${MAX_LOOK_BYTES}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(name, 'utf8')) as unknown;
    } catch (err) {
      throw new FramewiseError('invalid-argument', `look file ${name} is not JSON: ${(err as Error).message}`);
    }
    return parseLook(parsed, `look file ${name}`);
  },
};
