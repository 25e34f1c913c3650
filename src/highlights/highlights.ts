import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import type { EffectContext } from '../effects/effect.ts';
import { analyzeVideo } from './analyze.ts';
import { renderReel } from './reel-render.ts';
import { describeClips, type HighlightsReport, rawPerSecond } from './report.ts';
import { renderHighlightsHtml } from './report-html.ts';
import { DEFAULT_WEIGHTS, scoreSeconds, type SignalWeights } from './scoring.ts';
import { chooseClips, type SelectionOptions } from './selection.ts';
import { type HighlightSignals, SIGNALS, type SignalName } from './signals.ts';

/** What a highlights run does. */
export interface HighlightsOptions extends Omit<SelectionOptions, 'lengthS'> {
  input: string;
  inputOptions?: Record<string, string>;
  /** The reel (mp4, mkv, mov or webm). */
  output: string;
  /** Target length of the reel, s. */
  lengthS: number;
  /** Weights of the signals (defaults: DEFAULT_WEIGHTS); a signal given weight 0 is not measured. */
  weights?: SignalWeights;
  /** Signals to measure (default all four); the models (people, pose) are the expensive ones. */
  signals?: readonly SignalName[];
  /** Pictures per second the models see (default 2). */
  modelFps?: number;
  /** Effects on the reel's pictures. */
  effects?: readonly string[];
  effectContext?: EffectContext;
  /** Where the analysis is kept: a later run with the same folder (a resumed job) skips straight to the render. */
  workDir?: string;
  /** Also write the report as JSON / HTML here. */
  reportJson?: string;
  reportHtml?: string;
  /** The input's name in the report (default: its file name). */
  inputName?: string;
  signal?: AbortSignal;
  onProgress?: (progress: HighlightsProgress) => void;
  /** Awaited once the analysis is kept in `workDir` (a remote worker copies the file to the server). */
  onAnalysisSaved?: (path: string) => Promise<void>;
}

/** Where a run stands: analysing the input (media seconds), or rendering the reel (pictures). */
export interface HighlightsProgress {
  phase: 'analysing' | 'rendering';
  done: number;
  total: number | null;
}

/** What a run made. */
export interface HighlightsResult {
  report: HighlightsReport;
  frames: number;
}

/** The analysis checkpoint's name in the work folder. */
export const ANALYSIS_FILE = 'analysis.json';

/**
 * Make a highlight reel: measure the video (picture change and cuts, loudness, people and pose at a reduced rate),
 * score every second, choose clips over the shots to fill the target length, and render them with their sound.
 * The report says why each clip was chosen.
 */
export async function makeHighlights(options: HighlightsOptions): Promise<HighlightsResult> {
  const startedMs = Date.now();
  const weights: Record<SignalName, number> = { ...DEFAULT_WEIGHTS, ...options.weights };
  const wanted = (options.signals ?? SIGNALS).filter((name) => weights[name] > 0);
  if (wanted.length === 0) throw new FramewiseError('invalid-argument', 'every signal is switched off or weighted 0: keep at least one');
  for (const name of SIGNALS) if (!wanted.includes(name)) weights[name] = 0;
  const signals = await analysisOf(options, wanted);
  const analysisS = (Date.now() - startedMs) / 1000;
  const { seconds, normalisation } = scoreSeconds(signals, weights);
  const clips = chooseClips(seconds, signals.shotStartsS, signals.durationS, signals.motion, { ...options, lengthS: options.lengthS });
  if (clips.length === 0)
    throw new FramewiseError(
      'invalid-argument',
      `no stretch of "${options.inputName ?? basename(options.input)}" scores above ${options.minScore ?? 0.2} for ${options.minClipS ?? 3} s: nothing worth a reel (lower --min-score or --min-clip)`,
    );
  const renderStartMs = Date.now();
  const rendered = await renderReel({
    input: options.input,
    ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}),
    clips,
    fps: signals.fps,
    output: options.output,
    ...(options.effects ? { effects: options.effects } : {}),
    ...(options.effectContext ? { effectContext: options.effectContext } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (frames) =>
      options.onProgress?.({ phase: 'rendering', done: frames, total: Math.round(clips.reduce((s, c) => s + c.endS - c.startS, 0) * signals.fps) }),
  });
  const totalS = (Date.now() - startedMs) / 1000;
  const described = describeClips(clips, seconds, weights);
  const report: HighlightsReport = {
    input: options.inputName ?? basename(options.input),
    durationS: signals.durationS,
    width: signals.width,
    height: signals.height,
    fps: signals.fps,
    targetS: options.lengthS,
    reelS: Math.round(rendered.durationS * 1000) / 1000,
    weights,
    modelFps: signals.modelFps,
    normalisation,
    shots: signals.shotStartsS.map((startS, i) => ({ startS, endS: signals.shotStartsS[i + 1] ?? signals.durationS })),
    clips: described,
    seconds,
    raw: rawPerSecond(signals),
    timings: {
      analysisS: Math.round(analysisS * 100) / 100,
      renderS: Math.round(((Date.now() - renderStartMs) / 1000) * 100) / 100,
      totalS: Math.round(totalS * 100) / 100,
      realTimeFactor: signals.durationS > 0 ? Math.round((totalS / signals.durationS) * 1000) / 1000 : 0,
    },
  };
  if (options.reportJson) await writeWhole(options.reportJson, `${JSON.stringify(report, null, 1)}\n`);
  if (options.reportHtml) await writeWhole(options.reportHtml, renderHighlightsHtml(report));
  return { report, frames: rendered.frames };
}

/** The analysis from the work folder when an earlier run of the same settings left it there, else measured now. */
async function analysisOf(options: HighlightsOptions, wanted: readonly SignalName[]): Promise<HighlightSignals> {
  const key = JSON.stringify({ signals: [...wanted].sort(), modelFps: options.modelFps ?? 2 });
  const path = options.workDir ? join(options.workDir, ANALYSIS_FILE) : null;
  if (path) {
    const kept = await readFile(path, 'utf8').then(
      (text) => JSON.parse(text) as { key: string; signals: HighlightSignals },
      () => null,
    );
    if (kept?.key === key) return kept.signals;
  }
  const signals = await analyzeVideo({
    input: options.input,
    ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}),
    signals: wanted,
    ...(options.modelFps === undefined ? {} : { modelFps: options.modelFps }),
    ...(options.effectContext?.modelsDir ? { modelsDir: options.effectContext.modelsDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (doneS, totalS) => options.onProgress?.({ phase: 'analysing', done: doneS, total: totalS }),
  });
  if (path) {
    await mkdir(dirname(path), { recursive: true });
    await writeWhole(path, JSON.stringify({ key, signals }));
    await options.onAnalysisSaved?.(path);
  }
  return signals;
}

/** Write a file under a temporary name, then rename: readers see it whole or not at all. */
async function writeWhole(path: string, text: string): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.partial`);
  await writeFile(partial, text);
  await rename(partial, path);
}
