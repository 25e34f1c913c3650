import { readFileSync, statSync } from 'node:fs';
import { FramewiseError } from '../core/errors.ts';
import { type Look, parseLook } from './look.ts';
import { BUILT_IN_LOOKS } from './looks.ts';

/** Where an `avatar:<look>` argument may find its look. `resolve` throws a clear FramewiseError for names not allowed. */
export interface LookSource {
  resolve(name: string): Look;
}

const MAX_LOOK_BYTES = 64 * 1024;

/** The looks that ship with Framewise only (what a network client may name). */
export const builtInLooks: LookSource = {
  resolve(name: string): Look {
    const look = BUILT_IN_LOOKS.get(name);
    if (!look) throw new FramewiseError('invalid-argument', `unknown look "${name.slice(0, 40)}": use ${[...BUILT_IN_LOOKS.keys()].join(', ')}`);
    return look;
  },
};

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
