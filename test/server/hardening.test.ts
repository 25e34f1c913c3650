import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gatheredOffer } from '../../src/io/webrtc/peer.ts';
import { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';
import { wrtc } from '../../src/io/webrtc/wrtc.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { sendPattern } from './webrtc-helpers.ts';

// Bounded by design: viewers and slots held by peers that never connect are limited and released.

/** File descriptors and threads of this process (Linux). */
function resources(): { fds: number; threads: number; rssMb: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  return {
    fds: readdirSync('/proc/self/fd').length,
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]),
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  };
}

/** A real offer from a peer connection that is closed at once: it will never connect. */
async function deadOffer(direction: 'sendrecv' | 'recvonly'): Promise<string> {
  const pc = new (wrtc().RTCPeerConnection)();
  pc.addTransceiver('video', { direction });
  const sdp = await gatheredOffer(pc);
  pc.close();
  return sdp;
}

async function until(check: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!check() && Date.now() < deadline) await sleep(100);
  return check();
}

for (const transport of ['libwebrtc', 'direct'] as const)
  test(
    `WHEP viewers are bounded per session and per server, and viewers that never connect are removed (${transport} transport)`,
    { timeout: 120_000 },
    async () => {
      const server = await FramewiseServer.start({
        port: 0,
        web: false,
        transport,
        maxSessions: 2,
        connectTimeoutMs: 5000,
        maxViewersPerSession: 4,
        maxViewers: 6,
      });
      const publishers: WebRtcClient[] = [];
      const stop = new AbortController();
      const sending: Promise<unknown>[] = [];
      try {
        publishers.push(
          await WebRtcClient.publish(`${server.url}/whip`, { receive: false }),
          await WebRtcClient.publish(`${server.url}/whip`, { receive: false }),
        );
        for (const p of publishers) sending.push(sendPattern(p, stop.signal, { width: 320, height: 240 }));
        const [a, b] = server.registry.all();
        assert.ok(a && b);
        await sleep(500);
        const baseline = resources();
        // Offers made beforehand, so the burst below comes faster than the connect timeout.
        const offers = await Promise.all(Array.from({ length: 40 }, () => deadOffer('recvonly')));
        const view = async (id: string): Promise<Response> => {
          const r = await fetch(`${server.url}/whep/${id}`, {
            method: 'POST',
            headers: { 'content-type': 'application/sdp' },
            body: offers.pop() ?? (await deadOffer('recvonly')),
          });
          await r.text();
          return r;
        };
        const statuses: number[] = [];
        for (let i = 0; i < 30; i++) statuses.push((await view(a.id)).status);
        assert.equal(statuses.filter((s) => s === 201).length, 4, `4 viewers per session: ${statuses.join(' ')}`);
        const refused = await view(a.id);
        assert.equal(refused.status, 503);
        assert.equal(refused.headers.get('retry-after'), '5');
        // The server-wide limit (6): 2 more on the other session, then none.
        assert.deepEqual([(await view(b.id)).status, (await view(b.id)).status, (await view(b.id)).status], [201, 201, 503]);
        // Nobody ever connected: after the connect timeout every viewer is gone and resources are back.
        assert.ok(await until(() => a.viewerCount === 0 && b.viewerCount === 0, 12_000), `viewers left: ${a.viewerCount} + ${b.viewerCount}`);
        await sleep(1000);
        const after = resources();
        assert.ok(after.fds <= baseline.fds + 10, `fds ${baseline.fds} -> ${after.fds}`);
        assert.ok(after.threads <= baseline.threads + 6, `threads ${baseline.threads} -> ${after.threads}`);
        assert.equal((await view(a.id)).status, 201, 'room for viewers again');
      } finally {
        stop.abort();
        await Promise.all(sending);
        await Promise.all(publishers.map((p) => p.close()));
        await server.close();
      }
    },
  );

for (const transport of ['libwebrtc', 'direct'] as const)
  test(
    `a publisher that never connects gives its slot back after the connect timeout, counted in /metrics (${transport} transport)`,
    { timeout: 60_000 },
    async () => {
      const server = await FramewiseServer.start({ port: 0, web: false, transport, maxSessions: 2, connectTimeoutMs: 1500 });
      try {
        const post = async (): Promise<number> => {
          const r = await fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: await deadOffer('sendrecv') });
          await r.text();
          return r.status;
        };
        assert.deepEqual([await post(), await post(), await post()], [201, 201, 503], 'both slots held, the third refused');
        assert.ok(await until(() => server.registry.size === 0, 6000), 'slots freed');
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        assert.match(metrics, /^framewise_sessions_never_connected_total 2$/m);
        const ok = await WebRtcClient.publish(`${server.url}/whip`, { receive: false });
        assert.equal(server.registry.size, 1, 'a real publisher gets in');
        await sleep(2500);
        assert.equal(server.registry.size, 1, 'a connected publisher is not dropped by the connect timeout');
        await ok.close();
      } finally {
        await server.close();
      }
    },
  );
