import { createReadStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { FramewiseError } from '../core/errors.ts';
import { FINAL_STATES, type HighlightsJobOptions, type JobFormat, type JobRecord } from './job.ts';

/** A page of `GET /jobs`. */
export interface JobPage {
  total: number;
  next: string | null;
  jobs: JobRecord[];
}

/** A client of a Framewise server's job API (what `framewise render --server` and `framewise jobs` use). */
export class JobClient {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token?: string,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  /**
   * Queue a job: a local file is uploaded as the body; an http(s) URL is read by the server. With `highlights`, the
   * job makes a highlight reel with those settings instead of rendering every frame.
   */
  async submit(input: string, effects: readonly string[], format: JobFormat, highlights?: HighlightsJobOptions): Promise<JobRecord> {
    const isUrl = /^https?:\/\//i.test(input);
    const extra: Record<string, string> = highlights
      ? {
          type: 'highlights',
          length: String(highlights.lengthS),
          ...(highlights.weights
            ? {
                weights: Object.entries(highlights.weights)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(','),
              }
            : {}),
          ...(highlights.signals ? { signals: highlights.signals.join(',') } : {}),
          ...(highlights.modelFps === undefined ? {} : { 'model-fps': String(highlights.modelFps) }),
        }
      : {};
    let response: Response;
    if (isUrl) {
      response = await this.request('/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: input, effects, format, ...extra }),
      });
    } else {
      const size = (await stat(input).catch(() => null))?.size;
      if (size === undefined) throw new FramewiseError('input-not-found', `input "${input}" does not exist`);
      const query = new URLSearchParams({ effect: effects.join(','), format, ...extra });
      response = await this.request(`/jobs?${query.toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body: Readable.toWeb(createReadStream(input)) as ReadableStream,
        duplex: 'half',
      });
    }
    const { id } = (await this.json(response)) as { id: string };
    return this.get(id);
  }

  async get(id: string): Promise<JobRecord> {
    return (await this.json(await this.request(`/jobs/${encodeURIComponent(id)}`))) as JobRecord;
  }

  async list(limit = 50, offset = 0): Promise<JobPage> {
    return (await this.json(await this.request(`/jobs?limit=${limit}&offset=${offset}`))) as JobPage;
  }

  async cancel(id: string): Promise<JobRecord> {
    return (await this.json(await this.request(`/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }))) as JobRecord;
  }

  /** Follow the job's events until it is final; `onUpdate` sees every event. */
  async wait(id: string, onUpdate: (job: JobRecord) => void = () => undefined): Promise<JobRecord> {
    const response = await this.request(`/jobs/${encodeURIComponent(id)}/events`, { headers: { accept: 'text/event-stream' } });
    // A refusal (unknown job, wrong token) is said once, never retried.
    if (!response.ok || !response.body) await this.json(response);
    let last: JobRecord | null = null;
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data === '') continue;
        last = JSON.parse(data) as JobRecord;
        onUpdate(last);
      }
    }
    // The stream ends after a final state; if it dropped before, ask again.
    if (last && FINAL_STATES.has(last.state)) return last;
    const now = await this.get(id);
    return FINAL_STATES.has(now.state) ? now : this.wait(id, onUpdate);
  }

  /**
   * Download a succeeded job's file to `output` (temporary name, renamed when complete); `part` `report` or
   * `report.html` fetches a highlights job's report instead.
   */
  async download(id: string, output: string, part: 'result' | 'report' | 'report.html' = 'result'): Promise<number> {
    const response = await this.request(`/jobs/${encodeURIComponent(id)}/${part}`);
    if (!response.ok || !response.body) await this.json(response);
    const partial = join(dirname(output), `.${basename(output)}.partial`);
    try {
      await pipeline(Readable.fromWeb(response.body as never), createWriteStream(partial));
      await rename(partial, output);
    } catch (err) {
      await rm(partial, { force: true });
      throw new FramewiseError('output-failed', `cannot write "${output}": ${(err as Error).message}`);
    }
    return (await stat(output)).size;
  }

  private async request(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    try {
      return await fetch(`${this.base}${path}`, { ...init, headers });
    } catch (err) {
      throw new FramewiseError(
        'invalid-state',
        `cannot reach the server ${this.base}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
      );
    }
  }

  private async json(response: Response): Promise<unknown> {
    const text = await response.text();
    if (!response.ok) throw new FramewiseError('invalid-argument', `the server said ${response.status}: ${text.trim().slice(0, 500)}`);
    return JSON.parse(text) as unknown;
  }
}
