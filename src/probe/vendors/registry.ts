import { FramewiseError } from '../../core/errors.ts';
import { daydream } from './daydream.ts';
import { falQueue } from './fal-queue.ts';
import { falRealtime } from './fal-realtime.ts';
import { kling } from './kling.ts';
import { krea } from './krea.ts';
import { luma } from './luma.ts';
import { minimax } from './minimax.ts';
import { replicate } from './replicate.ts';
import { runway } from './runway.ts';
import type { Vendor } from './vendor.ts';
import { veo } from './veo.ts';

/** Every vendor preset, job APIs first. */
const VENDORS: readonly Vendor[] = [runway, luma, replicate, falQueue, kling, minimax, veo, krea, falRealtime, daydream];

/** The presets, in help order. */
export function listVendors(): readonly Vendor[] {
  return VENDORS;
}

/** The preset `name` (as typed after --vendor), or a clear error listing them. */
export function vendorByName(name: string): Vendor {
  const found = VENDORS.find((v) => v.name === name);
  if (!found) throw new FramewiseError('invalid-argument', `unknown vendor "${name.slice(0, 40)}": use ${VENDORS.map((v) => v.name).join(', ')}`);
  return found;
}
