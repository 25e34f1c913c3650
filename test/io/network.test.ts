import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoPath, scratchDir } from '../helpers.ts';
import { live, Pipeline, render, sleepMs } from '../../src/core/index.ts';
import { FrameIdSink } from '../../src/io/frame-id-sink.ts';
import { MediaSink } from '../../src/io/media-sink.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';

/** A port free on loopback right now. */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Send 3 s of test pattern to `outUrl` while a live pipeline reads `inUrl`; return what the reader saw. */
async function streamThrough(
  inUrl: string,
  outUrl: string,
  inputOptions?: Record<string, string>,
): Promise<{ ids: ReturnType<FrameIdSink['results']>; endReason: string | null; sent: number }> {
  const reader = new FrameIdSink();
  const source = new MediaSource({ input: inUrl, ...(inputOptions ? { inputOptions } : {}) });
  const receiver = new Pipeline({ source, sink: reader, policy: live({ deadlineMs: 1000 }) });
  const received = receiver.run();
  await sleepMs(300);
  const sent = await new Pipeline({ source: new TestPatternSource({ durationS: 3 }), sink: new MediaSink({ output: outUrl }), policy: live() }).run();
  const stopper = setTimeout(() => receiver.stop(), 2000);
  await received;
  clearTimeout(stopper);
  return { ids: reader.results(), endReason: source.endReason, sent: sent.stats.framesOut };
}

test('UDP (MPEG-TS) out and in on loopback: frame-ID codes arrive in order', async () => {
  const port = await freePort();
  const { ids, sent } = await streamThrough(`udp://127.0.0.1:${port}?timeout=5000000`, `udp://127.0.0.1:${port}?pkt_size=1316`);
  assert.equal(sent, 90);
  assert.ok(ids.readable >= 80, `${ids.readable} of 90 frames (the first ones precede the first keyframe)`);
  assert.equal(ids.unreadable, 0);
  assert.equal(ids.outOfOrder, 0);
});

test('SRT caller -> listener on loopback: frames arrive, and the sender hanging up ends the stream cleanly', async () => {
  const port = await freePort();
  const { ids, endReason } = await streamThrough(`srt://127.0.0.1:${port}?mode=listener`, `srt://127.0.0.1:${port}?mode=caller`);
  assert.ok(ids.readable >= 80, `${ids.readable} of 90 frames`);
  assert.equal(ids.outOfOrder, 0);
  if (endReason !== null) assert.match(endReason, /^stream ended: /);
});

test('RTMP publish to a listening reader on loopback: every frame that was sent arrives, in order', async () => {
  const port = await freePort();
  const url = `rtmp://127.0.0.1:${port}/live/probe`;
  const { ids, sent } = await streamThrough(url, url, { listen: '1', timeout: '10' });
  // The publisher's first frames may miss the live deadline while the RTMP handshake runs; what was sent arrives.
  assert.ok(sent >= 60, `${sent} frames published`);
  assert.ok(ids.readable >= sent - 2, `${ids.readable} of ${sent} frames`);
  assert.equal(ids.outOfOrder, 0);
});

test('HLS over HTTP: a playlist written by MediaSink and served on loopback decodes with every id', async () => {
  const dir = scratchDir('hls');
  await new Pipeline({
    source: new TestPatternSource({ durationS: 4, paced: false }),
    sink: new MediaSink({ output: join(dir, 'live.m3u8') }),
    policy: render(),
  }).run();
  const server = createServer((req, res) => {
    readFile(join(dir, (req.url ?? '/').slice(1)))
      .then((body) => res.end(body))
      .catch(() => {
        res.statusCode = 404;
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const reader = new FrameIdSink();
    const { source } = await new Pipeline({ source: new MediaSource({ input: `http://127.0.0.1:${port}/live.m3u8` }), sink: reader, policy: render() }).run();
    assert.match(source.description, /^hls h264 640x480/);
    assert.deepEqual(reader.results(), { frames: 120, readable: 120, unreadable: 0, mismatched: 0, outOfOrder: 0 });
  } finally {
    server.close();
  }
});

test('an unreachable stream URL fails with the URL and the reason', async () => {
  const port = await freePort();
  await assert.rejects(
    new MediaSource({ input: `http://127.0.0.1:${port}/nothing.m3u8` }).open(),
    /cannot open input "http:\/\/127\.0\.0\.1:\d+\/nothing\.m3u8": .*Connection refused/,
  );
});

test('a network input with no sender ends the run with a clear error and a non-zero exit, per protocol', async () => {
  const { spawnSync } = await import('node:child_process');
  const free = await freePort();
  const cases: [string[], RegExp][] = [
    [['-i', `udp://127.0.0.1:${free}`], /did not open within 2 s.*check that a sender is running/],
    [['-i', `srt://127.0.0.1:${free}?mode=listener`], /did not open within 2 s/],
    [['-i', `rtmp://127.0.0.1:${free}/live/cam`, '--input-option', 'listen=1'], /did not open within 2 s/],
    [['-i', `rtsp://127.0.0.1:${free}/cam`], /cannot open input "rtsp:.*Connection refused/],
  ];
  for (const [args, message] of cases) {
    const started = Date.now();
    const r = spawnSync(process.execPath, [repoPath('bin/framewise.js'), 'run', ...args, '--duration', '2', '--open-timeout', '2'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, `${args[1]}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(Date.now() - started < 15_000, `${args[1]} ended in ${Date.now() - started} ms`);
  }
});
