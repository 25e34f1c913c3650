import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord } from './job.ts';

/** A segment file the server holds for a job. */
export interface ServerSegment {
  name: string;
  bytes: number;
}

/** The server could not be reached or answered with a server error: the job is not at fault, try it again later. */
export class TransferError extends Error {}

/**
 * A remote worker's side of the server's `/work/<id>/...` routes: the job's record and input, the segments already
 * finished (by any worker), and the upload of each new segment and of the result. Connection failures and 5xx are
 * retried a few times, then reported as a TransferError.
 */
export class WorkClient {
  private readonly base: string;

  constructor(
    server: string,
    private secret: () => Promise<string>,
    private readonly tries = 4,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  /** The job's record, or null when the server no longer has it. */
  async record(id: string): Promise<JobRecord | null> {
    const response = await this.retry(() => this.request('GET', `/work/${id}/record`));
    if (response.status === 404) return null;
    return (await this.ok(response).json()) as JobRecord;
  }

  async segments(id: string): Promise<ServerSegment[]> {
    const response = await this.retry(() => this.request('GET', `/work/${id}/segments`));
    return ((await this.ok(response).json()) as { segments: ServerSegment[] }).segments;
  }

  /** Download `/work/<id>/<name>` to `path` (written under a temporary name, renamed when complete). */
  async download(id: string, name: string, path: string): Promise<void> {
    const tmp = `${path}.part`;
    await this.retry(async () => {
      const response = this.ok(await this.request('GET', `/work/${id}/${name}`));
      if (!response.body) throw new TransferError(`the server sent no body for ${name}`);
      await pipeline(Readable.fromWeb(response.body), createWriteStream(tmp)).catch(async (err: unknown) => {
        await rm(tmp, { force: true });
        throw new TransferError(`download of ${name} broke off: ${(err as Error).message}`);
      });
    });
    await rename(tmp, path);
  }

  /** Upload a file as `/work/<id>/<name>` (the server keeps it under its final name only once it is complete). */
  async upload(id: string, file: string, name = basename(file)): Promise<void> {
    const size = (await stat(file)).size;
    await this.retry(async () => {
      const response = await this.request('PUT', `/work/${id}/${name}`, {
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      });
      this.ok(response);
      await response.body?.cancel();
    });
  }

  /** One attempt (a body stream can be sent once: the callers retry the whole request). */
  private async request(method: string, path: string, init: { body?: ReadableStream; headers?: Record<string, string> } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { ...init.headers, authorization: `Bearer ${await this.secret()}` },
        ...(init.body ? { body: init.body, duplex: 'half' } : {}),
      });
    } catch (err) {
      throw new TransferError(`cannot reach the server at ${this.base}: ${(err as Error).message}`);
    }
    if (response.status >= 500) {
      const text = (await response.text()).trim();
      throw new TransferError(`the server answered ${response.status} to ${method} ${path}: ${text.slice(0, 200)}`);
    }
    return response;
  }

  private ok(response: Response): Response {
    if (response.ok) return response;
    // A refusal (4xx) says the request itself is wrong: retrying would not help.
    throw new Error(`the server refused ${response.url.slice(this.base.length)}: ${response.status} ${response.statusText}`);
  }

  private async retry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof TransferError) || i >= this.tries) throw err;
        await sleep(250 * 2 ** i);
      }
    }
  }
}
