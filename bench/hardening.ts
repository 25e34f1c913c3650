import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowNs } from '../src/core/clock.ts';
import { readFrameId } from '../src/core/frame-id.ts';
import { TestPatternSource } from '../src/io/test-pattern-source.ts';
import { gatheredOffer } from '../src/io/webrtc/peer.ts';
import { WebRtcClient } from '../src/io/webrtc/webrtc-client.ts';
import { wrtc } from '../src/io/webrtc/wrtc.ts';
import { percentileOf, table } from './stats-util.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'framewise.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** RSS (MB), open fds and threads of a process, from /proc (Linux). */
function resources(pid: number): { rssMb: number; fds: number; threads: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssMb: Math.round(Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]) / 1024),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]),
  };
}

async function deadOffer(direction: 'sendrecv' | 'recvonly'): Promise<string> {
  const pc = new (wrtc().RTCPeerConnection)();
  pc.addTransceiver('video', { direction });
  const sdp = await gatheredOffer(pc);
  pc.close();
  return sdp;
}

function openSocket(port: number, localAddress: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(null));
    s.on('error', () => undefined);
  });
}

/**
 * What the hardening holds under attack, on a `framewise serve` process: its RSS, fds and threads before and after
 * 100 viewer offers that never connect and 50 publishers that vanish without a goodbye; and a running session's
 * round-trip p95 and fps while idle, during a burst of 200 offers and during a connection flood, in the same run.
 */
export async function hardeningBench(): Promise<string> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--max-sessions', '4', '--log-level', 'silent'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!/on (http:\/\/\S+)/.test(out)) await once(server.stdout, 'data');
  const url = /on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
  const port = Number(new URL(url).port);
  const pid = server.pid ?? 0;
  const pattern = new TestPatternSource({ width: 640, height: 480, fps: 30 });
  await pattern.open();
  const sentNs = new Map<number, number>();
  const publishers: WebRtcClient[] = [];
  let sending = true;
  const sender = (async () => {
    for (let frame = await pattern.read(); frame && sending; frame = await pattern.read()) {
      sentNs.set(frame.seq, nowNs());
      sentNs.delete(frame.seq - 600);
      for (const p of publishers) p.send(frame);
      frame.release();
    }
  })();
  const resourceRows: (string | number)[][] = [];
  const loadRows: (string | number)[][] = [];
  const sockets: Socket[] = [];
  try {
    const main = await WebRtcClient.publish(`${url}/whip?effect=grayscale`);
    publishers.push(main);
    const arrivals: { at: number; latencyMs: number | null }[] = [];
    const reading = (async () => {
      const source = main.received;
      if (!source) return;
      await source.open();
      for (let frame = await source.read(); frame; frame = await source.read()) {
        const id = readFrameId(frame);
        const sent = id === null ? undefined : sentNs.get(id);
        arrivals.push({ at: nowNs(), latencyMs: sent === undefined ? null : (frame.captureNs - sent) / 1e6 });
        frame.release();
      }
    })();
    const session = main.resourceUrl.split('/').at(-1) ?? '';
    // Offers are made before any window: making 200 peer connections here would starve this process, the client.
    const burst: string[] = [];
    for (let i = 0; i < 200; i++) burst.push(await deadOffer('sendrecv'));
    const viewerOffers: string[] = [];
    for (let i = 0; i < 100; i++) viewerOffers.push(await deadOffer('recvonly'));
    await sleep(3000);
    const window = async (label: string, during: (untilMs: number) => Promise<void>): Promise<void> => {
      const from = nowNs();
      await during(Date.now() + 6000);
      const to = nowNs();
      const inside = arrivals.filter((a) => a.at >= from && a.at < to);
      const lat = inside.flatMap((a) => (a.latencyMs === null ? [] : [a.latencyMs]));
      loadRows.push([label, percentileOf(lat, 50).toFixed(1), percentileOf(lat, 95).toFixed(1), (inside.length / ((to - from) / 1e9)).toFixed(1)]);
    };
    await window('idle', async (until) => sleep(until - Date.now()));
    await window('burst of 200 offers (10 at a time, never connecting)', async (until) => {
      for (let i = 0; i < burst.length; i += 10)
        await Promise.all(
          burst.slice(i, i + 10).map(async (body) => {
            const r = await fetch(`${url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body });
            await r.text();
          }),
        );
      await sleep(Math.max(0, until - Date.now()));
    });
    await window('connection flood (1500 idle + 300 header tricklers)', async (until) => {
      for (let i = 0; i < 1500; i++) {
        const s = await openSocket(port, '127.0.0.2');
        if (s) sockets.push(s);
      }
      for (let a = 3; a < 8; a++)
        for (let i = 0; i < 60; i++) {
          const s = await openSocket(port, `127.0.0.${a}`);
          if (s) {
            s.write('GET /healthz HTTP/1.1\r\n');
            sockets.push(s);
          }
        }
      await sleep(Math.max(0, until - Date.now()));
    });
    for (const s of sockets) s.destroy();
    await sleep(6000);
    const base = resources(pid);
    let accepted = 0;
    for (const body of viewerOffers) {
      const r = await fetch(`${url}/whep/${session}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body });
      await r.text();
      if (r.status === 201) accepted++;
    }
    const peakViewers = resources(pid);
    await sleep(8000);
    const afterViewers = resources(pid);
    resourceRows.push([`100 viewer offers that never connect (${accepted} accepted)`, fmt(base), fmt(peakViewers), fmt(afterViewers)]);
    for (let i = 0; i < 50; i++) {
      // Vanished sessions hold their slot until the server notices (5 s without video): wait for one to come free.
      let p: WebRtcClient | null = null;
      while (!p) p = await WebRtcClient.publish(`${url}/whip`, { receive: false }).catch(async () => (await sleep(500), null));
      publishers.push(p);
      await sleep(400);
      publishers.splice(publishers.indexOf(p), 1);
      await p.close({ leaveSilently: true });
    }
    const peakVanish = resources(pid);
    await sleep(8000);
    const afterVanish = resources(pid);
    resourceRows.push(['50 publishers that vanish without a DELETE', fmt(afterViewers), fmt(peakVanish), fmt(afterVanish)]);
    publishers.splice(0);
    await main.close();
    await reading;
  } finally {
    sending = false;
    await sender;
    await pattern.close();
    for (const s of sockets) s.destroy();
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  return [
    '### Hardening: server resources under misbehaving clients (`framewise serve --max-sessions 4`, one running session)',
    '',
    table(['what', 'before (RSS MB / fds / threads)', 'right after', '8 s later'], resourceRows),
    '',
    '### A running session (640x480 grayscale, round trip Node -> server -> Node) while the server is attacked, 6 s windows',
    '',
    table(['while', 'p50 ms', 'p95 ms', 'fps back'], loadRows),
  ].join('\n');
}

function fmt(r: { rssMb: number; fds: number; threads: number }): string {
  return `${r.rssMb} / ${r.fds} / ${r.threads}`;
}
