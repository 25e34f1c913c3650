import { FramewiseError } from '../../core/errors.ts';

/**
 * How to talk to an HTTP job API: where to create a job, and where in the JSON answers the id, the state, the status
 * URL and the result live. Presets follow the public docs of common queue APIs; every field can be overridden.
 */
export interface JobApiConfig {
  /** POST here to create a job. */
  createUrl: string;
  /**
   * How the clip is sent: `data-uri` (default) puts it as a data: URI at `inputField` of a JSON body; `body` sends
   * the MP4 itself as the request body (Content-Type video/mp4), options in the create URL's query.
   */
  upload?: 'data-uri' | 'body';
  /** Dotted path in the create body where the clip goes, as a data: URI (e.g. "input.video"). */
  inputField: string;
  /** Extra fields merged into the create body (model version, prompt...). */
  extraBody?: Record<string, unknown>;
  idField: string;
  /** Dotted path of the status URL in the create answer; when absent, `statusUrlTemplate` with {id} is used. */
  statusUrlField?: string;
  statusUrlTemplate?: string;
  statusField: string;
  doneValues: string[];
  failedValues: string[];
  /** Dotted path of the result's URL in the final status (or in the answer of `resultUrlField`). */
  outputField: string;
  /** Some queues return the result from a separate URL given at creation. */
  resultUrlField?: string;
  errorField?: string;
  headers?: Record<string, string>;
  pollIntervalMs?: number;
}

/** Field mappings modelled on public queue APIs (prediction-style and request-queue-style), and Framewise's own. */
export const JOB_PRESETS: Record<string, Omit<JobApiConfig, 'createUrl'>> = {
  predictions: {
    inputField: 'input.video',
    idField: 'id',
    statusUrlField: 'urls.get',
    statusField: 'status',
    doneValues: ['succeeded'],
    failedValues: ['failed', 'canceled'],
    outputField: 'output',
    errorField: 'error',
  },
  queue: {
    inputField: 'video_url',
    idField: 'request_id',
    statusUrlField: 'status_url',
    resultUrlField: 'response_url',
    statusField: 'status',
    doneValues: ['COMPLETED'],
    failedValues: ['FAILED', 'ERROR'],
    outputField: 'video.url',
    errorField: 'error',
  },
  // This project's job API (POST /jobs, framewise serve): the clip as the body, effects in the query
  // (job:http://host:8080/jobs?effect=blur), the record at Location, the file at links.result once succeeded.
  framewise: {
    upload: 'body',
    inputField: '',
    idField: 'id',
    statusUrlField: 'location',
    statusField: 'state',
    doneValues: ['succeeded'],
    failedValues: ['failed', 'cancelled'],
    outputField: 'links.result',
    errorField: 'error',
  },
};

/** Read a dotted path ("urls.get", "output.0") from parsed JSON. */
export function pick(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Set a dotted path in a plain object, creating levels as needed. */
export function place(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = target;
  keys.slice(0, -1).forEach((key) => {
    if (typeof cur[key] !== 'object' || cur[key] === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  });
  cur[keys.at(-1) as string] = value;
}

/** A preset by name, with the create URL filled in. */
export function jobConfig(createUrl: string, preset = 'predictions', overrides: Partial<JobApiConfig> = {}): JobApiConfig {
  const base = JOB_PRESETS[preset];
  if (!base) throw new FramewiseError('invalid-argument', `unknown job API preset "${preset}": use ${Object.keys(JOB_PRESETS).join(', ')}`);
  return { ...base, ...overrides, createUrl };
}
