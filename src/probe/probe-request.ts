import { FramewiseError } from '../core/errors.ts';
import { DEFAULT_PROMPT, type JobProbeOptions, runJobProbe } from './run-job-probe.ts';
import { type ProbeOptions, type ProbeReport, runProbe } from './run-probe.ts';
import { type JobApiConfig, jobConfig } from './targets/job-api.ts';
import { createTarget } from './targets/registry.ts';
import { vendorByName } from './vendors/registry.ts';
import type { VendorSettings } from './vendors/vendor.ts';

/** What to probe: a target spec (`local:blur`, `whip:...`, `job:...`), or a vendor preset. */
export interface ProbeRequest {
  /** A target spec, or `vendor:<name>` for a preset. */
  spec: string;
  /** Bearer token for WHIP/WHEP and `job:` targets. */
  token?: string;
  /** `job:` targets: the field mapping preset and overrides. */
  jobPreset?: string;
  jobConfig?: Partial<JobApiConfig>;
  /** Vendor presets: the model, the API's base URL (a mock in tests), the text prompt, a public picture URL, the poll interval. */
  model?: string;
  vendorUrl?: string;
  prompt?: string;
  mediaUrl?: string;
  pollMs?: number;
  /** Where vendor keys are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The vendor a spec names (`vendor:runway`), or null. */
export function vendorOf(spec: string): string | null {
  return spec.startsWith('vendor:') ? spec.slice('vendor:'.length) : null;
}

/**
 * Probe one target of any kind: stream targets under camera-like load, job APIs (and job vendor presets) clip by clip,
 * realtime vendor presets as streams at the size they take. Explicit size and clip options win over a preset's.
 */
export async function probeRequest(request: ProbeRequest, stream: ProbeOptions = {}, job: JobProbeOptions = {}): Promise<ProbeReport> {
  const vendorName = vendorOf(request.spec);
  if (vendorName !== null) {
    const vendor = vendorByName(vendorName);
    const settings: VendorSettings = {
      baseUrl: request.vendorUrl ?? vendor.defaultBaseUrl,
      model: request.model ?? '',
      env: request.env ?? process.env,
      prompt: request.prompt ?? DEFAULT_PROMPT,
    };
    if (vendor.kind === 'job') {
      const config = vendor.config(settings);
      if (request.pollMs !== undefined) config.pollIntervalMs = request.pollMs;
      return runJobProbe(config, {
        clipS: vendor.stimulus.clipS,
        width: vendor.stimulus.width,
        height: vendor.stimulus.height,
        prompt: settings.prompt,
        ...(request.mediaUrl ? { mediaUrl: request.mediaUrl } : {}),
        ...job,
        label: `vendor:${vendor.name}`,
      });
    }
    return runProbe(vendor.target(settings), { width: vendor.stimulus.width, height: vendor.stimulus.height, ...stream });
  }
  if (request.spec.startsWith('job:')) {
    const overrides: Partial<JobApiConfig> = { ...request.jobConfig };
    if (request.token && !Object.keys(overrides.headers ?? {}).some((h) => h.toLowerCase() === 'authorization'))
      overrides.headers = { ...overrides.headers, authorization: `Bearer ${request.token}` };
    const config = jobConfig(request.spec.slice('job:'.length), request.jobPreset, overrides);
    if (request.pollMs !== undefined) config.pollIntervalMs = request.pollMs;
    return runJobProbe(config, { ...(request.prompt ? { prompt: request.prompt } : {}), ...job });
  }
  if (request.model !== undefined || request.vendorUrl !== undefined)
    throw new FramewiseError('invalid-argument', '--model and --vendor-url go with --vendor (a preset); this target is not one');
  return runProbe(createTarget(request.spec, request.token ? { token: request.token } : {}), stream);
}
