import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A job a mock vendor API holds. */
export interface MockTask {
  id: string;
  createdMs: number;
  body: Record<string, unknown>;
  /** The request asked for a failure (its prompt says FAIL): the task ends failed, as a moderation or a crash would. */
  fail: boolean;
}

/** Where a task is, by time since it was created. */
export type MockPhase = 'queued' | 'running' | 'done' | 'failed';

/** An answer: HTTP status and JSON body. */
export type MockAnswer = [number, unknown];

/**
 * A vendor's job API as its documentation describes it: how it checks the key, which create requests it accepts,
 * what its task records look like in each phase, and how it reports errors. `startJobMock` serves it.
 */
export interface JobMockSpec {
  /** An error answer when the request's credentials are wrong, else null. */
  authorize(req: IncomingMessage, url: URL): MockAnswer | null;
  /** The create route (POST). */
  createPath: RegExp;
  /** A message when the create body is not what the API takes, else null. */
  validate(body: Record<string, unknown>, match: RegExpMatchArray): string | null;
  /** The vendor's answer to a bad request. */
  invalid(message: string): MockAnswer;
  /** The answer to a create request. */
  created(task: MockTask, base: string, match: RegExpMatchArray): MockAnswer;
  /** The status route (GET); its first group is the task id. */
  statusPath: RegExp;
  /** The task record in a phase; `video` is where the finished clip can be downloaded. */
  status(task: MockTask, phase: MockPhase, video: string, base: string): MockAnswer;
  /** Answer for an id the API does not know. */
  unknown(id: string): MockAnswer;
  /** More routes (a result fetched separately, a file lookup), tried before the status route. */
  more?(req: IncomingMessage, url: URL, tasks: ReadonlyMap<string, MockTask>, base: string): MockAnswer | null;
  /** Downloads need the key too (same-origin file links). */
  protectedDownloads?: boolean;
}

/** A running mock. */
export interface JobMock {
  url: string;
  /** Requests by route kind, to check what the probe did. */
  counts: { create: number; status: number; download: number; refused: number };
  close(): Promise<void>;
}

/** Serve `spec` on loopback; each task is queued for `queuedMs`, runs `runMs`, then succeeds with `video` (an MP4). */
export async function startJobMock(spec: JobMockSpec, options: { queuedMs: number; runMs: number; video: Buffer }): Promise<JobMock> {
  const tasks = new Map<string, MockTask>();
  const counts = { create: 0, status: 0, download: 0, refused: 0 };
  let base = '';
  const send = (res: ServerResponse, [status, body]: MockAnswer): void => {
    const text = typeof body === 'string' ? JSON.stringify(body) : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  };
  const phaseOf = (task: MockTask): MockPhase => {
    const age = Date.now() - task.createdMs;
    if (age < options.queuedMs) return 'queued';
    if (age < options.queuedMs + options.runMs) return 'running';
    return task.fail ? 'failed' : 'done';
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const download = /^\/cdn\/([\w-]+)\.mp4$/.exec(url.pathname);
      if (download && req.method === 'GET') {
        if (spec.protectedDownloads && spec.authorize(req, url)) return send(res, spec.authorize(req, url) as MockAnswer);
        counts.download++;
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(options.video.length) });
        return res.end(options.video);
      }
      const denied = spec.authorize(req, url);
      if (denied) {
        counts.refused++;
        return send(res, denied);
      }
      const create = spec.createPath.exec(url.pathname);
      if (create && req.method === 'POST') {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return send(res, spec.invalid('the body is not JSON'));
        }
        const problem = spec.validate(body, create);
        if (problem) return send(res, spec.invalid(problem));
        counts.create++;
        const task: MockTask = { id: randomUUID(), createdMs: Date.now(), body, fail: JSON.stringify(body).includes('FAIL') };
        tasks.set(task.id, task);
        return send(res, spec.created(task, base, create));
      }
      const extra = spec.more?.(req, url, tasks, base);
      if (extra) return send(res, extra);
      const status = spec.statusPath.exec(`${url.pathname}${url.search}`);
      if (status && req.method === 'GET') {
        counts.status++;
        const task = tasks.get(status[1] ?? '');
        if (!task) return send(res, spec.unknown(status[1] ?? ''));
        return send(res, spec.status(task, phaseOf(task), `${base}/cdn/${task.id}.mp4`, base));
      }
      send(res, [404, { error: `no route ${req.method} ${url.pathname}` }]);
    })().catch((err: unknown) => send(res, [500, { error: String(err) }]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The phase a task is in, as a progress fraction (vendors that report progress). */
export function progressOf(phase: MockPhase): number {
  return phase === 'queued' ? 0 : phase === 'running' ? 0.5 : 1;
}

/** Bearer-token check with the vendor's own error answer. */
export function bearer(req: IncomingMessage, key: string, refused: MockAnswer): MockAnswer | null {
  return req.headers.authorization === `Bearer ${key}` ? null : refused;
}
