import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { repoPath } from '../helpers.ts';
import { sendPattern } from './webrtc-helpers.ts';

// What an operator sees: levelled JSON logs with the reasons and figures, and /metrics whose series count stays
// the same however many sessions come and go.

/** A pino logger whose JSON lines are kept in memory. */
function memoryLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

test('log lines: a rejected offer with its reason (warn), a session start and its end with figures (info)', async () => {
  const { logger, lines } = memoryLogger();
  const server = await FramewiseServer.start({ port: 0, web: false, maxSessions: 1, logger });
  try {
    const bad = await fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'not sdp' });
    assert.equal(bad.status, 400);
    await bad.text();
    const client = await WebRtcClient.publish(`${server.url}/whip?effect=grayscale`, { receive: false });
    const stop = new AbortController();
    const sending = sendPattern(client, stop.signal);
    await sleep(1500);
    await assert.rejects(WebRtcClient.publish(`${server.url}/whip`), /503/);
    stop.abort();
    await sending;
    await client.close();
    await sleep(200);
  } finally {
    await server.close();
  }
  const refused = lines.filter((l) => l.level === 40 && l.path === '/whip');
  assert.ok(
    refused.some((l) => l.status === 400 && /SDP|offer/i.test(String(l.reason))),
    `a 400 with its reason: ${JSON.stringify(refused)}`,
  );
  assert.ok(
    refused.some((l) => l.status === 503 && /limit of 1 live session/.test(String(l.reason))),
    `a 503 with its reason: ${JSON.stringify(refused)}`,
  );
  const started = lines.find((l) => l.msg === 'session started');
  assert.ok(started && started.effect === 'grayscale' && typeof started.session === 'string');
  const ended = lines.find((l) => l.msg === 'session ended');
  assert.ok(ended, 'a session-end line');
  assert.equal(ended.session, started.session);
  assert.ok(Number(ended.framesIn) > 20 && Number(ended.framesOut) > 20, `figures: ${JSON.stringify(ended)}`);
  assert.equal(typeof ended.latencyP95Ms, 'number');
  assert.match(String(ended.reason), /DELETE/);
});

test('/metrics: the number of series stays flat over 50 sessions; counters keep what ended sessions counted', async () => {
  const server = await FramewiseServer.start({ port: 0, web: false, maxSessions: 4 });
  const seriesOf = async (): Promise<{ count: number; text: string }> => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    // Node's own metrics (GC kinds, heap spaces) grow by themselves as the runtime warms up: only the server's count.
    const own = text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !/^framewise_(nodejs|process)_/.test(l));
    return { count: own.length, text };
  };
  try {
    const first = await WebRtcClient.publish(`${server.url}/whip`, { receive: false });
    const before = await seriesOf();
    await first.close();
    for (let i = 0; i < 50; i++) {
      const client = await WebRtcClient.publish(`${server.url}/whip`, { receive: false });
      await client.close();
    }
    const held = await WebRtcClient.publish(`${server.url}/whip`, { receive: false });
    const after = await seriesOf();
    await held.close();
    assert.equal(after.count, before.count, `${before.count} series before, ${after.count} after 50 sessions`);
    assert.match(after.text, /^framewise_sessions_started_total 52$/m);
    assert.match(after.text, /^framewise_sessions_ended_total 51$/m);
  } finally {
    await server.close();
  }
});

test('framewise serve logs JSON lines to stderr when it is not a terminal, at the --log-level asked', async () => {
  const child = spawn(process.execPath, [repoPath('bin/framewise.js'), 'serve', '--port', '0', '--duration', '1', '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  const lines = stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: number; msg: string; url?: string });
  assert.ok(lines.some((l) => l.level === 30 && l.msg === 'server listening' && /^http:\/\/127\.0\.0\.1:\d+$/.test(l.url ?? '')));
  const bad = spawn(process.execPath, [repoPath('bin/framewise.js'), 'serve', '--log-level', 'loud'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let badErr = '';
  bad.stderr.on('data', (d: Buffer) => (badErr += d.toString()));
  assert.equal(await new Promise<number | null>((resolve) => bad.on('close', resolve)), 2);
  assert.match(badErr, /--log-level must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/);
});
