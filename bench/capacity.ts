import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowNs } from '../src/core/clock.ts';
import { readFrameId } from '../src/core/frame-id.ts';
import { TestPatternSource } from '../src/io/test-pattern-source.ts';
import { WebRtcClient } from '../src/io/webrtc/webrtc-client.ts';
import { medianOf, percentileOf, table } from './stats-util.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'framewise.js');

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Client {
  rtc: WebRtcClient;
  latencies: number[];
  frames: number;
  reading: Promise<void>;
}

/**
 * Session capacity: a `framewise serve` process takes one more 640x480 30 fps WebRTC publisher (Node clients in
 * this process, each getting its processed video back) every step, until the worst client's round-trip p95 passes
 * 150 ms or its fps falls below 28. The clients' own encode/decode runs on the same cores as the server.
 */
export async function capacity(effect: string, options: { maxSessions?: number; settleS?: number; measureS?: number } = {}): Promise<string> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--effect', effect, '--max-sessions', '32'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!/on (http:\/\/\S+)/.test(out)) await once(server.stdout, 'data');
  const url = /on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
  const sentNs = new Map<number, number>();
  const clients: Client[] = [];
  const pattern = new TestPatternSource({ width: 640, height: 480, fps: 30 });
  await pattern.open();
  let sending = true;
  const sender = (async () => {
    for (let frame = await pattern.read(); frame && sending; frame = await pattern.read()) {
      sentNs.set(frame.seq, nowNs());
      sentNs.delete(frame.seq - 600);
      for (const c of clients) c.rtc.send(frame);
      frame.release();
    }
  })();
  const rows: (string | number)[][] = [];
  const perSession: number[] = [];
  let capacityCount = 0;
  try {
    for (let n = 1; n <= (options.maxSessions ?? 12); n++) {
      const rtc = await WebRtcClient.publish(`${url}/whip`);
      const client: Client = { rtc, latencies: [], frames: 0, reading: Promise.resolve() };
      client.reading = (async () => {
        const source = rtc.received;
        if (!source) return;
        await source.open().catch(() => undefined);
        for (let frame = await source.read(); frame; frame = await source.read()) {
          const id = readFrameId(frame);
          const sent = id === null ? undefined : sentNs.get(id);
          if (sent !== undefined) client.latencies.push((frame.captureNs - sent) / 1e6);
          client.frames++;
          frame.release();
        }
      })();
      clients.push(client);
      await new Promise((r) => setTimeout(r, (options.settleS ?? 3) * 1000));
      for (const c of clients) {
        c.latencies = [];
        c.frames = 0;
      }
      const measureS = options.measureS ?? 5;
      const cpuBefore = cpuSeconds(server.pid ?? 0);
      await new Promise((r) => setTimeout(r, measureS * 1000));
      const serverCores = (cpuSeconds(server.pid ?? 0) - cpuBefore) / measureS;
      const p95s = clients.map((c) => percentileOf(c.latencies, 95));
      const fpss = clients.map((c) => c.frames / measureS);
      const worstP95 = Math.max(...p95s);
      const worstFps = Math.min(...fpss);
      const ok = worstP95 <= 150 && worstFps >= 28;
      rows.push([
        n,
        percentileOf(
          clients.flatMap((c) => c.latencies),
          50,
        ).toFixed(1),
        worstP95.toFixed(1),
        worstFps.toFixed(1),
        `${(serverCores * 100).toFixed(0)} %`,
        ok ? 'yes' : 'no',
      ]);
      perSession.push(serverCores / n);
      if (!ok) break;
      capacityCount = n;
    }
  } finally {
    sending = false;
    await sender;
    await pattern.close();
    await Promise.all(clients.map((c) => c.rtc.close()));
    await Promise.all(clients.map((c) => c.reading));
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  return [
    `### Session capacity, effect ${effect} (640x480 30 fps publishers, round trip Node -> server -> Node)`,
    '',
    table(['sessions', 'p50 ms (all)', 'worst client p95 ms', 'worst client fps', 'server CPU (100 % = 1 core)', 'within 150 ms / 28 fps'], rows),
    '',
    `Capacity: **${capacityCount}** sessions with the test clients (VP8 encode + decode each) sharing the ${availableParallelism()} cores with the server.`,
    `The server process used ${(medianOf(perSession) * 100).toFixed(0)} % of a core per session (median over the steps): a server with the ${availableParallelism()} cores to itself would plan for about ${Math.floor((availableParallelism() * 0.7) / medianOf(perSession))} sessions at 70 % load.`,
  ].join('\n');
}
