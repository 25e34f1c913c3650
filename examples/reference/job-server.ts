// A reference generation system: an HTTP job API that takes a clip, processes every frame (a real decode and
// re-encode through a Framewise render pipeline), and reports the result ready at `rtf` x the clip's duration.
// It speaks two common queue styles:
//   predictions: POST /v1/predictions {input:{video}} -> {id,status,urls:{get}}; GET urls.get -> {status,output}
//   queue:       POST /queue/requests {video_url} -> {request_id,status_url,response_url}; GET ... -> {status}; GET response_url -> {video:{url}}
// Expected probe verdict: GENERATION (real-time factor > 1, nothing streamed before completion).
// Run: node --import tsx examples/reference/job-server.ts --rtf 3 --port 8787
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MediaSink, MediaSource, Pipeline, render } from '../../src/index.ts';

interface Job {
  id: string;
  state: 'starting' | 'processing' | 'succeeded' | 'failed';
  readyAtMs: number;
  error?: string;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Start the server on loopback; resolves with its base URL and a close function. */
export async function startJobServer(options: { rtf: number; port?: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'framewise-job-server-'));
  const jobs = new Map<string, Job>();
  const inFlight = new Set<Promise<void>>();
  let next = 1;
  let base = '';

  const work = async (job: Job, video: string): Promise<void> => {
    const match = /^data:[^;]+;base64,(.*)$/s.exec(video);
    if (!match) throw new Error('input must be a data: URI with base64 video');
    const input = join(dir, `${job.id}-in.mp4`);
    await writeFile(input, Buffer.from(match[1] as string, 'base64'));
    const started = performance.now();
    job.state = 'processing';
    const { source } = await new Pipeline({
      source: new MediaSource({ input }),
      sink: new MediaSink({ output: join(dir, `${job.id}.mp4`), tuning: 'quality' }),
      policy: render(),
    }).run();
    job.readyAtMs = started + (source.durationS ?? 0) * 1000 * options.rtf;
  };

  const create = (video: unknown): Job => {
    const job: Job = { id: `job${next++}`, state: 'starting', readyAtMs: Number.POSITIVE_INFINITY };
    jobs.set(job.id, job);
    const task = work(job, String(video)).catch((err: unknown) => {
      job.state = 'failed';
      job.error = err instanceof Error ? err.message : String(err);
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    return job;
  };
  const current = (job: Job): Job['state'] => (job.state === 'processing' && performance.now() >= job.readyAtMs ? 'succeeded' : job.state);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const handle = async (): Promise<void> => {
      if (req.method === 'POST' && url.pathname === '/v1/predictions') {
        const body = JSON.parse((await readBody(req)).toString('utf8')) as { input?: { video?: unknown } };
        const job = create(body.input?.video);
        return send(res, 201, { id: job.id, status: job.state, urls: { get: `${base}/v1/predictions/${job.id}` } });
      }
      if (req.method === 'POST' && url.pathname === '/queue/requests') {
        const body = JSON.parse((await readBody(req)).toString('utf8')) as { video_url?: unknown };
        const job = create(body.video_url);
        return send(res, 202, { request_id: job.id, status_url: `${base}/queue/requests/${job.id}/status`, response_url: `${base}/queue/requests/${job.id}` });
      }
      const prediction = /^\/v1\/predictions\/(\w+)$/.exec(url.pathname);
      const queued = /^\/queue\/requests\/(\w+)(\/status)?$/.exec(url.pathname);
      const file = /^\/files\/(\w+)\.mp4$/.exec(url.pathname);
      const job = jobs.get((prediction ?? queued ?? file)?.[1] ?? '');
      if (req.method !== 'GET' || !job) return send(res, 404, { detail: 'not found' });
      const state = current(job);
      if (prediction)
        return send(res, 200, { id: job.id, status: state, output: state === 'succeeded' ? `${base}/files/${job.id}.mp4` : null, error: job.error ?? null });
      if (queued?.[2]) return send(res, 200, { status: { starting: 'IN_QUEUE', processing: 'IN_PROGRESS', succeeded: 'COMPLETED', failed: 'FAILED' }[state] });
      if (queued) return state === 'succeeded' ? send(res, 200, { video: { url: `${base}/files/${job.id}.mp4` } }) : send(res, 400, { detail: 'not ready' });
      if (state !== 'succeeded') return send(res, 404, { detail: 'not ready' });
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end(await readFile(join(dir, `${job.id}.mp4`)));
    };
    handle().catch((err: unknown) => send(res, 400, { detail: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: base,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(inFlight);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { rtf: { type: 'string', default: '3' }, port: { type: 'string', default: '8787' } } });
  const { url } = await startJobServer({ rtf: Number(values.rtf), port: Number(values.port) });
  process.stdout.write(`job server (real-time factor ${values.rtf}) at ${url}/v1/predictions and ${url}/queue/requests\n`);
}
