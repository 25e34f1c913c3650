import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FramewiseError } from '../../src/core/errors.ts';
import { createEffect, listEffects } from '../../src/effects/registry.ts';
import { checkOffer } from '../../src/io/webrtc/sdp.ts';
import { gatheredOffer } from '../../src/io/webrtc/peer.ts';
import { wrtc } from '../../src/io/webrtc/wrtc.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';

// Seeded fuzzing (reproducible: the seed is in the failure message): mutated offers and effect specs never cause a
// 5xx, a crash or anything but a FramewiseError, and the server's resources come back to where they were.

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '\u0000',
  '\r',
  '\n',
  ' ',
  ':',
  '/',
  '..',
  '%',
  '\u00ff',
  '999.999.999.999',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  '\u202e',
  '#',
  '+',
  ',',
  'a'.repeat(3000),
];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\r\n');
  const ops = 1 + Math.floor(random() * 4);
  for (let k = 0; k < ops; k++) {
    const i = Math.floor(random() * lines.length);
    const line = lines[i] ?? '';
    const pick = NASTY[Math.floor(random() * NASTY.length)] as string;
    switch (Math.floor(random() * 6)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, line);
        break;
      case 2:
        lines[i] = line.slice(0, Math.floor(random() * line.length)) + pick + line.slice(Math.floor(random() * line.length));
        break;
      case 3:
        lines[i] = `${line[0] ?? 'a'}=${pick}`;
        break;
      case 4:
        lines.splice(i, 0, `c=IN IP4 ${pick}`);
        break;
      default:
        lines[i] = line.replace(/\d+/, pick);
    }
  }
  return lines.join(random() < 0.2 ? '\n' : '\r\n');
}

function fds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** A browser's real offer, gathered by libwebrtc. */
async function baseOffer(): Promise<string> {
  const pc = new (wrtc().RTCPeerConnection)();
  pc.addTransceiver('video', { direction: 'sendrecv' });
  const base = await gatheredOffer(pc);
  pc.close();
  return base;
}

/**
 * `count` mutated offers to a server's WHIP endpoint: only 4xx (or 503 when full), no session left behind, file
 * descriptors back to where they were after one warm-up session (a stack opens its shared sockets with the first).
 * `applyEvery`: an offer answered 503 (the client's connecting sessions at their cap) is sent again once the server
 * has dropped them, so every offer reaches the WebRTC stack.
 */
async function fuzzServer(server: FramewiseServer, base: string, random: () => number, count: number, label: string, applyEvery = false): Promise<void> {
  const warm = await fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: base });
  await warm.text();
  while (server.registry.size > 0) await sleep(200);
  await sleep(6000);
  const before = fds();
  const statuses = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const body = mutate(base, random);
    const post = (): Promise<Response> => fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body });
    let r = await post();
    if (r.status === 503 && applyEvery) {
      // Full of sessions that will never connect: once they are dropped, this offer gets applied too.
      await r.text();
      const until = Date.now() + 5000;
      while (server.registry.size > 0 && Date.now() < until) await sleep(100);
      r = await post();
    }
    const text = await r.text();
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    assert.ok(r.status < 500 || r.status === 503, `${label} case ${i}: ${r.status} ${text}`);
  }
  // Mutations that still make a valid offer start sessions that never connect: they must all be gone.
  const deadline = Date.now() + 8000;
  while (server.registry.size > 0 && Date.now() < deadline) await sleep(200);
  assert.equal(server.registry.size, 0, `sessions left: ${server.registry.size} (${JSON.stringify([...statuses])})`);
  // Keep-alive connections of this process's own HTTP client close after the server's 5 s keep-alive timeout.
  await sleep(6000);
  assert.ok(fds() <= before + 6, `fds ${before} -> ${fds()} (${JSON.stringify([...statuses])})`);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
}

test('offer fuzz: 3000 mutated offers to the parser, 300 to the server: only clear 4xx, no crash, resources back', { timeout: 300_000 }, async () => {
  const base = await baseOffer();
  const seed = 20261203;
  const random = rng(seed);
  for (let i = 0; i < 3000; i++) {
    const offer = mutate(base, random);
    try {
      checkOffer(offer, i % 2 === 0 ? 'send' : 'receive');
    } catch (err) {
      assert.ok(err instanceof FramewiseError, `seed ${seed} case ${i}: ${String(err)}`);
    }
  }
  const server = await FramewiseServer.start({ port: 0, web: false, maxSessions: 4, connectTimeoutMs: 1000 });
  try {
    await fuzzServer(server, base, random, 300, `seed ${seed} server`);
  } finally {
    await server.close();
  }
});

test('effect fuzz: 3000 random specs give a stage or a FramewiseError, never another exception; the server answers 400', async () => {
  const random = rng(42);
  const names = [...listEffects().map((e) => e.name), ...NASTY, 'replace', 'blur', 'delay', 'pose', 'objects', 'faces'];
  const specs: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const name = names[Math.floor(random() * names.length)] as string;
    const arg = random() < 0.3 ? '' : `:${NASTY[Math.floor(random() * NASTY.length)]}${random() < 0.5 ? String(Math.floor(random() * 1e6) - 5e5) : ''}`;
    specs.push(`${name}${arg}`);
  }
  for (const spec of specs) {
    try {
      const stage = createEffect(spec);
      assert.equal(typeof stage.process, 'function');
    } catch (err) {
      assert.ok(err instanceof FramewiseError, `${JSON.stringify(spec)}: ${String(err)}`);
    }
  }
  const server = await FramewiseServer.start({ port: 0, web: false });
  try {
    for (const spec of specs.slice(0, 300)) {
      const r = await fetch(`${server.url}/whip?effect=${encodeURIComponent(spec)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      await r.text();
      assert.ok(r.status === 400, `${JSON.stringify(spec)}: ${r.status}`);
    }
  } finally {
    await server.close();
  }
});

test('offer fuzz on the direct transport (werift): 200 mutated offers, only clear 4xx, no crash, sockets back', { timeout: 300_000 }, async () => {
  const base = await baseOffer();
  const seed = 20261207;
  const server = await FramewiseServer.start({ port: 0, web: false, maxSessions: 8, connectTimeoutMs: 1000, transport: 'direct' });
  try {
    await fuzzServer(server, base, rng(seed), 200, `seed ${seed} direct`, true);
  } finally {
    await server.close();
  }
});
