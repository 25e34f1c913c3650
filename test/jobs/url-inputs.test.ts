import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lookup as realLookup } from 'node:dns';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addressCheck } from '../../src/jobs/address-rule.ts';
import type { JobRecord } from '../../src/jobs/job.ts';
import { DEFAULT_JOB_LIMITS } from '../../src/jobs/job-limits.ts';
import { fetchJobInput } from '../../src/jobs/remote-input.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';

// A URL job's input is fetched by the server itself, through the address rule, on every hop; FFmpeg reads only the
// local copy. 127.0.0.2 stands in for a public host (allowed by name in `allowAddresses`); 127.0.0.1 is the
// server's own network, which nothing may reach.

const CLIP = testdata('videos/facing_camera_720p.mp4'); // 195 frames, 7.8 s
const dir = scratchDir('url-inputs');
const hlsDir = join(dir, 'hls');
let outside: Server; // "public" media host on 127.0.0.2
let inside: Server; // the server's own network, on 127.0.0.1
let insideHits = 0;
let outsideBase = '';
let insideBase = '';
let server: FramewiseServer;
let strict: FramewiseServer;

function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve) => server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`)));
}

before(async () => {
  mkdirSync(hlsDir, { recursive: true });
  // A VOD HLS rendition of the clip: MPEG-TS segments of 2 s.
  execFileSync('ffmpeg', ['-v', 'error', '-i', CLIP, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', join(hlsDir, 'vod.m3u8')]);
  inside = createServer((req, res) => {
    insideHits++;
    res.writeHead(200, { 'content-type': 'video/mp4' });
    createReadStream(CLIP).pipe(res);
  });
  insideBase = await listen(inside, '127.0.0.1');
  outside = createServer((req, res) => {
    const path = req.url ?? '/';
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (path === '/clip.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      createReadStream(CLIP).pipe(res);
    } else if (hop) {
      const n = Number(hop[1]);
      res.writeHead(302, { location: n === 0 ? '/clip.mp4' : `/hop/${n - 1}` }).end();
    } else if (path === '/to-inside') res.writeHead(302, { location: `${insideBase}/secret.mp4` }).end();
    else if (path === '/to-mapped') res.writeHead(307, { location: `http://[::ffff:127.0.0.1]:${new URL(insideBase).port}/secret.mp4` }).end();
    else if (path === '/to-file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    else if (path.startsWith('/hls/')) {
      const name = path.slice(5);
      if (name === 'master.m3u8') {
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end(
          '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,RESOLUTION=320x180\nmissing-low.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720\nvod.m3u8\n',
        );
      } else if (name === 'inner-segment.m3u8') {
        const vod = readFileSync(join(hlsDir, 'vod.m3u8'), 'utf8');
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end(vod.replace('vod1.ts', `${insideBase}/vod1.ts`));
      } else if (name === 'live.m3u8') {
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end(readFileSync(join(hlsDir, 'vod.m3u8'), 'utf8').replace('#EXT-X-ENDLIST', '').replace('#EXT-X-PLAYLIST-TYPE:VOD', ''));
      } else if (name === 'encrypted.m3u8') {
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end(readFileSync(join(hlsDir, 'vod.m3u8'), 'utf8').replace('#EXTINF', '#EXT-X-KEY:METHOD=AES-128,URI="key.bin"\n#EXTINF'));
      } else if (/^[\w.-]+$/.test(name) && existsSync(join(hlsDir, name))) {
        res.writeHead(200);
        createReadStream(join(hlsDir, name)).pipe(res);
      } else res.writeHead(404).end();
    } else if (path === '/endless') {
      // A stream that never ends (a live MPEG-TS over HTTP): bytes until the client hangs up, at most 64 MiB.
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 0x47);
      const more = (): void => {
        while (sent < 64 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    } else res.writeHead(404).end();
  });
  outsideBase = await listen(outside, '127.0.0.2');
  const limits = { urls: 'public' as const, allowAddresses: ['127.0.0.2'], maxUploadBytes: 8 * 1024 * 1024 };
  server = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: join(dir, 'jobs'), concurrency: 1, segmentS: 4, limits } });
  strict = await FramewiseServer.start({ port: 0, web: false, jobs: { dir: join(dir, 'strict') } });
});

after(async () => {
  await server.close();
  await strict.close();
  outside.close();
  inside.close();
});

function submit(target: FramewiseServer, url: string): Promise<Response> {
  return fetch(`${target.url}/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, effects: ['grayscale'] }),
  });
}

async function finished(id: string): Promise<JobRecord> {
  const text = await (await fetch(`${server.url}/jobs/${id}/events`)).text();
  const last =
    text
      .split('\n\n')
      .filter((b) => b.includes('data: '))
      .at(-1) ?? '';
  return JSON.parse(/^data: (.+)$/m.exec(last)?.[1] ?? 'null') as JobRecord;
}

test('the address rule unmaps IPv4-mapped IPv6 and refuses every special range; public addresses and the allow-list pass', () => {
  const check = addressCheck({ urls: 'public' });
  for (const inner of [
    '127.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:127.0.0.1',
    '[::ffff:127.0.0.1]',
    '::ffff:10.0.0.1',
    '::ffff:192.168.1.1',
    '::ffff:172.16.0.1',
    '::ffff:169.254.169.254',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1',
    'fc00::1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '2001:db8::1',
    '224.0.0.1',
    '255.255.255.255',
    'not-an-address',
  ])
    assert.notEqual(check(inner), null, `${inner} must be refused`);
  for (const outer of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(check(outer), null, `${outer} is public`);
  const allowed = addressCheck({ urls: 'public', allow: ['10.0.0.0/24', '127.0.0.2', '::ffff:192.168.5.0/120'] });
  assert.equal(allowed('10.0.0.9'), null);
  assert.equal(allowed('::ffff:10.0.0.9'), null);
  assert.equal(allowed('127.0.0.2'), null);
  assert.equal(allowed('192.168.5.7'), null);
  assert.notEqual(allowed('10.0.1.9'), null);
  assert.notEqual(allowed('127.0.0.1'), null);
  assert.equal(addressCheck({ urls: 'any' })('127.0.0.1'), null);
  assert.throws(() => addressCheck({ urls: 'public', allow: ['10.0.0.0/99'] }), /not an address or CIDR/);
});

test('IPv4-mapped spellings of loopback are refused before anything is fetched', async () => {
  const port = new URL(insideBase).port;
  const before = insideHits;
  for (const host of [
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[0:0:0:0:0:ffff:127.0.0.1]',
    '[::ffff:169.254.169.254]',
    '127.1',
    '2130706433',
    '0x7f000001',
    'localhost',
  ]) {
    const response = await submit(strict, `http://${host}:${port}/clip.mkv`);
    const text = await response.text();
    assert.equal(response.status, 400, `${host}: ${response.status} ${text}`);
    assert.match(text, /loopback|linkLocal|only public hosts/, host);
  }
  assert.equal(insideHits, before, 'the inner server was never reached');
  assert.deepEqual(
    readdirSync(join(dir, 'strict')).filter((f) => !f.startsWith('.')),
    [],
    'nothing left behind',
  );
});

test('redirects are followed by hand, each hop checked: to the inside, to a mapped address, to file:, or more than 5 are refused', async () => {
  const before = insideHits;
  for (const [path, message] of [
    ['/to-inside', /loopback/],
    ['/to-mapped', /loopback/],
    ['/to-file', /http:\/\/ or https:\/\//],
    ['/hop/6', /more than 5 times/],
    ['/nothing-here', /HTTP 404/],
  ] as const) {
    const response = await submit(server, `${outsideBase}${path}`);
    const text = await response.text();
    assert.equal(response.status, 400, `${path}: ${response.status} ${text}`);
    assert.match(text, message, path);
  }
  assert.equal(insideHits, before, 'no redirect reached the inner server');
  // Within the limit, a chain of redirects to an allowed host is followed; the job renders the local copy.
  const made = await submit(server, `${outsideBase}/hop/4`);
  assert.equal(made.status, 201, await made.clone().text());
  const { id } = (await made.json()) as { id: string };
  assert.ok(existsSync(join(dir, 'jobs', id, 'input')), 'the input was fetched into the job folder');
  const done = await finished(id);
  assert.equal(done.state, 'succeeded', JSON.stringify(done));
  assert.equal(done.result?.frames, 195);
  assert.equal(done.spec.input.kind, 'url');
});

test('HLS: a finished playlist is fetched segment by segment (variant picked from a master); inner segments, live and encrypted playlists are refused', async () => {
  const before = insideHits;
  for (const [name, status, message] of [
    ['inner-segment.m3u8', 400, /loopback/],
    ['live.m3u8', 400, /live HLS playlist/],
    ['encrypted.m3u8', 400, /encrypted/],
  ] as const) {
    const response = await submit(server, `${outsideBase}/hls/${name}`);
    const text = await response.text();
    assert.equal(response.status, status, `${name}: ${response.status} ${text}`);
    assert.match(text, message, name);
  }
  assert.equal(insideHits, before, 'no segment was fetched from the inside');
  const made = await submit(server, `${outsideBase}/hls/master.m3u8`);
  assert.equal(made.status, 201, await made.clone().text());
  const done = await finished(((await made.json()) as { id: string }).id);
  assert.equal(done.state, 'succeeded', JSON.stringify(done));
  assert.ok(Math.abs((done.result?.frames ?? 0) - 195) <= 2, `frames ${done.result?.frames}`);
});

test('a body that never ends is cut at the upload limit with a 413 and leaves nothing behind', async () => {
  const response = await submit(server, `${outsideBase}/endless`);
  const text = await response.text();
  assert.equal(response.status, 413, text);
  assert.match(text, /over this server's limit/);
  const left = readdirSync(join(dir, 'jobs')).filter((id) => !existsSync(join(dir, 'jobs', id, 'job.json')));
  assert.deepEqual(left, [], 'no folder of a refused job');
});

test('DNS rebinding: a host that resolves to an allowed address first and to loopback later never reaches loopback', async () => {
  const before = insideHits;
  let calls = 0;
  // media.test resolves to the allowed host for the playlist, then to loopback for the segments.
  const rebinding = ((host: string, options: object, callback: (e: Error | null, a: { address: string; family: number }[]) => void) => {
    if (host !== 'media.test') return (realLookup as unknown as (...a: unknown[]) => void)(host, options, callback);
    calls++;
    callback(null, [{ address: calls === 1 ? '127.0.0.2' : '127.0.0.1', family: 4 }]);
  }) as unknown as typeof realLookup;
  const port = new URL(outsideBase).port;
  const path = join(dir, 'rebind-input');
  await assert.rejects(
    fetchJobInput(`http://media.test:${port}/hls/vod.m3u8`, path, { ...DEFAULT_JOB_LIMITS, allowAddresses: ['127.0.0.2'] }, { lookup: rebinding }),
    /media\.test.*loopback/,
  );
  assert.ok(calls >= 2, 'the host was resolved again for the segments');
  assert.equal(insideHits, before);
  assert.equal(existsSync(path), false, 'no partial input');
  // The same resolver with loopback from the start is refused at the first connection.
  calls = 1;
  await assert.rejects(
    fetchJobInput(`http://media.test:${port}/clip.mp4`, path, { ...DEFAULT_JOB_LIMITS, allowAddresses: ['127.0.0.2'] }, { lookup: rebinding }),
    /loopback/,
  );
});
