import { readFile, writeFile } from 'node:fs/promises';
import { FramewiseError } from '../core/errors.ts';
import { parseFlags } from './flags.ts';
import { renderReportHtml } from '../probe/report-html.ts';
import { type JobApiConfig, JOB_PRESETS } from '../probe/targets/job-api.ts';
import { type ProbeProgress, type ProbeReport } from '../probe/run-probe.ts';
import { compareReports, renderComparisonHtml } from '../probe/compare.ts';
import { type ProbeRequest, probeRequest, vendorOf } from '../probe/probe-request.ts';
import { USE_CASES, type UseCase } from '../probe/scope.ts';
import { listVendors, vendorByName } from '../probe/vendors/registry.ts';
import { describeMatching } from '../probe/recorder.ts';
import { listTargets } from '../probe/targets/registry.ts';
import type { Category, VerdictThresholds } from '../probe/verdict.ts';
import { parseSize, positiveNumber } from './numbers.ts';
import { onStopSignal, signalExitCode } from './signals.ts';

/** Help for `framewise probe`. */
export const PROBE_USAGE = `framewise probe <target> [options]
framewise probe --vendor <name> [--model M] [options]
framewise probe compare <target> <target> ... [--use-case NAME] [--report cmp.html]

Feeds the target what a camera would (frames with frame-ID codes and a beacon flash), measures what comes back,
and says LIVE, NEAR-LIVE, GENERATION or INCONCLUSIVE with the numbers that decided it.

Targets:
${listTargets()
  .map((t) => `  ${t.usage}\n      ${t.summary}`)
  .join('\n')}
  job:<create URL of an HTTP job API>
      an HTTP job API (submit, poll, download): judged per clip
  vendor:<name>  (the same as --vendor <name>)

Vendor presets (--vendor NAME; the key is read from the environment variable named):
${listVendors()
  .map(
    (vendor) =>
      `  ${vendor.name.padEnd(13)}${vendor.kind === 'job' ? 'job API ' : 'realtime'}  ${vendor.keyEnv.join(' + ').padEnd(36)}${vendor.title}${vendor.defaultModel ? '' : ' (needs --model)'}`,
  )
  .join('\n')}

  --fps N              camera rate (default 30)
  --size WxH           stimulus size (default 640x480)
  --warmup S           seconds sent before measuring (default 5)
  --duration S         seconds of the sustain phase the verdict is based on (default 60)
  --overload S         seconds at 1.25 x the rate afterwards (default 30; 0 skips)
  --drain S            seconds to wait for late frames at the end (default 3)
  --no-warm            skip the second start that measures the warm time to first frame
  --live-p50-ms N      LIVE needs p50 latency <= N (default 500)
  --live-p95-ms N      LIVE needs p95 latency <= N (default 1000)
  --max-drift N        LIVE needs the drift's upper bound <= N ms/s (default 2)
  --near-live-p95-ms N NEAR-LIVE needs p95 latency <= N; above it is GENERATION (default 10000)
  --job-preset NAME    job APIs: field mapping, ${Object.keys(JOB_PRESETS).join(' or ')} (default predictions)
  --job-config FILE    job APIs: JSON with field overrides (idField, statusField, outputField, headers...)
  --clip S             job APIs: seconds of stimulus per clip (default 5)
  --jobs N             job APIs: clips submitted one after another, the first cold (default 3)
  --token T            WHIP/WHEP and job APIs: bearer token (or FRAMEWISE_TOKEN)
  --vendor NAME        probe a vendor's real API with its documented protocol (see the list above)
  --model M            vendor presets: the model or app (each preset has a default but replicate and fal)
  --vendor-url URL     vendor presets: the API's base URL (default the vendor's own)
  --prompt TEXT        job APIs and presets that take a prompt (default: asks to keep the picture)
  --media-url URL      presets that take pictures by URL only (luma, krea): a public URL of a start picture
  --poll-ms N          job APIs: time between status polls (presets default to what each vendor asks for)
  --use-case NAME      compare: judge each target against this use case's budget (see framewise scope)
  --expect CATEGORY    exit with code 3 unless the verdict is CATEGORY (for CI gates)
  --report FILE.html   write a self-contained HTML report with plots
  --json               print the whole report as JSON
`;

const CATEGORIES: readonly Category[] = ['LIVE', 'NEAR-LIVE', 'GENERATION', 'INCONCLUSIVE'];

/** Run `framewise probe`; returns the exit code (0, or 3 when --expect did not match). */
export async function probeCommand(args: string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<number> {
  const parsed = parseFlags(
    args,
    {
      fps: { type: 'string' },
      size: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      overload: { type: 'string' },
      drain: { type: 'string' },
      'no-warm': { type: 'boolean' },
      'live-p50-ms': { type: 'string' },
      'live-p95-ms': { type: 'string' },
      'max-drift': { type: 'string' },
      'near-live-p95-ms': { type: 'string' },
      expect: { type: 'string' },
      token: { type: 'string' },
      'job-preset': { type: 'string' },
      'job-config': { type: 'string' },
      clip: { type: 'string' },
      jobs: { type: 'string' },
      vendor: { type: 'string' },
      model: { type: 'string' },
      'vendor-url': { type: 'string' },
      prompt: { type: 'string' },
      'media-url': { type: 'string' },
      'poll-ms': { type: 'string' },
      'use-case': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean' },
    },
    'probe',
    PROBE_USAGE,
    true,
  );
  const v = parsed.values;
  const comparing = parsed.positionals[0] === 'compare';
  const specs = comparing ? parsed.positionals.slice(1) : v.vendor !== undefined ? [`vendor:${v.vendor}`, ...parsed.positionals] : parsed.positionals;
  if (comparing && specs.length < 2)
    throw new FramewiseError('invalid-argument', 'framewise probe compare needs two targets or more: see framewise probe --help');
  if (!comparing && specs.length !== 1)
    throw new FramewiseError(
      'invalid-argument',
      specs.length > 1
        ? `name one target, not two (got "${specs[0]}" and "${specs[1]}"): to put several side by side use framewise probe compare`
        : 'name the target to probe, e.g. framewise probe local:blur, or a preset with --vendor: see framewise probe --help',
    );
  for (const spec of specs) {
    const name = vendorOf(spec);
    if (name !== null) vendorByName(name);
  }
  const useCase = v['use-case'];
  if (useCase !== undefined && !Object.hasOwn(USE_CASES, useCase))
    throw new FramewiseError('invalid-argument', `unknown use case "${useCase.slice(0, 40)}": use ${Object.keys(USE_CASES).join(', ')}`);
  if (useCase !== undefined && !comparing) throw new FramewiseError('invalid-argument', '--use-case goes with framewise probe compare');
  const size = parseSize('--size', v.size);
  const expect = v.expect?.toUpperCase();
  if (expect !== undefined && !CATEGORIES.includes(expect as Category))
    throw new FramewiseError('invalid-argument', `--expect must be one of ${CATEGORIES.join(', ')}`);
  const zeroOk = (flag: string, value: string | undefined): number | undefined => (value === '0' ? 0 : positiveNumber(flag, value));
  const thresholds: Partial<VerdictThresholds> = {};
  const p50 = positiveNumber('--live-p50-ms', v['live-p50-ms']);
  const p95 = positiveNumber('--live-p95-ms', v['live-p95-ms']);
  const drift = positiveNumber('--max-drift', v['max-drift']);
  if (p50 !== undefined) thresholds.liveP50Ms = p50;
  if (p95 !== undefined) thresholds.liveP95Ms = p95;
  if (drift !== undefined) thresholds.maxDriftMsPerS = drift;
  const nearP95 = positiveNumber('--near-live-p95-ms', v['near-live-p95-ms']);
  if (nearP95 !== undefined) thresholds.nearLiveP95Ms = nearP95;
  const abort = new AbortController();
  let signal: NodeJS.Signals | null = null;
  const stopListening = onStopSignal((received) => {
    signal ??= received;
    abort.abort();
  });
  const showProgress = !v.json && io.stderr.isTTY === true;
  const jobOverrides = v['job-config'] ? (JSON.parse(await readFile(v['job-config'], 'utf8')) as Partial<JobApiConfig>) : undefined;
  const clipS = positiveNumber('--clip', v.clip);
  const jobs = positiveNumber('--jobs', v.jobs);
  const fps = positiveNumber('--fps', v.fps);
  const pollMs = positiveNumber('--poll-ms', v['poll-ms']);
  const warmupS = zeroOk('--warmup', v.warmup);
  const sustainS = positiveNumber('--duration', v.duration);
  const overloadS = zeroOk('--overload', v.overload);
  const drainS = zeroOk('--drain', v.drain);
  const token = v.token ?? process.env.FRAMEWISE_TOKEN;
  const request = (spec: string): ProbeRequest => ({
    spec,
    ...(token ? { token } : {}),
    ...(v['job-preset'] ? { jobPreset: v['job-preset'] } : {}),
    ...(jobOverrides ? { jobConfig: jobOverrides } : {}),
    ...(v.model !== undefined ? { model: v.model } : {}),
    ...(v['vendor-url'] !== undefined ? { vendorUrl: v['vendor-url'] } : {}),
    ...(v.prompt !== undefined ? { prompt: v.prompt } : {}),
    ...(v['media-url'] !== undefined ? { mediaUrl: v['media-url'] } : {}),
    ...(pollMs !== undefined ? { pollMs } : {}),
  });
  const streamOptions = {
    ...(fps !== undefined ? { fps } : {}),
    ...size,
    ...(warmupS !== undefined ? { warmupS } : {}),
    ...(sustainS !== undefined ? { sustainS } : {}),
    ...(overloadS !== undefined ? { overloadS } : {}),
    ...(drainS !== undefined ? { drainS } : {}),
    measureWarm: v['no-warm'] !== true,
    thresholds,
    signal: abort.signal,
    onProgress: (p: ProbeProgress) => {
      if (showProgress)
        io.stderr.write(
          `\r${p.phase.padEnd(8)} ${p.elapsedS.toFixed(0).padStart(4)} s  sent ${p.sent}  back ${p.received}  latency ${p.lastLatencyMs === null ? '-' : `${p.lastLatencyMs.toFixed(0)} ms`}\x1b[K`,
        );
    },
  };
  const jobOptions = {
    ...(clipS !== undefined ? { clipS } : {}),
    ...(jobs !== undefined ? { jobs: Math.round(jobs) } : {}),
    ...(fps !== undefined ? { fps } : {}),
    ...size,
    signal: abort.signal,
  };
  const reports: ProbeReport[] = [];
  try {
    for (const spec of specs) {
      if (abort.signal.aborted) break;
      if (comparing && !v.json) io.stderr.write(`framewise: probing ${spec} (${reports.length + 1} of ${specs.length})\n`);
      reports.push(await probeRequest(request(spec), streamOptions, jobOptions));
    }
  } finally {
    stopListening();
    if (showProgress) io.stderr.write('\r\x1b[K');
  }
  if (comparing) {
    const comparison = compareReports(reports, useCase as UseCase | undefined);
    if (v.report) await writeFile(v.report, renderComparisonHtml(comparison));
    if (v.json) io.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    else {
      for (const t of comparison.targets) {
        io.stdout.write(summarize(t.report, undefined));
        if (t.fits !== null) io.stdout.write(`  use case ${useCase}: ${t.fits ? 'fits' : 'does not fit'} (${t.underUseCase}: ${t.why})\n`);
      }
      if (v.report) io.stdout.write(`comparison: ${v.report}\n`);
    }
    return signal === null ? 0 : signalExitCode(signal);
  }
  const report = reports[0] as ProbeReport;
  const code = await finish(report, v, io, expect);
  return signal === null ? code : signalExitCode(signal);
}

async function finish(
  report: ProbeReport,
  v: { report?: string; json?: boolean },
  io: { stdout: NodeJS.WriteStream },
  expect: string | undefined,
): Promise<number> {
  if (v.report) await writeFile(v.report, renderReportHtml(report));
  if (v.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(summarize(report, v.report));
  return expect !== undefined && report.verdict.category !== expect ? 3 : 0;
}

function summarize(report: ProbeReport, reportPath: string | undefined): string {
  const lines = [`${report.target}: ${report.verdict.category}`];
  for (const reason of report.verdict.reasons) lines.push(`  - ${reason}`);
  for (const flag of report.verdict.flags) lines.push(`  ! ${flag}`);
  const s = report.setup;
  lines.push(`  setup: ready ${s.readyMs} ms, first frame cold ${s.coldFirstFrameMs ?? '-'} ms, warm ${s.warmFirstFrameMs ?? '-'} ms`);
  for (const j of report.job?.submissions ?? []) {
    const states = j.states.map((st) => `${st.state}@${(st.atMs / 1000).toFixed(1)}s`).join(' -> ');
    lines.push(
      `  job ${j.index + 1}: ${j.error ?? `${states}, playable after ${((j.playableMs ?? 0) / 1000).toFixed(1)} s, real-time factor ${j.realTimeFactor}, ${j.framesIdentified}/${j.framesBack} frames identified`}`,
    );
  }
  for (const p of report.phases) {
    lines.push(
      `  ${p.phase.padEnd(8)} ${p.targetFps.toFixed(1)} fps  sent ${p.sent}  back ${p.received}  dropped ${p.lost ?? 'unknown'}  p50 ${p.latencyMs.p50.toFixed(1)} ms  p95 ${p.latencyMs.p95.toFixed(1)} ms  drift ${p.driftMsPerS.toFixed(2)} ms/s`,
    );
  }
  const m = report.matching;
  if (m) lines.push(`  matching: ${describeMatching(m)}`);
  const w = report.webrtc;
  if (w) {
    lines.push(
      `  webrtc receiver: ${w.codec ?? '?'} ${w.frameWidth ?? '?'}x${w.frameHeight ?? '?'}, jitter buffer ${w.jitterBufferDelayMeanMs?.toFixed(1) ?? '-'} ms, frames dropped ${w.framesDropped}, freezes ${w.freezeCount ?? 'not reported'}, packets lost ${w.packetsLost}`,
    );
  }
  if (reportPath) lines.push(`  report: ${reportPath}`);
  return `${lines.join('\n')}\n`;
}
