import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowNs } from '../../src/core/clock.ts';
import { median } from '../../src/core/trend.ts';
import { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { collect, sendPattern } from './webrtc-helpers.ts';

let server: FramewiseServer;

before(async () => {
  server = await FramewiseServer.start({ port: 0, web: false, maxSessions: 2, disconnectGraceMs: 1000, mediaTimeoutMs: 2000 });
});

after(async () => {
  await server.close();
});

/** Publish the pattern for `seconds` with `effect`, collecting what comes back. */
async function roundTrip(effect: string, seconds: number) {
  const client = await WebRtcClient.publish(`${server.url}/whip?effect=${effect}`);
  const stop = new AbortController();
  const returned = collect(client, stop.signal);
  const sent = sendPattern(client, stop.signal);
  await sleep(seconds * 1000);
  const sessionId = client.resourceUrl.split('/').at(-1) ?? '';
  const info = server.registry.get(sessionId)?.info();
  stop.abort();
  const [frames, sentNs] = await Promise.all([returned, sent]);
  return { client, frames, sentNs, sessionId, info };
}

test('WHIP: a session starts, frames come back processed (grayscale) with their frame ids, DELETE releases it', async () => {
  const { client, frames, sentNs, sessionId, info } = await roundTrip('grayscale', 3);
  assert.ok(frames.length > 45, `only ${frames.length} frames came back in 3 s`);
  const ids = frames.filter((f) => f.id !== null);
  assert.ok(ids.length / frames.length > 0.9, `frame ids readable on ${ids.length} of ${frames.length} frames`);
  const spread = median(frames.slice(5).map((f) => f.chromaSpread));
  assert.ok(spread < 2, `grayscale output still has colour: mean |chroma-128| ${spread.toFixed(1)}`);
  const rtts = ids.map((f) => (f.arrivedNs - (sentNs.get(f.id as number) ?? Number.NaN)) / 1e6).filter(Number.isFinite);
  const p50 = median(rtts);
  assert.ok(p50 > 0 && p50 < 500, `round trip p50 ${p50.toFixed(1)} ms`);
  assert.ok(info && info.stats.framesOut > 45, 'the server counted the frames it sent');
  const session = server.registry.get(sessionId);
  assert.ok(session, 'session is registered while running');
  await client.close();
  assert.equal(server.registry.get(sessionId), undefined, 'DELETE removed the session');
  assert.deepEqual(session.resources(), { framesOutstanding: 0, tracks: 0, viewers: 0, connectionState: 'closed' });
  assert.equal(session.endReason, 'ended by the publisher (DELETE)');
});

test('WHIP: the colour test pattern comes back in colour with passthrough, and mirrored with mirror', async () => {
  const plain = await roundTrip('passthrough', 1.5);
  await plain.client.close();
  const mirrored = await roundTrip('mirror', 1.5);
  await mirrored.client.close();
  const colour = median(plain.frames.slice(5).map((f) => f.chromaSpread));
  assert.ok(colour > 5, `passthrough lost the colour (spread ${colour.toFixed(1)})`);
  // The pattern is brighter on one side; mirroring swaps which.
  const side = (frames: typeof plain.frames) => median(frames.slice(5).map((f) => f.leftLuma - f.rightLuma));
  assert.ok(
    Math.sign(side(plain.frames)) === -Math.sign(side(mirrored.frames)),
    `left-right balance ${side(plain.frames)} vs mirrored ${side(mirrored.frames)}`,
  );
  assert.ok(mirrored.frames.filter((f) => f.id !== null).length > mirrored.frames.length * 0.9, 'frame ids survive the mirror (re-stamped)');
});

test('WHEP: a viewer receives the processed stream of a running session; its DELETE ends only the viewer', async () => {
  const publisher = await WebRtcClient.publish(`${server.url}/whip?effect=grayscale`, { receive: false });
  const sessionId = publisher.resourceUrl.split('/').at(-1) ?? '';
  const stop = new AbortController();
  const sent = sendPattern(publisher, stop.signal);
  const viewer = await WebRtcClient.view(`${server.url}/whep/${sessionId}`);
  const watched = collect(viewer, stop.signal);
  await sleep(2500);
  assert.equal(server.registry.get(sessionId)?.info().viewers, 1);
  stop.abort();
  const [frames] = await Promise.all([watched, sent]);
  assert.ok(frames.length > 30, `the viewer got ${frames.length} frames`);
  assert.ok(median(frames.slice(5).map((f) => f.chromaSpread)) < 2, 'the viewer sees the processed (grayscale) video');
  assert.ok(frames.filter((f) => f.id !== null).length > frames.length * 0.9, 'with readable frame ids');
  await viewer.close();
  assert.equal(server.registry.get(sessionId)?.info().viewers, 0, 'viewer DELETE removed the viewer');
  assert.ok(server.registry.get(sessionId), 'the session goes on');
  await publisher.close();
  assert.equal(server.registry.size, 0);
});

test('a publisher that leaves without DELETE (tab closed) is cleaned up when its connection goes', async () => {
  const client = await WebRtcClient.publish(`${server.url}/whip`);
  const sessionId = client.resourceUrl.split('/').at(-1) ?? '';
  const stop = new AbortController();
  const sent = sendPattern(client, stop.signal);
  await sleep(1000);
  const session = server.registry.get(sessionId);
  assert.ok(session);
  stop.abort();
  await sent;
  await client.close({ leaveSilently: true });
  const deadline = Date.now() + 15_000;
  while (server.registry.get(sessionId) && Date.now() < deadline) await sleep(100);
  assert.equal(server.registry.get(sessionId), undefined, 'session still registered 15 s after its peer left');
  assert.deepEqual(session.resources(), { framesOutstanding: 0, tracks: 0, viewers: 0, connectionState: 'closed' });
});

test('effect switch while running, and /metrics shows the session', async () => {
  const client = await WebRtcClient.publish(`${server.url}/whip?effect=passthrough`);
  const sessionId = client.resourceUrl.split('/').at(-1) ?? '';
  const stop = new AbortController();
  const returned = collect(client, stop.signal);
  const sent = sendPattern(client, stop.signal);
  await sleep(1500);
  const switched = await fetch(`${server.url}/sessions/${sessionId}/effect`, { method: 'POST', body: JSON.stringify({ effect: 'grayscale' }) });
  assert.equal(switched.status, 200);
  const switchedNs = nowNs();
  await sleep(1500);
  const unknown = await fetch(`${server.url}/sessions/${sessionId}/effect`, { method: 'POST', body: JSON.stringify({ effect: 'sepia' }) });
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /unknown effect "sepia": use one of/);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  stop.abort();
  const [frames] = await Promise.all([returned, sent]);
  await client.close();
  const before = frames.filter((f) => f.arrivedNs < switchedNs - 200e6);
  const afterSwitch = frames.filter((f) => f.arrivedNs > switchedNs + 500e6);
  assert.ok(median(before.slice(5).map((f) => f.chromaSpread)) > 5, 'colour before the switch');
  assert.ok(median(afterSwitch.map((f) => f.chromaSpread)) < 2, 'grayscale after the switch');
  assert.match(metrics, /^framewise_sessions 1$/m);
  assert.match(metrics, /^framewise_frames_out_total [1-9]\d*$/m);
  assert.match(metrics, /^framewise_pipeline_latency_seconds_count [1-9]\d*$/m);
  assert.match(metrics, /^framewise_frames_dropped_total\{reason="deadline"\} \d+$/m);
  assert.doesNotMatch(metrics, new RegExp(sessionId), 'no series is labelled with a session id (per-session figures are at /sessions)');
  assert.match(metrics, /^framewise_process_resident_memory_bytes \d+/m, 'process metrics');
});

test('bad requests get clear errors: malformed SDP 400, wrong type 415, unknown session 404, PATCH 405, server full 503', async () => {
  const post = (body: string, type = 'application/sdp') => fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': type }, body });
  const garbage = await post('hello');
  assert.equal(garbage.status, 400);
  assert.match(await garbage.text(), /malformed SDP offer: it must start with "v=0"/);
  const audioOnly = await post('v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n');
  assert.equal(audioOnly.status, 400);
  assert.match(await audioOnly.text(), /no video section/);
  const json = await post('{}', 'application/json');
  assert.equal(json.status, 415);
  const huge = await post(`v=0\r\n${'a=x\r\n'.repeat(20_000)}`);
  assert.equal(huge.status, 413);
  const unknown = await fetch(`${server.url}/whip/not-a-session`, { method: 'DELETE' });
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /no live session not-a-session/);
  const a = await WebRtcClient.publish(`${server.url}/whip`, { receive: false });
  const patch = await fetch(a.resourceUrl, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates' });
  assert.equal(patch.status, 405);
  const b = await WebRtcClient.publish(`${server.url}/whip`, { receive: false });
  await assert.rejects(WebRtcClient.publish(`${server.url}/whip`), /503 .*limit of 2 live session\(s\).*\(retry after 5 s\)|retry after 5 s/);
  const full = await fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
  assert.equal(full.status, 503);
  assert.equal(full.headers.get('retry-after'), '5');
  await full.text();
  await Promise.all([a.close(), b.close()]);
  assert.equal(server.registry.size, 0);
  assert.match(await (await fetch(`${server.url}/metrics`)).text(), /^framewise_offers_rejected_total{reason="full"} [1-9]/m);
});

test('a bearer token is required when configured: 401 without or with a wrong one', async () => {
  const guarded = await FramewiseServer.start({ port: 0, web: false, token: 's3cret' });
  try {
    await assert.rejects(WebRtcClient.publish(`${guarded.url}/whip`), /401 .*Authorization: Bearer/);
    await assert.rejects(WebRtcClient.publish(`${guarded.url}/whip`, { token: 'nope' }), /401 .*with its token/);
    const ok = await WebRtcClient.publish(`${guarded.url}/whip`, { token: 's3cret' });
    assert.equal(guarded.registry.size, 1);
    await ok.close();
    assert.equal(guarded.registry.size, 0);
  } finally {
    await guarded.close();
  }
});

test('a publisher sending pictures over the size limit gets its session ended with the reason; others are untouched', async () => {
  const small = await FramewiseServer.start({ port: 0, web: false, maxPixels: 320 * 240 });
  try {
    const big = await WebRtcClient.publish(`${small.url}/whip`, { receive: false });
    const sessionId = big.resourceUrl.split('/').at(-1) ?? '';
    const session = small.registry.get(sessionId);
    assert.ok(session);
    const ok = await WebRtcClient.publish(`${small.url}/whip`);
    const stop = new AbortController();
    const returned = collect(ok, stop.signal);
    const sending = Promise.all([sendPattern(big, stop.signal), sendPattern(ok, stop.signal, { width: 320, height: 240 })]);
    const deadline = Date.now() + 10_000;
    while (small.registry.get(sessionId) && Date.now() < deadline) await sleep(100);
    await sleep(1000);
    stop.abort();
    const [frames] = await Promise.all([returned, sending]);
    assert.equal(small.registry.get(sessionId), undefined, 'the oversized session was not ended');
    assert.match(session.endReason ?? '', /sender's video is 640x480, over this receiver's limit of 76800 pixels/);
    assert.ok(frames.length > 20, `the 320x240 session kept going (${frames.length} frames)`);
    await Promise.all([big.close(), ok.close()]);
  } finally {
    await small.close();
  }
});

test('WHIP: ?effect= takes a chain as the CLI and /jobs do (mirror,grayscale); a bad link names itself', async () => {
  const plain = await roundTrip('passthrough', 1.5);
  await plain.client.close();
  const chained = await roundTrip(encodeURIComponent('mirror, grayscale'), 1.5);
  assert.equal(chained.info?.effect, 'mirror, grayscale');
  await chained.client.close();
  const side = (frames: typeof plain.frames) => median(frames.slice(5).map((f) => f.leftLuma - f.rightLuma));
  assert.ok(Math.sign(side(plain.frames)) === -Math.sign(side(chained.frames)), 'mirrored');
  assert.ok(median(chained.frames.slice(5).map((f) => f.chromaSpread)) < 2, 'and grayscale');
  assert.ok(chained.frames.filter((f) => f.id !== null).length > chained.frames.length * 0.9, 'frame ids survive the chain');
  const offer = async (effect: string): Promise<Response> => {
    const { wrtc } = await import('../../src/io/webrtc/wrtc.ts');
    const { gatheredOffer } = await import('../../src/io/webrtc/peer.ts');
    const pc = new (wrtc().RTCPeerConnection)();
    pc.addTransceiver('video', { direction: 'sendrecv' });
    const sdp = await gatheredOffer(pc);
    pc.close();
    return fetch(`${server.url}/whip?effect=${encodeURIComponent(effect)}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: sdp });
  };
  for (const [effect, message] of [
    ['blur,replace:nowhere', /picture "nowhere" is not allowed/],
    ['blur,sparkle', /unknown effect "sparkle"/],
    [Array(9).fill('grayscale').join(','), /at most 8 effects/],
  ] as const) {
    const response = await offer(effect);
    const text = await response.text();
    assert.equal(response.status, 400, `${effect}: ${text}`);
    assert.match(text, message);
    assert.doesNotMatch(text, /unknown effect "blur,/);
  }
  assert.equal(server.registry.size, 0);
});
