import { FramewiseError } from '../../core/errors.ts';

/** What a job API may be sent: the stimulus clip, its first picture, and words. */
export interface StimulusMedia {
  /** The stimulus as MP4 (H.264), every frame carrying its frame-ID code. */
  clip: Buffer;
  /** Its first picture as JPEG (for image-to-video APIs). */
  firstFrame: Buffer;
  clipS: number;
  width: number;
  height: number;
  /** Text for APIs that need a prompt. */
  prompt: string;
  /** A public URL of the first picture, for APIs that only take URLs (given by the user; none by default). */
  mediaUrl?: string;
}

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
  /** Build the whole create body from the stimulus instead (vendor presets); `inputField` and `extraBody` are then unused. */
  body?: (media: StimulusMedia) => Record<string, unknown>;
  /** Headers computed for every request (a signed token that expires), added to `headers`. */
  authorize?: () => Record<string, string>;
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
  /** Or from a URL made from the final status: `{path}` is replaced by that dotted path of it (e.g. `{file_id}`). */
  resultUrlTemplate?: string;
  errorField?: string;
  /** Answers that carry their own status code (HTTP 200 with an error inside): the field, the values that mean OK, and the message. */
  apiError?: { codeField: string; okValues: (string | number)[]; messageField: string };
  /** The job failed when this field is present in a status (long-running operations put `error` beside `done`). */
  failedWhenPresent?: string;
  headers?: Record<string, string>;
  pollIntervalMs?: number;
}

/** Field mappings modelled on public queue APIs (prediction-style and request-queue-style), and Framewise's own. */
export const JOB_PRESETS = {
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
} satisfies Record<string, Omit<JobApiConfig, 'createUrl'>>;

/** Fill `{dotted.path}` placeholders of a template from parsed JSON (each value URL-encoded); null when one is missing. */
export function fillTemplate(template: string, from: unknown): string | null {
  let missing = false;
  const out = template.replace(/\{([A-Za-z0-9_.]+)\}/g, (_, path: string) => {
    const value = pick(from, path);
    if (typeof value !== 'string' && typeof value !== 'number') {
      missing = true;
      return '';
    }
    return encodeURIComponent(String(value));
  });
  return missing ? null : out;
}

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
  const presets: Record<string, Omit<JobApiConfig, 'createUrl'>> = JOB_PRESETS;
  const base = Object.hasOwn(presets, preset) ? presets[preset] : undefined;
  if (!base) throw new FramewiseError('invalid-argument', `unknown job API preset "${preset}": use ${Object.keys(JOB_PRESETS).join(', ')}`);
  return { ...base, ...overrides, createUrl };
}
