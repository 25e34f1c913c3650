/** Render jobs: what is asked for, and where a job stands. Plain data, persisted as JSON. */

/** Where a job is in its life. `queued` and `running` are live; the other three are final. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** States a job never leaves. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** Output containers a job can write (the file's extension). */
export const JOB_FORMATS = ['mp4', 'mkv', 'webm', 'mov'] as const;
export type JobFormat = (typeof JOB_FORMATS)[number];

/** What a job renders. */
export interface JobSpec {
  /** Effect chain, in order, as typed on the CLI (`blur:12`, `grayscale`). */
  effects: string[];
  format: JobFormat;
  /** The input: a file stored with the job (`upload`), or a URL FFmpeg reads (http/https). */
  input: { kind: 'upload'; name: string } | { kind: 'url'; url: string };
  /** Segment length, s, fixed when the job is queued (every worker that resumes it cuts at the same times). */
  segmentS?: number;
}

/** How far a job has got. */
export interface JobProgress {
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
  /** Render time / media duration (below 1: faster than real time). */
  realTimeFactor: number;
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
