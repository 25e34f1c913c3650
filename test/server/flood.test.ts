import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowNs } from '../../src/core/clock.ts';
import { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { collect, sendPattern } from './webrtc-helpers.ts';

// A connection flood costs the flooder: idle and header-trickling connections over the caps are closed on arrival or
// cut off by the header timeout, /healthz keeps answering and a running session keeps its frame rate. Loopback only,
// bounded counts; the flooders use their own loopback addresses (127.0.0.2 and up), as other clients would.

function open(port: number, localAddress: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(null));
    socket.on('error', () => undefined);
  });
}

async function healthzMs(url: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
  await r.json();
  return performance.now() - t0;
}

for (const transport of ['libwebrtc', 'direct'] as const)
  test(
    `a flood of idle and trickling connections (${transport} transport): capped per address, cut off by the header timeout; /healthz and a running session go on`,
    { timeout: 120_000 },
    async () => {
      const server = await FramewiseServer.start({ port: 0, web: false, transport, connections: { perAddress: 64, total: 600, headersTimeoutMs: 3000 } });
      const port = Number(new URL(server.url).port);
      const client = await WebRtcClient.publish(`${server.url}/whip?effect=grayscale`);
      const stop = new AbortController();
      const returned = collect(client, stop.signal);
      const sending = sendPattern(client, stop.signal, { width: 320, height: 240 });
      const sockets: Socket[] = [];
      try {
        await sleep(3000);
        const idleFromNs = nowNs();
        await sleep(3000);
        const idleToNs = nowNs();
        // 1) 1500 idle connections from one address: only 64 are kept, the rest are closed on arrival.
        for (let i = 0; i < 1500; i++) {
          const s = await open(port, '127.0.0.2');
          if (s) sockets.push(s);
        }
        await sleep(300);
        assert.ok(server.guard.connections <= 64 + 8, `${server.guard.connections} connections held open`);
        assert.ok(server.guard.refused >= 1400, `${server.guard.refused} refused`);
        // 2) Header tricklers from five more addresses: a byte a second, never finishing their headers.
        const tricklers: Socket[] = [];
        for (let a = 3; a < 8; a++)
          for (let i = 0; i < 60; i++) {
            const s = await open(port, `127.0.0.${a}`);
            if (!s) continue;
            s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
            tricklers.push(s);
          }
        const trickle = setInterval(() => {
          for (const s of tricklers) if (!s.destroyed) s.write('X');
        }, 1000);
        const floodFromNs = nowNs();
        const health: number[] = [];
        for (let i = 0; i < 5; i++) {
          health.push(await healthzMs(server.url));
          await sleep(500);
        }
        await sleep(3000);
        const floodToNs = nowNs();
        clearInterval(trickle);
        assert.ok(Math.max(...health) < 1000, `/healthz answered within ${Math.max(...health).toFixed(0)} ms during the flood`);
        await sleep(1000);
        const alive = tricklers.filter((s) => !s.destroyed && s.readyState === 'open').length;
        assert.equal(alive, 0, `${alive} trickling connections still open past the header timeout`);
        const idleAlive = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
        assert.equal(idleAlive, 0, `${idleAlive} idle connections still open 8 s after they came`);
        sockets.push(...tricklers);
        stop.abort();
        const [frames] = await Promise.all([returned, sending]);
        const fps = (from: number, to: number): number => frames.filter((f) => f.arrivedNs >= from && f.arrivedNs < to).length / ((to - from) / 1e9);
        const idle = fps(idleFromNs, idleToNs);
        const flooded = fps(floodFromNs, floodToNs);
        assert.ok(flooded >= idle * 0.8, `the session kept ${flooded.toFixed(1)} fps during the flood (${idle.toFixed(1)} idle)`);
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        assert.match(metrics, /^framewise_http_connections_refused_total [1-9]\d*$/m);
      } finally {
        stop.abort();
        for (const s of sockets) s.destroy();
        await client.close();
        await server.close();
      }
    },
  );
