import { FramewiseError } from '../core/errors.ts';
import type { Look } from './look.ts';
import { BUILT_IN_LOOKS } from './looks.ts';

/** Where an `avatar:<look>` argument may find its look. `resolve` throws a clear FramewiseError for names not allowed. */
export interface LookSource {
  resolve(name: string): Look;
}

/** The looks that ship with Framewise only (what a network client may name). */
export const builtInLooks: LookSource = {
  resolve(name: string): Look {
    const look = BUILT_IN_LOOKS.get(name);
    if (!look) throw new FramewiseError('invalid-argument', `unknown look "${name.slice(0, 40)}": use ${[...BUILT_IN_LOOKS.keys()].join(', ')}`);
    return look;
  },
};
