import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowNs, sleepMs } from '../core/clock.ts';
import { describeError, FramewiseError } from '../core/errors.ts';
import { Pipeline } from '../core/pipeline.ts';
import { render } from '../core/policy.ts';
import { median } from '../core/trend.ts';
import { FrameIdSink } from '../io/frame-id-sink.ts';
import { MediaSink } from '../io/media-sink.ts';
import { MediaSource } from '../io/media-source.ts';
import { TestPatternSource } from '../io/test-pattern-source.ts';
import { JpegEncoder } from '../io/jpeg-codec.ts';
import type { JobMeasurements, JobSubmission } from './job-measurements.ts';
import type { ProbeReport } from './run-probe.ts';
import { fillTemplate, type JobApiConfig, pick, place, type StimulusMedia } from './targets/job-api.ts';
import { decide, DEFAULT_THRESHOLDS } from './verdict.ts';

/** How to probe a job API. */
export interface JobProbeOptions {
  /** Seconds of stimulus per clip (default 5). */
  clipS?: number;
  /** Clips submitted one after another; the first is the cold start (default 3). */
  jobs?: number;
  fps?: number;
  width?: number;
  height?: number;
  /** Give up on one job after this long (default 600 s). */
  timeoutS?: number;
  /** Text for APIs that take a prompt (default: a neutral one that asks for the picture to be kept). */
  prompt?: string;
  /** A public URL of the stimulus's first picture, for APIs that only take media by URL. */
  mediaUrl?: string;
  /** The target's name in the report (default `job:<create URL>`). */
  label?: string;
  signal?: AbortSignal;
}

/** The prompt sent where an API wants one: it asks to keep the picture, so results stay comparable. */
export const DEFAULT_PROMPT = 'Keep the picture as it is: a test pattern with moving shapes and a code band at the top.';

async function json(response: Response, what: string, config: JobApiConfig): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new FramewiseError('input-unreadable', `${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw new FramewiseError('input-unreadable', `${what}: the answer is not JSON (${text.slice(0, 80)})`);
  }
  const check = config.apiError;
  if (check) {
    const code = pick(parsed, check.codeField);
    if ((typeof code === 'string' || typeof code === 'number') && !check.okValues.includes(code))
      throw new FramewiseError(
        'input-unreadable',
        `${what}: the API answered code ${code}: ${JSON.stringify(pick(parsed, check.messageField) ?? '')
          .replace(/^"|"$/g, '')
          .slice(0, 300)}`,
      );
  }
  return parsed;
}

function firstUrl(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return null;
}

/** Submit stimulus clips to an HTTP job API, follow every state change, download and check each result. */
export async function runJobProbe(config: JobApiConfig, options: JobProbeOptions = {}): Promise<ProbeReport> {
  const fps = options.fps ?? 30;
  const clipS = options.clipS ?? 5;
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const dir = await mkdtemp(join(tmpdir(), 'framewise-job-probe-'));
  const startedAt = new Date().toISOString();
  try {
    const clipPath = join(dir, 'stimulus.mp4');
    const made = await new Pipeline({
      source: new TestPatternSource({ width, height, fps, durationS: clipS, paced: false }),
      sink: new MediaSink({ output: clipPath, tuning: 'quality', bitrateKbps: 1500 }),
      policy: render(),
    }).run();
    const media: StimulusMedia = {
      clip: await readFile(clipPath),
      firstFrame: await firstPicture(width, height, fps),
      clipS,
      width,
      height,
      prompt: options.prompt ?? DEFAULT_PROMPT,
      ...(options.mediaUrl ? { mediaUrl: options.mediaUrl } : {}),
    };
    const submissions: JobSubmission[] = [];
    for (let index = 0; index < (options.jobs ?? 3) && !options.signal?.aborted; index++) {
      submissions.push(await submitOne(config, media, index, join(dir, `result-${index}.mp4`), options));
    }
    const done = submissions.filter((s) => s.realTimeFactor !== null);
    const warm = done.filter((s) => s.index > 0);
    const rtf = (warm.length > 0 ? warm : done).map((s) => s.realTimeFactor as number);
    const job: JobMeasurements = { clipDurationS: clipS, clipFrames: made.stats.framesOut, submissions, realTimeFactor: rtf.length > 0 ? median(rtf) : null };
    const streamedBeforeDone = submissions.some((s) => s.resultBeforeDone);
    const verdict =
      job.realTimeFactor === null
        ? { category: 'INCONCLUSIVE' as const, reasons: [`no job completed: ${submissions.map((s) => s.error ?? 'unknown').join('; ')}`], flags: [] }
        : decide({ warmFirstFrameMs: warm[0]?.playableMs ?? null, job: { streamedBeforeDone, realTimeFactor: job.realTimeFactor } });
    return {
      kind: 'job',
      target: options.label ?? `job:${config.createUrl}`,
      startedAt,
      stimulus: { width, height, fps },
      setup: { readyMs: submissions[0]?.acceptedMs ?? 0, coldFirstFrameMs: submissions[0]?.playableMs ?? null, warmFirstFrameMs: warm[0]?.playableMs ?? null },
      phases: [],
      verdict,
      thresholds: DEFAULT_THRESHOLDS,
      samples: [],
      refused: 0,
      job,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function submitOne(config: JobApiConfig, media: StimulusMedia, index: number, resultPath: string, options: JobProbeOptions): Promise<JobSubmission> {
  const headersNow = (): Record<string, string> => ({ 'content-type': 'application/json', ...config.headers, ...config.authorize?.() });
  const t0 = nowNs();
  const sinceMs = (): number => Math.round((nowNs() - t0) / 1e5) / 10;
  const sub: JobSubmission = {
    index,
    states: [],
    acceptedMs: 0,
    doneMs: null,
    playableMs: null,
    realTimeFactor: null,
    resultDurationS: null,
    framesBack: 0,
    framesIdentified: 0,
    resultBeforeDone: false,
    error: null,
  };
  try {
    let request: RequestInit;
    if (config.upload === 'body') request = { method: 'POST', headers: { ...headersNow(), 'content-type': 'video/mp4' }, body: new Uint8Array(media.clip) };
    else {
      let body: Record<string, unknown>;
      if (config.body) body = config.body(media);
      else {
        body = { ...(config.extraBody ?? {}) };
        place(body, config.inputField, `data:video/mp4;base64,${media.clip.toString('base64')}`);
      }
      request = { method: 'POST', headers: headersNow(), body: JSON.stringify(body) };
    }
    const created = await json(await fetch(config.createUrl, { ...request, signal: options.signal ?? null }), `creating a job at ${config.createUrl}`, config);
    sub.acceptedMs = sinceMs();
    const id = pick(created, config.idField);
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new FramewiseError('input-unreadable', `the create answer has no "${config.idField}" (set the id field of the job config)`);
    const statusUrl =
      firstUrl(config.statusUrlField ? pick(created, config.statusUrlField) : undefined) ?? config.statusUrlTemplate?.replace('{id}', String(id));
    if (!statusUrl)
      throw new FramewiseError('input-unreadable', `no status URL: the create answer has no "${config.statusUrlField ?? ''}" and no template is set`);
    const resultUrl = config.resultUrlField ? firstUrl(pick(created, config.resultUrlField)) : null;
    let last = '';
    let final: unknown = created;
    for (;;) {
      if (sinceMs() > (options.timeoutS ?? 600) * 1000)
        throw new FramewiseError('timeout', `job ${String(id)} did not finish within ${options.timeoutS ?? 600} s (last state "${last}")`);
      const status = await json(
        await fetch(new URL(statusUrl, config.createUrl), { headers: headersNow(), signal: options.signal ?? null }),
        `polling ${statusUrl}`,
        config,
      );
      const rawState = pick(status, config.statusField);
      // A status without the field has not got there yet (long-running operations add `done` only when done).
      const state =
        rawState === undefined || rawState === null
          ? 'pending'
          : typeof rawState === 'string' || typeof rawState === 'number' || typeof rawState === 'boolean'
            ? String(rawState)
            : JSON.stringify(rawState);
      if (state !== last) {
        sub.states.push({ state, atMs: sinceMs() });
        last = state;
      }
      const failedBy = config.failedWhenPresent === undefined ? undefined : pick(status, config.failedWhenPresent);
      if (config.failedValues.includes(state) || (failedBy !== undefined && failedBy !== null))
        throw new FramewiseError(
          'stage-failed',
          `job ${String(id)} ${failedBy !== undefined && failedBy !== null ? 'failed' : state}: ${JSON.stringify(config.errorField ? pick(status, config.errorField) : status).slice(0, 300)}`,
        );
      if (!config.doneValues.includes(state) && firstUrl(pick(status, config.outputField))) sub.resultBeforeDone = true;
      if (config.doneValues.includes(state)) {
        final = status;
        break;
      }
      await sleepMs(config.pollIntervalMs ?? 250, options.signal);
    }
    sub.doneMs = sinceMs();
    const madeUrl = config.resultUrlTemplate ? fillTemplate(config.resultUrlTemplate, final) : null;
    if (config.resultUrlTemplate && madeUrl === null)
      throw new FramewiseError('input-unreadable', `the finished job lacks what "${config.resultUrlTemplate}" needs to fetch the result`);
    const fetchFrom = resultUrl ?? madeUrl;
    const answer = fetchFrom
      ? await json(
          await fetch(new URL(fetchFrom, config.createUrl), { headers: headersNow(), signal: options.signal ?? null }),
          `fetching the result from ${fetchFrom}`,
          config,
        )
      : final;
    const output = firstUrl(pick(answer, config.outputField));
    if (!output) throw new FramewiseError('input-unreadable', `the finished job has no result at "${config.outputField}"`);
    const mediaUrl = new URL(output, config.createUrl);
    // The API's own credentials go only to its own origin (vendors hand out signed links on other hosts).
    const sameOrigin = mediaUrl.origin === new URL(config.createUrl).origin;
    const download = await fetch(mediaUrl, {
      ...(sameOrigin ? { headers: { ...config.headers, ...config.authorize?.() } } : {}),
      signal: options.signal ?? null,
    });
    if (!download.ok) throw new FramewiseError('input-unreadable', `downloading the result ${output}: HTTP ${download.status}`);
    await writeFile(resultPath, Buffer.from(await download.arrayBuffer()));
    sub.playableMs = sinceMs();
    const reader = new FrameIdSink();
    const back = await new Pipeline({ source: new MediaSource({ input: resultPath }), sink: reader, policy: render() }).run();
    sub.framesBack = back.stats.framesOut;
    sub.framesIdentified = reader.results().readable;
    // Generation APIs return clips of their own length: real time is the length of what came back.
    const resultS = back.source.durationS ?? (back.stats.framesOut > 0 ? back.stats.framesOut / back.source.fps : null);
    sub.resultDurationS = resultS === null ? null : Math.round(resultS * 1000) / 1000;
    sub.realTimeFactor = Math.round((sub.playableMs / 1000 / (resultS ?? media.clipS)) * 1000) / 1000;
  } catch (err) {
    sub.error = describeError(err);
  }
  return sub;
}

/** The stimulus's first picture as JPEG (what image-to-video APIs are given). */
async function firstPicture(width: number, height: number, fps: number): Promise<Buffer> {
  const source = new TestPatternSource({ width, height, fps, durationS: 1, paced: false });
  await source.open();
  using encoder = new JpegEncoder(3);
  try {
    const frame = await source.read();
    if (!frame) throw new FramewiseError('invalid-state', 'the test pattern gave no picture');
    try {
      return Buffer.from(await encoder.encode(frame));
    } finally {
      frame.release();
    }
  } finally {
    await source.close();
  }
}
