import { FramewiseError } from '../core/errors.ts';
import { effectList, effectUsages } from '../effects/registry.ts';
import { makeHighlights } from '../highlights/highlights.ts';
import { DEFAULT_WEIGHTS, parseWeights } from '../highlights/scoring.ts';
import { SIGNALS, type SignalName } from '../highlights/signals.ts';
import { assertDistinctOutput } from '../io/media-location.ts';
import { type HighlightsJobOptions, jobFormatOf } from '../jobs/job.ts';
import { JobClient } from '../jobs/job-client.ts';
import { parseFlags } from './flags.ts';
import { positiveNumber } from './numbers.ts';
import { ProgressLine } from './progress-line.ts';
import { onStopSignal } from './signals.ts';
import { followJob } from './follow-job.ts';

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

const weightsText = SIGNALS.map((s) => `${s}=${DEFAULT_WEIGHTS[s]}`).join(',');

/** Help for `framewise highlights`. */
export const HIGHLIGHTS_USAGE = `framewise highlights --input <file|url> --output <reel> [options]

Makes a highlight reel: scores every second of the video from picture motion, sound loudness (EBU R128), people in
view and body activity (models at a reduced rate), chooses clips inside shots to fill the length, and renders them
with their sound. Writes a report beside the reel (JSON and an HTML page with the timeline and each clip's score).

  --input, -i      a video file, or an http(s) URL (with --server, the server reads it)
  --output, -o     the reel (.mp4 .mkv .webm .mov)
  --length S       reel length in seconds, margins included (default 30)
  --weights LIST   how much each signal counts (default ${weightsText}); 0 leaves a signal out
  --signals LIST   which signals run (default ${SIGNALS.join(',')}); people and pose run models
  --model-fps N    pictures per second the models see (default 2)
  --min-clip S     shortest clip, before margins (default 3)
  --max-clip S     longest clip, before margins (default 15)
  --margin S       lead-in and lead-out of each clip, ended at the calmest moment (default 1)
  --min-score X    seconds scoring below this (0..1) count against a clip (default 0.2)
  --effect, -e     effects on the reel's pictures: ${effectUsages()}
  --report FILE    the HTML report (default: the reel's name + .html)
  --json           print the report as JSON (it is also written beside the reel as <reel>.json)
  --server URL     make it as a job on a Framewise server (framewise serve) and download reel and report
  --token T        the server's bearer token (or FRAMEWISE_TOKEN)
`;

/** `framewise highlights`. */
export async function highlightsCommand(args: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values: v } = parseFlags(
    args,
    {
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      length: { type: 'string' },
      weights: { type: 'string' },
      signals: { type: 'string' },
      'model-fps': { type: 'string' },
      'min-clip': { type: 'string' },
      'max-clip': { type: 'string' },
      margin: { type: 'string' },
      'min-score': { type: 'string' },
      effect: { type: 'string', short: 'e' },
      report: { type: 'string' },
      json: { type: 'boolean' },
      server: { type: 'string' },
      token: { type: 'string' },
    },
    'highlights',
    HIGHLIGHTS_USAGE,
  );
  if (!v.input) throw new FramewiseError('invalid-argument', '--input is required: see framewise highlights --help');
  if (!v.output) throw new FramewiseError('invalid-argument', '--output is required (a .mp4 .mkv .webm or .mov file)');
  const format = jobFormatOf(v.output);
  await assertDistinctOutput(v.input, v.output);
  const settings: HighlightsJobOptions = { lengthS: positiveNumber('--length', v.length) ?? 30 };
  if (v.weights !== undefined) settings.weights = parseWeights(v.weights);
  if (v.signals !== undefined) settings.signals = parseSignals(v.signals);
  const modelFps = positiveNumber('--model-fps', v['model-fps']);
  if (modelFps !== undefined) settings.modelFps = modelFps;
  const minScore = v['min-score'] === undefined ? undefined : Number(v['min-score']);
  if (minScore !== undefined && !(minScore >= 0 && minScore < 1))
    throw new FramewiseError('invalid-argument', `--min-score must be from 0 to below 1 (got "${v['min-score']}")`);
  const margin = v.margin === undefined ? undefined : Number(v.margin);
  if (margin !== undefined && !(margin >= 0 && margin <= 10)) throw new FramewiseError('invalid-argument', `--margin must be 0 to 10 s (got "${v.margin}")`);
  const effects = effectList(v.effect ?? '');
  const reportHtml = v.report ?? `${v.output}.html`;
  const reportJson = `${v.output}.json`;
  const progress = new ProgressLine(io.stderr, !v.json);
  if (v.server) {
    if (minScore !== undefined || margin !== undefined || v['min-clip'] !== undefined || v['max-clip'] !== undefined)
      throw new FramewiseError('invalid-argument', '--min-clip, --max-clip, --margin and --min-score are for local runs: a server job uses its defaults');
    const client = new JobClient(v.server, v.token ?? env.FRAMEWISE_TOKEN);
    const job = await followJob(client, await client.submit(v.input, effects, format, settings), v.server, progress);
    if (job.state !== 'succeeded') {
      io.stderr.write(`framewise: job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}\n`);
      return job.state === 'cancelled' ? 130 : 1;
    }
    await client.download(job.id, v.output);
    await client.download(job.id, reportJson, 'report');
    await client.download(job.id, reportHtml, 'report.html');
    io.stdout.write(
      v.json
        ? `${JSON.stringify(job, null, 2)}\n`
        : `${v.output}: ${job.result?.clips ?? 0} clips, ${job.result?.durationS ?? 0} s (job ${job.id}, ${job.result?.realTimeFactor ?? 0}x real time); report ${reportHtml}\n`,
    );
    return 0;
  }
  const abort = new AbortController();
  const stop = onStopSignal(() => abort.abort('cancelled'));
  try {
    const { report } = await makeHighlights({
      input: v.input,
      output: v.output,
      lengthS: settings.lengthS,
      ...(settings.weights ? { weights: settings.weights } : {}),
      ...(settings.signals ? { signals: settings.signals } : {}),
      ...(settings.modelFps === undefined ? {} : { modelFps: settings.modelFps }),
      ...(positiveNumber('--min-clip', v['min-clip']) === undefined ? {} : { minClipS: Number(v['min-clip']) }),
      ...(positiveNumber('--max-clip', v['max-clip']) === undefined ? {} : { maxClipS: Number(v['max-clip']) }),
      ...(margin === undefined ? {} : { marginS: margin }),
      ...(minScore === undefined ? {} : { minScore }),
      effects,
      reportJson,
      reportHtml,
      signal: abort.signal,
      onProgress: (p) =>
        p.phase === 'analysing'
          ? progress.frames(Math.round(p.done), p.total === null ? null : Math.round(p.total), null, 'analysing', false, 's of video')
          : progress.frames(p.done, p.total, null, 'rendering'),
    });
    progress.done();
    if (v.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      io.stdout.write(
        `${v.output}: ${report.clips.length} clips, ${report.reelS.toFixed(1)} s of ${report.targetS} s from ${report.durationS.toFixed(1)} s in ${report.timings.totalS.toFixed(1)} s ` +
          `(${report.timings.realTimeFactor.toFixed(2)}x real time); report ${reportHtml}\n`,
      );
      for (const [i, c] of report.clips.entries())
        io.stdout.write(`  #${i + 1}  ${c.startS.toFixed(1)}-${c.endS.toFixed(1)} s  score ${c.score.toFixed(2)}  ${c.why}\n`);
    }
    return 0;
  } catch (err) {
    progress.done();
    if (abort.signal.aborted) {
      io.stderr.write('framewise: highlights stopped; run it again (the analysis is not kept between local runs)\n');
      return 130;
    }
    throw err;
  } finally {
    stop();
  }
}

function parseSignals(text: string): SignalName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names)
    if (!(SIGNALS as readonly string[]).includes(name)) throw new FramewiseError('invalid-argument', `unknown signal "${name}": use ${SIGNALS.join(', ')}`);
  if (names.length === 0) throw new FramewiseError('invalid-argument', `--signals needs at least one of ${SIGNALS.join(', ')}`);
  return names as SignalName[];
}
