import { timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FINAL_STATES, isJobId, type JobRecord } from '../jobs/job.ts';
import type { JobStore } from '../jobs/job-store.ts';
import { SEGMENT_FILE_NAME } from '../jobs/segmented-render.ts';
import { HttpError, sendJson } from './http-util.ts';

/** Largest file a worker may send (a segment or a result). */
const MAX_WORK_FILE_BYTES = 64 * 1024 ** 3;

/**
 * What remote workers of a Redis queue use instead of a shared disk: `GET /work/<id>/record`, `GET /work/<id>/input`,
 * `GET /work/<id>/segments` (the finished segments any worker sent), `GET|PUT /work/<id>/seg-NNNNN.nut|json` (and
 * a highlights job's `analysis.json`), `PUT /work/<id>/result` and a highlights job's `PUT /work/<id>/report.json`. Every request needs the workers' secret (kept in Redis); file names are checked against
 * the segment pattern and written under a temporary name, so nothing from a request names a path of its own, and a
 * transfer cut off midway never looks finished.
 */
export class WorkRoutes {
  constructor(
    private readonly store: JobStore,
    private readonly secret: string,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, id: string | undefined, name: string | undefined): Promise<void> {
    this.authorize(req);
    const method = req.method ?? 'GET';
    if (id === undefined || !isJobId(id) || name === undefined) throw new HttpError(404, 'workers ask for /work/<job id>/<part>');
    const job = this.store.get(id);
    if (!job) throw new HttpError(404, `no job ${id}`);
    const only = (...allowed: string[]): void => {
      if (!allowed.includes(method)) throw new HttpError(405, `${method} is not allowed here: use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
    };
    if (name === 'record') {
      only('GET');
      return sendJson(res, 200, job);
    }
    if (name === 'input') {
      only('GET');
      return this.send(res, this.store.inputPath(id));
    }
    if (name === 'segments') {
      only('GET');
      return sendJson(res, 200, { segments: await this.segments(id) });
    }
    if (name === 'result') {
      only('PUT');
      return this.receive(req, res, job, this.store.resultPath(job));
    }
    if (name === 'report.json') {
      only('PUT');
      if (job.spec.kind !== 'highlights') throw new HttpError(404, `job ${id} is not a highlights job`);
      return this.receive(req, res, job, this.store.reportPath(id));
    }
    if (!SEGMENT_FILE_NAME.test(name)) throw new HttpError(404, `no such part of a job: ${name.slice(0, 40)}`);
    only('GET', 'PUT');
    const path = join(this.store.segmentsDir(id), name);
    if (method === 'GET') return this.send(res, path);
    await mkdir(this.store.segmentsDir(id), { recursive: true });
    return this.receive(req, res, job, path);
  }

  private authorize(req: IncomingMessage): void {
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(this.secret);
    if (this.secret === '' || a.length !== b.length || !timingSafeEqual(a, b))
      throw new HttpError(401, 'the /work routes are for workers: they send the secret the server keeps in Redis', { 'www-authenticate': 'Bearer' });
  }

  private async segments(id: string): Promise<{ name: string; bytes: number }[]> {
    const dir = this.store.segmentsDir(id);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => SEGMENT_FILE_NAME.test(n)).sort();
    const out: { name: string; bytes: number }[] = [];
    for (const name of names) {
      const size = (await stat(join(dir, name)).catch(() => null))?.size;
      if (size !== undefined) out.push({ name, bytes: size });
    }
    return out;
  }

  private async send(res: ServerResponse, path: string): Promise<void> {
    const size = (await stat(path).catch(() => null))?.size;
    if (size === undefined) throw new HttpError(404, 'not on the server');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    await pipeline(createReadStream(path), res);
  }

  /** A file from a worker, for a job that is still live. */
  private async receive(req: IncomingMessage, res: ServerResponse, job: JobRecord, path: string): Promise<void> {
    if (FINAL_STATES.has(job.state)) throw new HttpError(409, `job ${job.id} is already ${job.state}`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_WORK_FILE_BYTES) throw new HttpError(413, 'the file is over the limit of a worker upload');
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    let size = 0;
    try {
      await pipeline(
        req,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.byteLength;
            if (size > MAX_WORK_FILE_BYTES) throw new HttpError(413, 'the file is over the limit of a worker upload');
            yield chunk;
          }
        },
        createWriteStream(tmp, { flags: 'wx' }),
      );
      if (Number.isFinite(declared) && size !== declared) throw new HttpError(400, `got ${size} of the ${declared} bytes announced`);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    sendJson(res, 201, { bytes: size });
  }
}
