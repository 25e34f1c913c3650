import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord } from '../../src/jobs/job.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';

const CLIP = testdata('videos/facing_camera_720p.mp4'); // 195 frames, 7.8 s, AAC audio

function jobServer(dir: string, extra: Partial<Parameters<typeof FramewiseServer.start>[0]> = {}): Promise<FramewiseServer> {
  return FramewiseServer.start({
    port: 0,
    web: false,
    jobs: { dir, concurrency: 1, segmentS: 2, limits: { urls: 'any', maxUploadBytes: 8 * 1024 * 1024 } },
    ...extra,
  });
}

async function upload(server: FramewiseServer, file: string | Buffer, query = 'effect=grayscale', headers: Record<string, string> = {}): Promise<Response> {
  const body = typeof file === 'string' ? readFileSync(file) : file;
  return fetch(`${server.url}/jobs?${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body });
}

/** Follow /events to the end; returns every event. */
async function events(server: FramewiseServer, id: string): Promise<{ type: string; job: JobRecord }[]> {
  const text = await (await fetch(`${server.url}/jobs/${id}/events`)).text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => ({
      type: /^event: (.+)$/m.exec(block)?.[1] ?? '',
      job: JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? 'null') as JobRecord,
    }));
}

function frameCount(path: string): number {
  return Number(
    execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path], {
      encoding: 'utf8',
    }).trim(),
  );
}

function hasAudio(path: string): boolean {
  return (
    execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path], {
      encoding: 'utf8',
    }).trim() !== ''
  );
}

test(
  'a job submitted over HTTP renders every frame with its audio, reports progress over SSE and serves its result with ranges',
  { timeout: 180_000 },
  async () => {
    const dir = scratchDir('jobs-api');
    const server = await jobServer(dir);
    try {
      const created = await upload(server, CLIP);
      assert.equal(created.status, 201, await created.clone().text());
      const { id } = (await created.json()) as { id: string };
      assert.equal(created.headers.get('location'), `/jobs/${id}`);
      const seen = await events(server, id);
      const last = seen.at(-1)?.job;
      assert.equal(last?.state, 'succeeded', JSON.stringify(last));
      assert.ok(
        seen.some((e) => e.type === 'progress' && e.job.progress.framesDone > 0 && e.job.progress.framesDone < 195),
        'progress ticks between start and end',
      );
      assert.ok(seen.some((e) => e.type === 'state' && e.job.state === 'running'));
      const job = (await (await fetch(`${server.url}/jobs/${id}`)).json()) as JobRecord;
      assert.equal(job.progress.framesTotal, 195);
      assert.equal(job.result?.frames, 195);
      assert.equal(job.progress.segmentsTotal, 4);
      assert.ok(job.startedAt && job.finishedAt && job.result && job.result.realTimeFactor > 0);
      const whole = await fetch(`${server.url}/jobs/${id}/result`);
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get('accept-ranges'), 'bytes');
      const bytes = Buffer.from(await whole.arrayBuffer());
      assert.equal(bytes.length, job.result.bytes);
      const out = join(dir, 'out.mp4');
      writeFileSync(out, bytes);
      assert.equal(frameCount(out), 195);
      assert.ok(hasAudio(out), 'the audio is kept');
      const part = await fetch(`${server.url}/jobs/${id}/result`, { headers: { range: 'bytes=100-199' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 100-199/${bytes.length}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
      assert.equal((await fetch(`${server.url}/jobs/${id}/result`, { headers: { range: `bytes=${bytes.length + 5}-` } })).status, 416);
      // The working files are gone; the record and the result stay.
      assert.deepEqual(readdirSync(join(dir, id)).sort(), ['job.json', 'result.mp4']);
      // Paging.
      for (let i = 0; i < 2; i++) assert.equal((await upload(server, CLIP, 'effect=passthrough')).status, 201);
      const page = (await (await fetch(`${server.url}/jobs?limit=2`)).json()) as { total: number; next: string | null; jobs: JobRecord[] };
      assert.equal(page.total, 3);
      assert.equal(page.jobs.length, 2);
      assert.ok(page.next);
      const rest = (await (await fetch(`${server.url}${page.next}`)).json()) as { jobs: JobRecord[] };
      assert.deepEqual(
        rest.jobs.map((j) => j.id),
        [id],
      );
      assert.equal((await fetch(`${server.url}/jobs?limit=0`)).status, 400);
    } finally {
      await server.close();
    }
  },
);

test('a cancelled job stops within a second and leaves no partial file; a URL job is read by the server', { timeout: 180_000 }, async () => {
  const dir = scratchDir('jobs-cancel');
  // A plain file server that answers byte ranges, as FFmpeg's seeking over http needs.
  const files = createServer((req, res) => {
    const size = statSync(CLIP).size;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size), 'accept-ranges': 'bytes' });
      createReadStream(CLIP).pipe(res);
      return;
    }
    const start = Number(m[1]);
    const end = m[2] ? Math.min(size - 1, Number(m[2])) : size - 1;
    res.writeHead(206, { 'content-type': 'video/mp4', 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${size}` });
    createReadStream(CLIP, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const server = await jobServer(dir);
  try {
    const { id } = (await (await upload(server, CLIP, 'effect=blur')).json()) as { id: string };
    const queued = (await (await upload(server, CLIP, 'effect=grayscale')).json()) as { id: string };
    for (let i = 0; i < 600; i++) {
      const job = (await (await fetch(`${server.url}/jobs/${id}`)).json()) as JobRecord;
      if (job.progress.framesDone > 10) break;
      await sleep(50);
    }
    // The queued job is cancelled without ever running.
    const other = await fetch(`${server.url}/jobs/${queued.id}`, { method: 'DELETE' });
    assert.equal(((await other.json()) as JobRecord).attempts, 0);
    const t0 = Date.now();
    const cancelled = await fetch(`${server.url}/jobs/${id}`, { method: 'DELETE' });
    const stoppedMs = Date.now() - t0;
    assert.equal(cancelled.status, 200);
    assert.equal(((await cancelled.json()) as JobRecord).state, 'cancelled');
    assert.ok(stoppedMs < 1000, `stopped in ${stoppedMs} ms`);
    assert.deepEqual(readdirSync(join(dir, id)), ['job.json'], 'no partial file, no segments, no input');
    assert.equal((await fetch(`${server.url}/jobs/${id}`, { method: 'DELETE' })).status, 409);
    assert.equal((await fetch(`${server.url}/jobs/${id}/result`)).status, 409);
    // A URL job.
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/clip.mp4`;
    const made = await fetch(`${server.url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, effects: ['mirror'], format: 'mkv' }),
    });
    assert.equal(made.status, 201, await made.clone().text());
    const done = (await events(server, ((await made.json()) as { id: string }).id)).at(-1)?.job;
    assert.equal(done?.state, 'succeeded', JSON.stringify(done));
    assert.equal(done?.result?.frames, 195);
    assert.equal(done?.spec.format, 'mkv');
  } finally {
    await server.close();
    files.close();
  }
});

test('bad job requests get a 4xx that says what is wrong and leave nothing behind; the worker keeps going', { timeout: 180_000 }, async () => {
  const dir = scratchDir('jobs-bad');
  const server = await jobServer(dir, { token: 'sekrit' });
  const auth = { authorization: 'Bearer sekrit' };
  try {
    assert.equal((await upload(server, CLIP)).status, 401);
    const clip = readFileSync(CLIP);
    const cases: [string, Response, number, RegExp][] = [
      [
        'text',
        await upload(server, Buffer.from('hello, this is not a video\n'.repeat(100)), 'effect=grayscale', auth),
        400,
        /not a video|cannot open|invalid data/i,
      ],
      ['truncated', await upload(server, clip.subarray(0, Math.floor(clip.length / 2)), 'effect=grayscale', auth), 400, /truncated|cannot|moov|invalid/i],
      ['empty', await upload(server, Buffer.alloc(0), 'effect=grayscale', auth), 400, /empty/],
      ['too big', await upload(server, Buffer.alloc(9 * 1024 * 1024), 'effect=grayscale', auth), 413, /limit/],
      ['unknown effect', await upload(server, clip, 'effect=sparkle', auth), 400, /unknown effect/],
      ['prototype key', await upload(server, clip, 'effect=__proto__', auth), 400, /unknown effect/],
      ['bad format', await upload(server, clip, 'effect=blur&format=exe', auth), 400, /format must be/],
      ['local picture', await upload(server, clip, 'effect=replace:/etc/hostname', auth), 400, /./],
      [
        'playlist naming a local file',
        await upload(server, Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${CLIP}\n#EXT-X-ENDLIST\n`), 'effect=grayscale', auth),
        400,
        /./,
      ],
      [
        'file URL',
        await fetch(`${server.url}/jobs`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ url: `file://${CLIP}` }),
        }),
        400,
        /http/,
      ],
      ['wrong type', await fetch(`${server.url}/jobs`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' }), 415, /Content-Type/],
      ['unknown job', await fetch(`${server.url}/jobs/00000000000000000000`, { headers: auth }), 404, /no job/],
      ['traversal', await fetch(`${server.url}/jobs/..%2F..%2Fetc`, { headers: auth }), 404, /no job/],
    ];
    for (const [name, response, status, message] of cases) {
      const text = await response.text();
      assert.equal(response.status, status, `${name}: ${response.status} ${text}`);
      assert.match(text, message, name);
      assert.ok(!/\n\s+at /.test(text), `${name}: no stack trace`);
    }
    assert.deepEqual(readdirSync(dir), [], 'refused jobs leave no folder');
    // A server limited to public URLs refuses loopback ones.
    const strict = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: scratchDir('jobs-strict') } });
    try {
      const r = await fetch(`${strict.url}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'http://127.0.0.1:9/x.mp4' }),
      });
      assert.equal(r.status, 400);
      assert.match(await r.text(), /server's own network/);
    } finally {
      await strict.close();
    }
    // Multipart uploads work, and the worker is still alive after all of that.
    const form = new FormData();
    form.set('effect', 'grayscale');
    form.set('format', 'webm');
    form.set('file', new Blob([clip]), 'clip.mp4');
    const made = await fetch(`${server.url}/jobs`, { method: 'POST', headers: auth, body: form });
    assert.equal(made.status, 201, await made.clone().text());
    const { id } = (await made.json()) as { id: string };
    let job: JobRecord | undefined;
    for (let i = 0; i < 1200 && job?.state !== 'succeeded' && job?.state !== 'failed'; i++) {
      await sleep(100);
      job = (await (await fetch(`${server.url}/jobs/${id}`, { headers: auth })).json()) as JobRecord;
    }
    assert.equal(job?.state, 'succeeded', JSON.stringify(job));
    assert.equal(job.result?.frames, 195);
  } finally {
    await server.close();
  }
});

test('queued and running jobs survive a server restart (embedded queue): none is lost, the running one resumes', { timeout: 240_000 }, async () => {
  const dir = scratchDir('jobs-restart');
  let server = await jobServer(dir);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(((await (await upload(server, CLIP, 'effect=grayscale')).json()) as { id: string }).id);
  // Stop while the first is past its first segment.
  for (let i = 0; i < 600; i++) {
    const job = (await (await fetch(`${server.url}/jobs/${ids[0]}`)).json()) as JobRecord;
    if (job.progress.segmentsDone >= 1) break;
    await sleep(50);
  }
  await server.close();
  const stored = JSON.parse(readFileSync(join(dir, ids[0] as string, 'job.json'), 'utf8')) as JobRecord;
  assert.equal(stored.state, 'queued', 'a running job goes back to the queue');
  assert.ok(existsSync(join(dir, ids[0] as string, 'segments')), 'its finished segments are kept');
  server = await jobServer(dir);
  try {
    for (const id of ids) {
      const last = (await events(server, id)).at(-1)?.job;
      assert.equal(last?.state, 'succeeded', JSON.stringify(last));
      assert.equal(last.result?.frames, 195);
    }
    const first = (await (await fetch(`${server.url}/jobs/${ids[0]}`)).json()) as JobRecord;
    assert.equal(first.attempts, 2);
  } finally {
    await server.close();
  }
});
