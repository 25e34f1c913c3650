import busboy from 'busboy';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FramewiseError } from '../core/errors.ts';
import type { EffectContext } from '../effects/effect.ts';
import { createEffect, effectList, MAX_CHAIN_EFFECTS } from '../effects/registry.ts';
import { FINAL_STATES, type HighlightsJobOptions, JOB_FORMATS, type JobFormat, type JobKind, type JobRecord, type JobSpec } from '../jobs/job.ts';
import { renderHighlightsHtml } from '../highlights/report-html.ts';
import type { HighlightsReport } from '../highlights/report.ts';
import { parseWeights } from '../highlights/scoring.ts';
import { SIGNALS, type SignalName } from '../highlights/signals.ts';
import { addressCheck } from '../jobs/address-rule.ts';
import { inspectJobInput } from '../jobs/job-input.ts';
import { JobLimitError, type JobLimits } from '../jobs/job-limits.ts';
import { fetchJobInput } from '../jobs/remote-input.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { newJobId } from '../jobs/job-store.ts';
import { HttpError, mediaType, parseJsonObject, readBody, sendJson } from './http-util.ts';

/** Largest page of `GET /jobs`. */
const MAX_PAGE = 200;
/** Event streams (`GET /jobs/<id>/events`) open at once on one job, and on the server; beyond them a 503. */
export const MAX_JOB_LISTENERS = 100;
export const MAX_LISTENERS = 1000;

/** What a job request asks for, before its input is read. */
interface JobRequest {
  effects: string[];
  format: JobFormat;
  url?: string;
  kind: JobKind;
  highlights?: HighlightsJobOptions;
}

/**
 * The job API: `POST /jobs` (an upload as the body or a multipart file, or a JSON body naming a URL), `GET /jobs`
 * (paged), `GET /jobs/<id>`, `GET /jobs/<id>/events` (Server-Sent Events), `GET /jobs/<id>/result` (byte ranges),
 * `DELETE /jobs/<id>` (cancel). Every input is checked before it is queued: a clear 4xx for each problem.
 */
export class JobRoutes {
  /** Open event streams by job, and in all. */
  private readonly listeners = new Map<string, number>();
  private listening = 0;

  constructor(
    private readonly queue: JobQueue,
    private readonly limits: JobLimits,
    private readonly effects: EffectContext,
    private readonly headers: Record<string, string>,
  ) {
    // A malformed allow-list stops the server at start, not the first URL job.
    addressCheck({ urls: limits.urls === 'none' ? 'any' : limits.urls, ...(limits.allowAddresses ? { allow: limits.allowAddresses } : {}) });
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, id: string | undefined, sub: string | undefined): Promise<void> {
    const method = req.method ?? 'GET';
    const only = (...allowed: string[]): void => {
      if (!allowed.includes(method))
        throw new HttpError(405, `${method} is not allowed on ${url.pathname}: use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
    };
    if (id === undefined) {
      only('GET', 'HEAD', 'POST');
      return method === 'POST' ? this.create(req, res, url) : this.list(res, url);
    }
    const job = await this.job(id);
    switch (sub) {
      case undefined:
        only('GET', 'HEAD', 'DELETE');
        if (method === 'DELETE') return this.cancel(res, job);
        return sendJson(res, 200, view(job), this.headers);
      case 'events':
        only('GET');
        return this.events(req, res, job);
      case 'result':
        only('GET', 'HEAD');
        return this.result(req, res, job);
      case 'report':
      case 'report.html':
        only('GET');
        return this.report(res, job, sub === 'report.html');
    }
    throw new HttpError(404, `no such resource: ${method} ${url.pathname}`);
  }

  private async job(id: string): Promise<JobRecord> {
    const job = await this.queue.get(id);
    if (!job) throw new HttpError(404, `no job ${id.slice(0, 64)}`);
    return job;
  }

  private async list(res: ServerResponse, url: URL): Promise<void> {
    const limit = pageNumber(url.searchParams.get('limit'), 50, 'limit');
    const offset = pageNumber(url.searchParams.get('offset'), 0, 'offset');
    if (limit < 1 || limit > MAX_PAGE) throw new HttpError(400, `limit must be 1-${MAX_PAGE}`);
    const state = url.searchParams.get('state');
    const all = (await this.queue.list()).filter((j) => state === null || j.state === state);
    const page = all.slice(offset, offset + limit);
    const next =
      offset + limit < all.length ? `/jobs?limit=${limit}&offset=${offset + limit}${state === null ? '' : `&state=${encodeURIComponent(state)}`}` : null;
    sendJson(res, 200, { total: all.length, offset, limit, next, jobs: page.map(view) }, this.headers);
  }

  private async create(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const type = mediaType(req);
    const id = newJobId();
    let spec: JobSpec;
    let media: JobRecord['media'];
    await this.queue.store.prepare(id);
    try {
      if (type === 'application/json') {
        const body = parseJsonObject(await readBody(req, 64 * 1024));
        const asked = this.request(body);
        if (asked.url === undefined)
          throw new HttpError(400, 'a JSON job names its input as {"url": "https://..."}; to send a file, make it the body or a multipart "file" field');
        // Fetched here, through the address rule, so FFmpeg only ever reads the local copy.
        const fetched = await fetchJobInput(asked.url, this.queue.store.inputPath(id), this.limits);
        media = await inspectJobInput(this.queue.store.inputPath(id), `the video at ${fetched.from.slice(0, 200)}`, this.limits);
        spec = { ...specOf(asked), input: { kind: 'url', url: asked.url } };
      } else {
        const path = this.queue.store.inputPath(id);
        let asked: JobRequest;
        if (type === 'multipart/form-data') asked = await this.multipart(req, path);
        else {
          if (type !== '' && type !== 'application/octet-stream' && !type.startsWith('video/'))
            throw new HttpError(
              415,
              `send the video as the body (Content-Type video/* or application/octet-stream), as a multipart "file" field, or JSON {"url": ...} (got "${type}")`,
            );
          asked = this.request(Object.fromEntries(url.searchParams));
          await this.saveBody(req, path);
        }
        if ((await stat(path).catch(() => null))?.size ?? 0) media = await inspectJobInput(path, 'the upload', this.limits);
        else throw new HttpError(400, 'the upload is empty: send a video file');
        spec = { ...specOf(asked), input: { kind: 'upload', name: 'input' } };
      }
    } catch (err) {
      await this.queue.store.remove(id);
      if (err instanceof JobLimitError) throw new HttpError(err.status, err.message);
      if (err instanceof FramewiseError) throw new HttpError(err.code === 'timeout' ? 422 : 400, err.message);
      throw err;
    }
    const job = await this.queue.submit(id, spec, media);
    sendJson(res, 201, { id, state: job.state, location: `/jobs/${id}` }, { ...this.headers, location: `/jobs/${id}` });
  }

  /** The effect chain and the format from query parameters, form fields or JSON; each effect is built once to check it. */
  private request(fields: Record<string, unknown>): JobRequest {
    const raw = fields.effects ?? fields.effect ?? 'passthrough';
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? effectList(raw) : null;
    if (list === null || list.some((e) => typeof e !== 'string')) throw new HttpError(400, 'effect must be a string ("blur,grayscale") or a list of strings');
    const effects = (list as string[]).map((e) => e.trim()).filter(Boolean);
    if (effects.length === 0) effects.push('passthrough');
    if (effects.length > MAX_CHAIN_EFFECTS) throw new HttpError(400, `a job takes at most ${MAX_CHAIN_EFFECTS} effects`);
    for (const effect of effects) createEffect(effect, this.effects);
    const format = fields.format ?? 'mp4';
    if (typeof format !== 'string' || !(JOB_FORMATS as readonly string[]).includes(format))
      throw new HttpError(400, `format must be one of ${JOB_FORMATS.join(', ')} (got ${JSON.stringify(format).slice(0, 40)})`);
    const url = fields.url;
    if (url !== undefined && typeof url !== 'string') throw new HttpError(400, 'url must be a string');
    const kind = fields.type ?? 'render';
    if (kind !== 'render' && kind !== 'highlights') throw new HttpError(400, `type must be render or highlights (got ${JSON.stringify(kind).slice(0, 40)})`);
    return {
      effects,
      format: format as JobFormat,
      kind,
      ...(kind === 'highlights' ? { highlights: highlightsRequest(fields) } : {}),
      ...(url === undefined ? {} : { url }),
    };
  }

  /** A raw upload, streamed to disk and cut off at the limit. */
  private async saveBody(req: IncomingMessage, path: string): Promise<void> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limits.maxUploadBytes) throw this.tooLarge();
    await this.saveStream(req, path);
  }

  private tooLarge(): HttpError {
    return new HttpError(413, `the upload is over this server's limit of ${this.limits.maxUploadBytes} bytes`);
  }

  private async saveStream(stream: Readable, path: string): Promise<void> {
    let size = 0;
    const limit = this.limits.maxUploadBytes;
    const tooLarge = this.tooLarge();
    await pipeline(
      stream,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.byteLength;
          if (size > limit) throw tooLarge;
          yield chunk;
        }
      },
      createWriteStream(path, { flags: 'wx' }),
    ).catch(async (err: unknown) => {
      await rm(path, { force: true });
      throw err;
    });
  }

  /** A multipart form: fields `effect`/`effects`, `format`, and the video as the `file` field. */
  private multipart(req: IncomingMessage, path: string): Promise<JobRequest> {
    return new Promise<JobRequest>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers: req.headers, limits: { files: 1, fields: 8, fieldSize: 4096, fileSize: this.limits.maxUploadBytes + 1 } });
      } catch {
        reject(new HttpError(400, 'the multipart body has no boundary'));
        return;
      }
      const fields: Record<string, string> = {};
      let saving: Promise<void> | null = null;
      let failed = false;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        req.unpipe(parser);
        req.resume();
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      parser.on('field', (name, value) => {
        if (FORM_FIELDS.has(name)) fields[name] = value;
      });
      parser.on('file', (name, file) => {
        if (name !== 'file' || saving !== null) {
          file.resume();
          return;
        }
        saving = this.saveStream(file, path);
        saving.catch(fail);
      });
      parser.on('filesLimit', () => fail(new HttpError(400, 'send one file per job')));
      parser.on('error', (err: Error) => fail(new HttpError(400, `the multipart body is malformed: ${err.message}`)));
      parser.on('close', () => {
        if (failed) return;
        if (saving === null) {
          fail(new HttpError(400, 'the form has no "file" field with the video'));
          return;
        }
        saving.then(
          () => {
            try {
              resolve(this.request(fields));
            } catch (err) {
              fail(err);
            }
          },
          () => undefined,
        );
      });
      req.pipe(parser);
    });
  }

  private async cancel(res: ServerResponse, job: JobRecord): Promise<void> {
    if (FINAL_STATES.has(job.state)) throw new HttpError(409, `job ${job.id} is already ${job.state}`);
    const cancelled = await this.queue.cancel(job.id);
    sendJson(res, 200, view(cancelled ?? (await this.job(job.id))), this.headers);
  }

  /** Server-Sent Events: the job as it is now, then every change; the stream ends after a final state. */
  private events(req: IncomingMessage, res: ServerResponse, job: JobRecord): void {
    const onJob = this.listeners.get(job.id) ?? 0;
    if (!FINAL_STATES.has(job.state) && (onJob >= MAX_JOB_LISTENERS || this.listening >= MAX_LISTENERS))
      throw new HttpError(
        503,
        onJob >= MAX_JOB_LISTENERS
          ? `job ${job.id} has its limit of ${MAX_JOB_LISTENERS} event listeners: poll GET /jobs/${job.id} instead, or try again later`
          : `this server has its limit of ${MAX_LISTENERS} event listeners: poll GET /jobs/<id> instead, or try again later`,
        { 'retry-after': '5' },
      );
    res.writeHead(200, { ...this.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    let count = 0;
    const write = (type: string, record: JobRecord): void => {
      res.write(`id: ${++count}\nevent: ${type}\ndata: ${JSON.stringify(view(record))}\n\n`);
    };
    write('state', job);
    if (FINAL_STATES.has(job.state)) {
      res.end();
      return;
    }
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    this.listeners.set(job.id, onJob + 1);
    this.listening++;
    const stop = this.queue.subscribe(job.id, (event) => {
      write(event.type, event.job);
      if (event.type === 'state' && FINAL_STATES.has(event.job.state)) end();
    });
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      stop();
      this.listening--;
      const left = (this.listeners.get(job.id) ?? 1) - 1;
      if (left > 0) this.listeners.set(job.id, left);
      else this.listeners.delete(job.id);
      res.end();
    };
    req.on('close', end);
    res.on('close', end);
  }

  /** A succeeded highlights job's report: the JSON as written, or the page drawn from it. */
  private async report(res: ServerResponse, job: JobRecord, html: boolean): Promise<void> {
    if (job.spec.kind !== 'highlights') throw new HttpError(404, `job ${job.id} is a render job: only highlights jobs have a report`);
    if (job.state !== 'succeeded') throw new HttpError(409, `job ${job.id} is ${job.state}: its report is there once it has succeeded`);
    const text = await readFile(this.queue.store.reportPath(job.id), 'utf8').catch(() => null);
    if (text === null) throw new HttpError(410, `the report of job ${job.id} is gone from the server`);
    if (!html) {
      res.writeHead(200, { ...this.headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    const page = renderHighlightsHtml(JSON.parse(text) as HighlightsReport);
    // The page is static: no script runs in it, whatever the report's text holds.
    res.writeHead(200, {
      ...this.headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(page);
  }

  /** The finished file, whole or one byte range (RFC 9110). */
  private async result(req: IncomingMessage, res: ServerResponse, job: JobRecord): Promise<void> {
    if (job.state !== 'succeeded' || !job.result)
      throw new HttpError(
        409,
        `job ${job.id} is ${job.state}: its result is there once it has succeeded`,
        job.state === 'failed' ? {} : { 'retry-after': '2' },
      );
    const path = this.queue.store.resultPath(job);
    const size = (await stat(path).catch(() => null))?.size;
    if (size === undefined) throw new HttpError(410, `the result of job ${job.id} is gone from the server`);
    const type = { mp4: 'video/mp4', mov: 'video/quicktime', mkv: 'video/x-matroska', webm: 'video/webm' }[job.spec.format];
    const base = {
      ...this.headers,
      'content-type': type,
      'accept-ranges': 'bytes',
      'content-disposition': `attachment; filename="${job.id}.${job.spec.format}"`,
    };
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') throw new HttpError(416, `the range is outside the file's ${size} bytes`, { 'content-range': `bytes */${size}` });
    if (range === null) {
      res.writeHead(200, { ...base, 'content-length': String(size) });
      if (req.method === 'HEAD') return void res.end();
      await pipeline(createReadStream(path), res);
      return;
    }
    res.writeHead(206, { ...base, 'content-length': String(range.end - range.start + 1), 'content-range': `bytes ${range.start}-${range.end}/${size}` });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(createReadStream(path, { start: range.start, end: range.end }), res);
  }
}

/** A job as the API shows it: the record plus its links. */
function view(job: JobRecord): JobRecord & { links: Record<string, string> } {
  const links: Record<string, string> = { self: `/jobs/${job.id}`, events: `/jobs/${job.id}/events` };
  if (job.state === 'succeeded') links.result = `/jobs/${job.id}/result`;
  if (job.state === 'succeeded' && job.spec.kind === 'highlights') {
    links.report = `/jobs/${job.id}/report`;
    links.reportPage = `/jobs/${job.id}/report.html`;
  }
  return { ...job, links };
}

/** Form fields a multipart job may carry beside its file. */
const FORM_FIELDS = new Set(['effect', 'effects', 'format', 'type', 'length', 'weights', 'signals', 'model-fps']);

/** The spec of a request (its input is added by the caller). */
function specOf(asked: JobRequest): Omit<JobSpec, 'input'> {
  return {
    effects: asked.effects,
    format: asked.format,
    ...(asked.kind === 'highlights' ? { kind: asked.kind, ...(asked.highlights ? { highlights: asked.highlights } : {}) } : {}),
  };
}

/** Longest reel a job may ask for, s. */
const MAX_REEL_S = 3600;

/** A highlights job's settings from query parameters, form fields or JSON (`length` required). */
function highlightsRequest(fields: Record<string, unknown>): HighlightsJobOptions {
  const number = (value: unknown, name: string, min: number, max: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n) || n < min || n > max) throw new HttpError(400, `${name} must be a number from ${min} to ${max}`);
    return n;
  };
  const lengthS = number(fields.length, 'length (the reel length, s)', 1, MAX_REEL_S);
  if (lengthS === undefined) throw new HttpError(400, 'a highlights job needs length: the reel length in seconds');
  const modelFps = number(fields['model-fps'] ?? fields.modelFps, 'model-fps', 0.1, 30);
  let weights: HighlightsJobOptions['weights'];
  const w = fields.weights;
  if (typeof w === 'string') weights = parseWeightsOr400(w);
  else if (w !== undefined && w !== null && typeof w === 'object' && !Array.isArray(w))
    weights = parseWeightsOr400(
      Object.entries(w as Record<string, unknown>)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    );
  else if (w !== undefined) throw new HttpError(400, 'weights must be "motion=0.4,audio=0.3" or an object of numbers');
  const raw = fields.signals;
  const list = raw === undefined ? undefined : Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (list === null || list?.some((x) => typeof x !== 'string' || !(SIGNALS as readonly string[]).includes(x.trim())))
    throw new HttpError(400, `signals must be a list of ${SIGNALS.join(', ')}`);
  const signals = list?.map((x) => (x as string).trim() as SignalName);
  if (signals?.length === 0) throw new HttpError(400, `signals must name at least one of ${SIGNALS.join(', ')}`);
  return { lengthS, ...(weights ? { weights } : {}), ...(signals ? { signals } : {}), ...(modelFps === undefined ? {} : { modelFps }) };
}

function parseWeightsOr400(text: string): NonNullable<HighlightsJobOptions['weights']> {
  try {
    return parseWeights(text);
  } catch (err) {
    throw new HttpError(400, (err as Error).message);
  }
}

function pageNumber(text: string | null, fallback: number, name: string): number {
  if (text === null) return fallback;
  if (!/^\d{1,9}$/.test(text)) throw new HttpError(400, `${name} must be a whole number`);
  return Number(text);
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; null for none (or several: the whole file is sent). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
