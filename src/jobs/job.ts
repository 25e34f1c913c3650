/** Render jobs: what is asked for, and where a job stands. Plain data, persisted as JSON. */
import { extname } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import type { SignalWeights } from '../highlights/scoring.ts';
import type { SignalName } from '../highlights/signals.ts';

/** Where a job is in its life. `queued` and `running` are live; the other three are final. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** States a job never leaves. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** Output containers a job can write (the file's extension). */
export const JOB_FORMATS = ['mp4', 'mkv', 'webm', 'mov'] as const;
export type JobFormat = (typeof JOB_FORMATS)[number];

/** The job format a result file's name asks for (its extension); a clear error for any other. */
export function jobFormatOf(path: string): JobFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if (!(JOB_FORMATS as readonly string[]).includes(ext))
    throw new FramewiseError('invalid-argument', `the output must be ${JOB_FORMATS.map((f) => `.${f}`).join(' ')} (got "${path}")`);
  return ext as JobFormat;
}

/** What a job makes: every frame through effects (`render`, the default), or a highlight reel. */
export type JobKind = 'render' | 'highlights';

/** The settings of a highlights job (see `makeHighlights`). */
export interface HighlightsJobOptions {
  /** Target reel length, s. */
  lengthS: number;
  weights?: SignalWeights;
  signals?: SignalName[];
  modelFps?: number;
}

/** What a job renders. */
export interface JobSpec {
  /** Absent: `render`. */
  kind?: JobKind;
  /** With kind `highlights`. */
  highlights?: HighlightsJobOptions;
  /** Effect chain, in order, as typed on the CLI (`blur:12`, `grayscale`). */
  effects: string[];
  format: JobFormat;
  /** The input: a file uploaded with the job, or a URL (http/https) the server fetched into the job's folder at submit. */
  input: { kind: 'upload'; name: string } | { kind: 'url'; url: string };
  /** Segment length, s, fixed when the job is queued (every worker that resumes it cuts at the same times). */
  segmentS?: number;
}

/** How far a job has got. */
export interface JobProgress {
  /** Highlights jobs: analysing the input (frames are the input's), then rendering the reel (frames are the reel's). */
  phase?: 'analysing' | 'rendering';
  framesDone: number;
  /** Frames in the input, when its container says (files). */
  framesTotal: number | null;
  /** Frames per second over the current attempt. */
  fps: number | null;
  /** Seconds to go at that rate. */
  etaS: number | null;
  segmentsDone: number;
  segmentsTotal: number | null;
}

/** What a succeeded job made. */
export interface JobResult {
  fileName: string;
  bytes: number;
  frames: number;
  durationS: number;
  /** Render time / media duration (below 1: faster than real time); for highlights, over the input's duration. */
  realTimeFactor: number;
  /** Highlights: the clips chosen, and where the report is (JSON at links.report, the page at links.reportPage). */
  clips?: number;
}

/** A job, as stored and as `GET /jobs/<id>` shows it. */
export interface JobRecord {
  id: string;
  state: JobState;
  spec: JobSpec;
  progress: JobProgress;
  /** ISO times. */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Times a worker has started it (more than 1 after a crash or a restart). */
  attempts: number;
  /** The worker running it (or that ran it last). */
  worker: string | null;
  /** Why it failed, in words. */
  error: string | null;
  result: JobResult | null;
  /** What the input was found to be at submit time. */
  media: { width: number; height: number; fps: number; durationS: number | null; frames: number | null; description: string };
}

/** An event of `GET /jobs/<id>/events`. */
export interface JobEvent {
  type: 'state' | 'progress';
  job: JobRecord;
}

/** Fresh progress of a job that has not started. */
export function initialProgress(frames: number | null): JobProgress {
  return { framesDone: 0, framesTotal: frames, fps: null, etaS: null, segmentsDone: 0, segmentsTotal: null };
}

/** A new job's record, waiting; the queue's segment length is fixed in its spec unless the spec has one. */
export function queuedRecord(id: string, spec: JobSpec, media: JobRecord['media'], segmentS?: number): JobRecord {
  return {
    id,
    state: 'queued',
    spec: segmentS === undefined || spec.segmentS !== undefined ? spec : { ...spec, segmentS },
    progress: initialProgress(media.frames),
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    worker: null,
    error: null,
    result: null,
    media,
  };
}

const ID = /^[a-z0-9]{8,40}$/;

/** True when `id` can be a job id (so a path built from it stays inside the job folder). */
export function isJobId(id: string): boolean {
  return ID.test(id);
}
