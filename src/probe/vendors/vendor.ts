import { FramewiseError } from '../../core/errors.ts';
import type { JobApiConfig } from '../targets/job-api.ts';
import type { StreamTarget } from '../targets/target.ts';

/** What a preset is told by the user: where the API is (tests point it at a mock), which model, and the keys. */
export interface VendorSettings {
  /** The API's base URL (default: the vendor's own). */
  baseUrl: string;
  /** The model or app, where the vendor has several (default: the preset's). */
  model: string;
  /** The environment the keys are read from. */
  env: NodeJS.ProcessEnv;
  /** Text for APIs that take a prompt. */
  prompt: string;
}

/** What every preset says about itself: the help, the README table and the error for a missing key come from it. */
interface VendorBase {
  /** As typed after --vendor. */
  name: string;
  title: string;
  /** Where its protocol is documented. */
  docs: string;
  /** Environment variables that hold its key(s). */
  keyEnv: readonly string[];
  defaultBaseUrl: string;
  /** The model or app used unless --model says otherwise; empty when the user must choose one. */
  defaultModel: string;
  /** What the probe sends, in words. */
  sends: string;
  /** What a run costs the user, in words (clip length and count at the defaults). */
  cost: string;
}

/** A job API: clips (or pictures) submitted, states followed, results downloaded. */
export interface JobVendor extends VendorBase {
  kind: 'job';
  /** Stimulus size and length the preset sends (vendors accept only some sizes and lengths). */
  stimulus: { width: number; height: number; clipS: number };
  config(settings: VendorSettings): JobApiConfig;
}

/** A realtime API: a stream of frames in, a stream of frames out. */
export interface RealtimeVendor extends VendorBase {
  kind: 'realtime';
  /** Stimulus size the preset sends. */
  stimulus: { width: number; height: number };
  target(settings: VendorSettings): StreamTarget;
}

export type Vendor = JobVendor | RealtimeVendor;

/** The keys of `vendor` from `env`, or one clear error naming the variables to set. */
export function vendorKeys(vendor: Vendor, env: NodeJS.ProcessEnv): string[] {
  const missing = vendor.keyEnv.filter((name) => !env[name]);
  if (missing.length > 0)
    throw new FramewiseError(
      'invalid-argument',
      `--vendor ${vendor.name} needs ${missing.join(' and ')} in the environment (${vendor.title}'s API key${vendor.keyEnv.length > 1 ? 's' : ''}; see ${vendor.docs})`,
    );
  return vendor.keyEnv.map((name) => env[name] as string);
}

/** The model asked for, or the preset's; a clear error when the vendor has no default and none was given. */
export function vendorModel(vendor: Vendor, model: string): string {
  const chosen = model || vendor.defaultModel;
  if (!chosen) throw new FramewiseError('invalid-argument', `--vendor ${vendor.name} needs --model (the ${vendor.title} model or app to run)`);
  if (!/^[A-Za-z0-9._:/-]{1,200}$/.test(chosen) || chosen.includes('..'))
    throw new FramewiseError('invalid-argument', `--model "${chosen.slice(0, 80)}" is not a model name (letters, digits, . _ : / -)`);
  return chosen;
}

/** A base URL without its trailing slash, checked to be http(s). */
export function baseUrlOf(url: string): string {
  if (!/^https?:\/\//.test(url)) throw new FramewiseError('invalid-argument', `--vendor-url must be an http(s) URL (got "${url.slice(0, 80)}")`);
  return url.replace(/\/+$/, '');
}

/** A data: URI of bytes. */
export function dataUri(mime: string, bytes: Buffer): string {
  return `data:${mime};base64,${bytes.toString('base64')}`;
}
