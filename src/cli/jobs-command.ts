import { join, dirname, basename } from 'node:path';
import { rm } from 'node:fs/promises';
import { FramewiseError } from '../core/errors.ts';
import { effectList, effectUsages } from '../effects/registry.ts';
import { assertDistinctOutput } from '../io/media-location.ts';
import { jobFormatOf, type JobRecord } from '../jobs/job.ts';
import { JobClient } from '../jobs/job-client.ts';
import { renderSegmented } from '../jobs/segmented-render.ts';
import { parseFlags } from './flags.ts';
import { positiveNumber } from './numbers.ts';
import { onStopSignal } from './signals.ts';
import { ProgressLine } from './progress-line.ts';
import { followJob } from './follow-job.ts';

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

/** Help for `framewise render`. */
export const RENDER_USAGE = `framewise render --input <file|url> --output <file> [options]

Renders every frame of a video through effects, as a job: in segments checkpointed on disk (a killed render run
again resumes after its last finished segment), joined at the end with the input's audio.

  --input, -i     a video file, or an http(s) URL (with --server, the server reads it)
  --output, -o    the result (.mp4 .mkv .webm .mov)
  --effect, -e    effect, or several joined by commas (default passthrough): ${effectUsages()}
  --server URL    submit it to a Framewise server's job API instead (framewise serve), follow its progress and
                  download the result; the file is uploaded
  --token T       the server's bearer token (or FRAMEWISE_TOKEN)
  --segment S     segment length in seconds for a local render (default 10)
  --detach        with --server: print the job id and return at once (follow it with framewise jobs wait)
  --json          print the finished job (or the local result) as JSON
`;

/** Help for `framewise jobs`. */
export const JOBS_USAGE = `framewise jobs <ls|show|cancel|wait> [id] [options]

Lists and follows the render jobs of a Framewise server.

  ls              the jobs, newest first (--limit N, --offset N)
  show <id>       one job as JSON: state, progress (frames, fps, ETA), timings, error
  cancel <id>     stop a queued or running job (its partial files are removed)
  wait <id>       follow the job until it ends; with --output, download its result

  --server URL    the server (default http://127.0.0.1:8080)
  --token T       its bearer token (or FRAMEWISE_TOKEN)
  --output, -o    wait: where to write the result
`;

/** `framewise render`. */
export async function renderCommand(args: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values: v } = parseFlags(
    args,
    {
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      effect: { type: 'string', short: 'e' },
      server: { type: 'string' },
      token: { type: 'string' },
      segment: { type: 'string' },
      detach: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    'render',
    RENDER_USAGE,
  );
  if (!v.input) throw new FramewiseError('invalid-argument', '--input is required: see framewise render --help');
  if (!v.output && !v.detach) throw new FramewiseError('invalid-argument', '--output is required (a .mp4 .mkv .webm or .mov file)');
  const effects = effectList(v.effect ?? 'passthrough');
  const format = v.output ? jobFormatOf(v.output) : 'mp4';
  const segmentS = positiveNumber('--segment', v.segment);
  if (v.output) await assertDistinctOutput(v.input, v.output);
  const progress = new ProgressLine(io.stderr, !v.json);
  if (v.server) {
    const client = new JobClient(v.server, v.token ?? env.FRAMEWISE_TOKEN);
    const submitted = await client.submit(v.input, effects, format);
    if (v.detach) {
      io.stdout.write(v.json ? `${JSON.stringify(submitted, null, 2)}\n` : `${submitted.id}\n`);
      return 0;
    }
    const job = await followJob(client, submitted, v.server, progress);
    return finishRemote(client, job, v.output as string, v.json === true, io);
  }
  const output = v.output as string;
  const segmentsDir = join(dirname(output), `.${basename(output)}.segments`);
  const abort = new AbortController();
  const stop = onStopSignal(() => abort.abort('cancelled'));
  const startedMs = Date.now();
  try {
    const result = await renderSegmented({
      input: v.input,
      effects,
      output,
      segmentsDir,
      signal: abort.signal,
      ...(segmentS === undefined ? {} : { segmentS }),
      onProgress: (p) => progress.frames(p.framesDone, p.framesTotal, p.fps, `segment ${Math.min(p.segmentsDone + 1, p.segmentsTotal)}/${p.segmentsTotal}`),
    });
    progress.done();
    await rm(segmentsDir, { recursive: true, force: true });
    const seconds = (Date.now() - startedMs) / 1000;
    const summary = {
      output,
      frames: result.frames,
      durationS: result.durationS,
      bytes: result.bytes,
      segments: result.segments,
      resumedSegments: result.resumedSegments,
      seconds,
      realTimeFactor: result.durationS > 0 ? seconds / result.durationS : null,
    };
    if (v.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else
      io.stdout.write(
        `${output}: ${result.frames} frames, ${result.durationS.toFixed(2)} s, ${result.segments} segment(s)` +
          `${result.resumedSegments > 0 ? ` (${result.resumedSegments} resumed)` : ''}, rendered in ${seconds.toFixed(1)} s ` +
          `(${(seconds / Math.max(1e-3, result.durationS)).toFixed(2)}x real time)\n`,
      );
    return 0;
  } catch (err) {
    progress.done();
    if (abort.signal.aborted) {
      io.stderr.write(`framewise: render stopped; run the same command again to resume after its last finished segment\n`);
      return 130;
    }
    throw err;
  } finally {
    stop();
  }
}

async function finishRemote(client: JobClient, job: JobRecord, output: string, json: boolean, io: Io): Promise<number> {
  if (job.state !== 'succeeded') {
    io.stderr.write(`framewise: job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}\n`);
    if (json) io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
    return job.state === 'cancelled' ? 130 : 1;
  }
  const bytes = await client.download(job.id, output);
  if (json) io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  else
    io.stdout.write(
      `${output}: ${job.result?.frames ?? 0} frames, ${job.result?.durationS ?? 0} s, ${bytes} bytes (job ${job.id}, ${job.result?.realTimeFactor ?? 0}x real time)\n`,
    );
  return 0;
}

/** `framewise jobs`. */
export async function jobsCommand(args: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values: v, positionals } = parseFlags(
    args,
    {
      server: { type: 'string' },
      token: { type: 'string' },
      output: { type: 'string', short: 'o' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
    'jobs',
    JOBS_USAGE,
    true,
  );
  const [action, id, extra] = positionals;
  if (extra !== undefined) throw new FramewiseError('invalid-argument', `unexpected "${extra}": see framewise jobs --help`);
  const client = new JobClient(v.server ?? 'http://127.0.0.1:8080', v.token ?? env.FRAMEWISE_TOKEN);
  const needId = (): string => {
    if (id === undefined) throw new FramewiseError('invalid-argument', `framewise jobs ${action ?? ''} needs a job id`);
    return id;
  };
  switch (action) {
    case 'ls':
    case 'list': {
      const page = await client.list(Number(v.limit ?? 50), Number(v.offset ?? 0));
      io.stdout.write(`${'ID'.padEnd(22)}${'STATE'.padEnd(11)}${'PROGRESS'.padEnd(16)}${'EFFECTS'.padEnd(22)}CREATED\n`);
      for (const job of page.jobs) {
        const p = job.progress;
        const done = p.framesTotal ? `${Math.round((100 * p.framesDone) / p.framesTotal)}% ${p.framesDone}/${p.framesTotal}` : `${p.framesDone}`;
        io.stdout.write(`${job.id.padEnd(22)}${job.state.padEnd(11)}${done.padEnd(16)}${job.spec.effects.join(',').padEnd(22)}${job.createdAt}\n`);
      }
      io.stdout.write(`${page.jobs.length} of ${page.total} job(s)${page.next ? `; more with --offset ${Number(v.offset ?? 0) + page.jobs.length}` : ''}\n`);
      return 0;
    }
    case 'show':
      io.stdout.write(`${JSON.stringify(await client.get(needId()), null, 2)}\n`);
      return 0;
    case 'cancel': {
      const job = await client.cancel(needId());
      io.stdout.write(`job ${job.id} ${job.state}\n`);
      return 0;
    }
    case 'wait': {
      const progress = new ProgressLine(io.stderr, true);
      const job = await client.wait(needId(), (j) => progress.show(j));
      progress.done();
      if (v.output) return finishRemote(client, job, v.output, false, io);
      io.stdout.write(`job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}\n`);
      return job.state === 'succeeded' ? 0 : 1;
    }
    default:
      throw new FramewiseError('invalid-argument', `framewise jobs needs ls, show, cancel or wait (got "${action ?? ''}")`);
  }
}
