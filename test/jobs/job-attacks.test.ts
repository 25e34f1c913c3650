import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { get as httpGet, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { JobRecord } from '../../src/jobs/job.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { MAX_JOB_LISTENERS } from '../../src/server/job-routes.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { startRedis } from '../redis-server.ts';
import { spawnWorker, stopProcess } from '../worker-process.ts';

// The job API's surfaces an attacker reaches: uploads that lie about their size or count, event streams held
// open, jobs created and cancelled as fast as a client can, and the token on every route.

const CLIP = testdata('videos/facing_camera_720p.mp4'); // 195 frames, 1280x720
const media = scratchDir('job-attacks-media');

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Open fds once they are back within 4 of `before`, or after 5 s (closed sockets take a moment to go). */
async function fdsSettled(before: number): Promise<number> {
  let fds = openFds();
  for (let i = 0; i < 50 && fds > before + 4; i++) {
    await sleep(100);
    fds = openFds();
  }
  return fds;
}

/** This process's children (the ps that lists them left out). */
function childProcesses(): string[] {
  return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/\sps$/.test(l));
}

function upload(server: FramewiseServer, body: Buffer, query = 'effect=grayscale', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/jobs?${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body });
}

async function settled(server: FramewiseServer, id: string, headers: Record<string, string> = {}): Promise<JobRecord> {
  for (;;) {
    const job = (await (await fetch(`${server.url}/jobs/${id}`, { headers })).json()) as JobRecord;
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
    await sleep(100);
  }
}

/** Files that declare a picture far larger than they hold. */
function bombs(): [string, Buffer][] {
  const y4m = Buffer.from('YUV4MPEG2 W30000 H30000 F25:1 Ip A1:1 C420jpeg\nFRAME\nabcdefgh');
  const y4m16k = Buffer.from('YUV4MPEG2 W16000 H16000 F25:1 Ip A1:1 C420jpeg\nFRAME\nabcdefgh');
  // A real 320x288 Matroska file whose track header is rewritten to say 30000x30000 (PixelWidth/PixelHeight).
  const mkvPath = join(media, 'small.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x288:rate=10', '-frames:v', '10', '-c:v', 'libx264', mkvPath]);
  const mkv = readFileSync(mkvPath);
  const width = mkv.indexOf(Buffer.from([0xb0, 0x82, 0x01, 0x40]));
  const height = mkv.indexOf(Buffer.from([0xba, 0x82, 0x01, 0x20]));
  assert.ok(width > 0 && height > 0, 'the Matroska size elements were found');
  mkv.set([0x75, 0x30], width + 2);
  mkv.set([0x75, 0x30], height + 2);
  return [
    ['y4m declaring 30000x30000', y4m],
    ['y4m declaring 16000x16000', y4m16k],
    ['mkv declaring 30000x30000', mkv],
  ];
}

test('tiny files declaring huge pictures are refused with 422 before a frame is decoded; so are files of too many frames', { timeout: 240_000 }, async () => {
  const server = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: scratchDir('job-attacks-bombs'), concurrency: 1 } });
  // A server whose picture limit is under 1280x720: an MPEG-TS file carries its size only in the H.264 bitstream.
  const small = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: scratchDir('job-attacks-small'), limits: { maxPixels: 640 * 480 } } });
  // A server that decodes at most 5000 frames of 32x32 per job.
  const counted = await FramewiseServer.start({
    port: 0,
    web: false,
    jobs: { dir: scratchDir('job-attacks-counted'), concurrency: 1, limits: { maxTotalPixels: 32 * 32 * 5000 } },
  });
  try {
    const ts = execFileSync('ffmpeg', ['-v', 'error', '-i', CLIP, '-an', '-c', 'copy', '-f', 'mpegts', '-'], { maxBuffer: 64 * 1024 * 1024 });
    const rssBefore = process.memoryUsage().rss;
    for (const [name, body, target] of [...bombs().map(([n, b]) => [n, b, server] as const), ['MPEG-TS 1280x720 on a 640x480 server', ts, small] as const]) {
      const response = await upload(target, body);
      const text = await response.text();
      assert.equal(response.status, 422, `${name}: ${response.status} ${text}`);
      assert.match(text, /over this server's limit of \d+ pixels/, name);
    }
    const grownMb = (process.memoryUsage().rss - rssBefore) / 1e6;
    assert.ok(grownMb < 150, `RSS grew ${grownMb.toFixed(0)} MB refusing them (one 30000x30000 picture would be 1350 MB)`);
    // 10,000 tiny frames: refused by a server that counts pixels in all, rendered by one with the default limits.
    const many = join(media, 'many.mkv');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=32x32:rate=100',
      '-frames:v',
      '10000',
      '-c:v',
      'libx264',
      '-g',
      '250',
      many,
    ]);
    const refused = await upload(counted, readFileSync(many));
    const why = await refused.text();
    assert.equal(refused.status, 422, why);
    assert.match(why, /10000 frames of 32x32/);
    const made = await upload(server, readFileSync(many), 'effect=passthrough');
    assert.equal(made.status, 201, await made.clone().text());
    const job = await settled(server, ((await made.json()) as { id: string }).id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job));
    assert.equal(job.result?.frames, 10000);
  } finally {
    await Promise.all([server.close(), small.close(), counted.close()]);
  }
});

/** Open an event stream from a given loopback address; resolves with its status once the head arrives. */
function listen(
  url: string,
  localAddress: string,
): Promise<{ status: number; retryAfter: string | undefined; request: ClientRequest; response: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { localAddress, agent: false }, (response) => {
      resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], request, response });
      if (response.statusCode !== 200) response.resume();
    });
    request.on('error', reject);
  });
}

test(
  `200 event streams held open on one job: ${MAX_JOB_LISTENERS} are served, the rest get 503 with Retry-After; fds and memory come back`,
  { timeout: 180_000 },
  async () => {
    const dir = scratchDir('job-attacks-sse');
    const server = await FramewiseServer.start({ port: 0, web: false, jobs: { dir, concurrency: 1 } });
    try {
      // A job that runs for a while (each frame held 150 ms).
      const made = await upload(server, readFileSync(CLIP), 'effect=delay:150');
      assert.equal(made.status, 201);
      const { id } = (await made.json()) as { id: string };
      await fetch(`${server.url}/jobs/${id}`); // warm the route
      const fdsBefore = openFds();
      const rssBefore = process.memoryUsage().rss;
      // From four loopback addresses, 50 each: under the per-address connection cap, so the event-stream cap decides.
      const opened = await Promise.all(Array.from({ length: 200 }, (_, i) => listen(`${server.url}/jobs/${id}/events`, `127.0.0.${1 + (i % 4)}`)));
      const served = opened.filter((o) => o.status === 200).length;
      const refused = opened.filter((o) => o.status === 503);
      assert.equal(served, MAX_JOB_LISTENERS, `served ${served}`);
      assert.equal(refused.length, 200 - MAX_JOB_LISTENERS);
      assert.ok(
        refused.every((o) => o.retryAfter === '5'),
        'each 503 says when to try again',
      );
      // The served streams are live: the job's progress reaches them.
      const first = opened.find((o) => o.status === 200);
      const chunk = await new Promise<string>((resolve) => first?.response.once('data', (d: Buffer) => resolve(d.toString())));
      assert.match(chunk, /event: state/);
      for (const o of opened) o.request.destroy();
      // Once they are gone, a new listener is served again and the server's fds and memory are back.
      const fds = await fdsSettled(fdsBefore);
      assert.ok(fds <= fdsBefore + 4, `fds ${fdsBefore} before, ${fds} after`);
      const again = await listen(`${server.url}/jobs/${id}/events`, '127.0.0.1');
      assert.equal(again.status, 200);
      again.request.destroy();
      const grownMb = (process.memoryUsage().rss - rssBefore) / 1e6;
      assert.ok(grownMb < 100, `RSS grew ${grownMb.toFixed(0)} MB`);
      assert.equal((await fetch(`${server.url}/jobs/${id}`, { method: 'DELETE' })).status, 200);
    } finally {
      await server.close();
    }
  },
);

for (const queue of ['embedded', 'redis'] as const) {
  test(
    `100 jobs created and DELETEd as fast as possible (${queue} queue): every one ends cancelled, no input, segment, partial file${queue === 'redis' ? ', Redis key or worker file' : ''} is left`,
    { timeout: 300_000 },
    async () => {
      const dir = scratchDir('job-attacks-churn');
      const redis = queue === 'redis' ? await startRedis() : null;
      const server = await FramewiseServer.start({
        port: 0,
        web: false,
        jobs: { dir, segmentS: 1, ...(redis ? { queue: redis.url } : { concurrency: 1 }) },
      });
      const workDir = scratchDir('job-attacks-worker');
      const worker = redis ? await spawnWorker(redis.url, server.url, workDir) : null;
      try {
        const clip = join(media, 'churn.mkv');
        execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-frames:v', '75', '-c:v', 'libx264', clip]);
        const body = readFileSync(clip);
        const fdsBefore = openFds();
        const childrenBefore = childProcesses();
        const ids: string[] = [];
        const cancels: Promise<number>[] = [];
        for (let i = 0; i < 100; i++) {
          const made = await upload(server, body);
          assert.equal(made.status, 201);
          const { id } = (await made.json()) as { id: string };
          ids.push(id);
          cancels.push(fetch(`${server.url}/jobs/${id}`, { method: 'DELETE' }).then(async (r) => (await r.text(), r.status)));
        }
        const statuses = await Promise.all(cancels);
        // 200: cancelled; 409: it had already finished (a 3 s clip can finish before its DELETE arrives).
        assert.ok(
          statuses.every((s) => s === 200 || s === 409),
          statuses.join(','),
        );
        const finals: JobRecord[] = [];
        for (const id of ids) finals.push(await settled(server, id)); // one at a time: under the per-address connection cap
        for (const job of finals) assert.ok(job.state === 'cancelled' || job.state === 'succeeded', `${job.id} ${job.state} ${job.error}`);
        const cancelled = finals.filter((j) => j.state === 'cancelled');
        assert.ok(cancelled.length >= 90, `${cancelled.length} of 100 were cancelled`);
        for (const job of cancelled) assert.deepEqual(readdirSync(join(dir, job.id)), ['job.json'], `job ${job.id} left files`);
        for (const job of finals.filter((j) => j.state === 'succeeded'))
          assert.ok(!readdirSync(join(dir, job.id)).some((f) => f.includes('.partial') || f.startsWith('.')), `job ${job.id}: only finished files`);
        const fds = await fdsSettled(fdsBefore);
        assert.ok(fds <= fdsBefore + 4, `fds ${fdsBefore} before, ${fds} after`);
        assert.deepEqual(childProcesses(), childrenBefore, 'no process left behind');
        if (redis) {
          const orphans = await redisLeftovers(redis.url, ids);
          assert.deepEqual(orphans, [], 'no job left in Redis');
          assert.deepEqual(workerFiles(workDir), [], "nothing left in the worker's folder");
        }
      } finally {
        if (worker) await stopProcess(worker);
        await server.close();
      }
    },
  );
}

/** What Redis still holds of these jobs: their keys, and entries in any of the queue's lists and sets. */
async function redisLeftovers(url: string, ids: string[]): Promise<string[]> {
  const client = new Redis(url);
  try {
    // Removal follows the final state by a moment.
    for (let i = 0; i < 50; i++) {
      const left: string[] = [];
      for (const key of await client.keys('bull:*')) {
        if (ids.some((id) => key.includes(id))) left.push(key);
        const type = await client.type(key);
        const members =
          type === 'list'
            ? await client.lrange(key, 0, -1)
            : type === 'zset'
              ? await client.zrange(key, 0, -1)
              : type === 'set'
                ? await client.smembers(key)
                : [];
        for (const member of members) if (ids.includes(member)) left.push(`${key} holds ${member}`);
      }
      if (left.length === 0) return [];
      if (i === 49) return left;
      await sleep(100);
    }
    return [];
  } finally {
    client.disconnect();
  }
}

/** Files under a worker's folder (its own work folder inside, emptied when jobs end). */
function workerFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

test(
  'with a token, every route refuses no token and a wrong one the same way; /healthz, the page, /models and /ort stay public',
  { timeout: 120_000 },
  async () => {
    const dir = scratchDir('job-attacks-token');
    const server = await FramewiseServer.start({ port: 0, jobs: { dir, concurrency: 1 }, token: 'the-token' });
    try {
      const auth = { authorization: 'Bearer the-token' };
      const made = await upload(server, readFileSync(CLIP), 'effect=grayscale', auth);
      assert.equal(made.status, 201);
      const { id } = (await made.json()) as { id: string };
      const routes: [string, string][] = [
        ['GET', '/jobs'],
        ['POST', '/jobs'],
        ['GET', `/jobs/${id}`],
        ['GET', `/jobs/${id}/events`],
        ['GET', `/jobs/${id}/result`],
        ['GET', `/jobs/${id}/report`],
        ['DELETE', `/jobs/${id}`],
        ['GET', '/jobs/00000000000000000000'],
        ['GET', '/sessions'],
        ['GET', '/sessions/00000000-0000-0000-0000-000000000000'],
        ['POST', '/sessions/00000000-0000-0000-0000-000000000000/effect'],
        ['GET', '/metrics'],
        ['GET', '/effects'],
        ['GET', '/backgrounds'],
        ['POST', '/backgrounds'],
        ['POST', '/whip'],
        ['POST', '/whep/00000000-0000-0000-0000-000000000000'],
        ['GET', '/no-such-route'],
      ];
      for (const [method, path] of routes) {
        const answers = [];
        for (const headers of [
          {} as Record<string, string>,
          { authorization: 'Bearer wrong' },
          { authorization: 'Basic dGhlLXRva2Vu' },
          { authorization: 'Bearer THE-TOKEN' },
        ]) {
          const response = await fetch(`${server.url}${path}`, { method, headers });
          answers.push({ status: response.status, body: await response.text(), challenge: response.headers.get('www-authenticate') });
        }
        for (const answer of answers) assert.deepEqual(answer, answers[0], `${method} ${path}: the same refusal for each`);
        assert.equal(answers[0]?.status, 401, `${method} ${path}`);
        assert.equal(answers[0]?.challenge, 'Bearer');
      }
      for (const path of ['/healthz', '/', '/app.js', '/models/selfie.json', '/ort/ort-wasm-simd-threaded.wasm']) {
        const response = await fetch(`${server.url}${path}`, { method: 'HEAD' });
        assert.notEqual(response.status, 401, `${path} is public`);
        assert.ok(response.status < 400, `${path}: ${response.status}`);
      }
      // With the token, the job is there and untouched by all of the above.
      const job = await settled(server, id, auth);
      assert.equal(job.state, 'succeeded');
    } finally {
      await server.close();
    }
  },
);
