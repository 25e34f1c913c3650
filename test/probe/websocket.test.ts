import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { Frame, readFrameId, writeFrameId } from '../../src/core/index.ts';
import { JpegDecoder, JpegEncoder } from '../../src/io/jpeg-codec.ts';
import { runProbe } from '../../src/probe/run-probe.ts';
import { createTarget } from '../../src/probe/targets/registry.ts';
import { startWsEcho } from '../../examples/reference/ws-system.ts';

// 8 s of sustain: with fewer per-second windows the drift interval is too wide to judge on a busy machine.
const QUICK = { warmupS: 1, sustainS: 15, overloadS: 0, drainS: 1, measureWarm: false };

test('JPEG encode -> decode keeps the picture and its frame-ID code; non-JPEG bytes are refused', async () => {
  using encoder = new JpegEncoder();
  using decoder = new JpegDecoder();
  const frame = Frame.alloc({ width: 640, height: 480, format: 'i420' });
  writeFrameId(frame, 31337);
  const image = await encoder.encode(frame);
  assert.equal(image[0], 0xff);
  assert.equal(image[1], 0xd8);
  const back = await decoder.decode(image);
  assert.equal(back.width, 640);
  assert.equal(readFrameId(back), 31337);
  back.release();
  await assert.rejects(decoder.decode(Buffer.from('GIF89a')), /not a JPEG image/);
});

test('a WebSocket system echoing frames after 100 ms: LIVE with p50 ~100 ms, JPEG and raw', async () => {
  const server = await startWsEcho({ delayMs: 100 });
  try {
    for (const spec of [server.url, server.url.replace('ws://', 'ws+raw://')]) {
      const r = await runProbe(createTarget(spec), QUICK);
      const s = r.phases.find((p) => p.phase === 'sustain');
      assert.equal(r.verdict.category, 'LIVE', `${spec}: ${r.verdict.reasons.join('; ')}`);
      assert.ok(s && s.latencyMs.p50 >= 100 && s.latencyMs.p50 < 125, `${spec}: p50 ${s?.latencyMs.p50}`);
      assert.equal(s?.lost, 0);
    }
  } finally {
    await server.close();
  }
});

test('a WebSocket server that answers with junk is INCONCLUSIVE; an unreachable one is a clear error', async () => {
  const junk = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => junk.once('listening', resolve));
  junk.on('connection', (socket) => socket.on('message', () => socket.send(Buffer.from('not a frame at all'))));
  const { port } = junk.address() as { port: number };
  try {
    const r = await runProbe(createTarget(`ws://127.0.0.1:${port}`), { ...QUICK, sustainS: 3 });
    assert.equal(r.verdict.category, 'INCONCLUSIVE');
  } finally {
    await new Promise<void>((resolve) => junk.close(() => resolve()));
  }
  await assert.rejects(runProbe(createTarget(`ws://127.0.0.1:${port}`), QUICK), /cannot connect to ws:\/\/127\.0\.0\.1:\d+/);
});
