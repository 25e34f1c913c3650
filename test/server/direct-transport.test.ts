import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from '../../src/core/trend.ts';
import { gatheredOffer } from '../../src/io/webrtc/peer.ts';
import { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';
import { wrtc } from '../../src/io/webrtc/wrtc.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { collect, sendPattern } from './webrtc-helpers.ts';

// The direct transport (werift carrying VP8 itself: no jitter buffer, no pacer), driven by libwebrtc clients: the
// same WHIP/WHEP behaviour as the default transport.

let server: FramewiseServer;

before(async () => {
  server = await FramewiseServer.start({ port: 0, web: false, maxSessions: 3, transport: 'direct', disconnectGraceMs: 1000, mediaTimeoutMs: 2000 });
});

after(async () => {
  await server.close();
});

test('direct transport: frames come back processed with their frame ids, the session says its transport, DELETE releases everything', async () => {
  const client = await WebRtcClient.publish(`${server.url}/whip?effect=grayscale`);
  const sessionId = client.resourceUrl.split('/').at(-1) ?? '';
  const stop = new AbortController();
  const returned = collect(client, stop.signal);
  const sent = sendPattern(client, stop.signal);
  await sleep(3000);
  const session = server.registry.get(sessionId);
  assert.ok(session);
  const info = (await (await fetch(`${server.url}/sessions/${sessionId}`)).json()) as {
    transport: string;
    link: { receiver: { framesDecoded: number; jitterBufferDelayMeanMs: number }; sender: { framesEncoded: number; packetSendDelayMeanMs: number } };
  };
  stop.abort();
  const [frames, sentNs] = await Promise.all([returned, sent]);
  assert.equal(info.transport, 'direct');
  assert.ok(info.link.receiver.framesDecoded > 45 && info.link.sender.framesEncoded > 45, JSON.stringify(info.link));
  assert.ok(frames.length > 45, `only ${frames.length} frames came back in 3 s`);
  const ids = frames.filter((f) => f.id !== null);
  assert.ok(ids.length / frames.length > 0.9, `frame ids readable on ${ids.length} of ${frames.length} frames`);
  assert.ok(median(frames.slice(5).map((f) => f.chromaSpread)) < 2, 'grayscale came back');
  const rtts = ids.map((f) => (f.arrivedNs - (sentNs.get(f.id as number) ?? Number.NaN)) / 1e6).filter(Number.isFinite);
  assert.ok(median(rtts) > 0 && median(rtts) < 500, `round trip p50 ${median(rtts).toFixed(1)} ms`);
  await client.close();
  assert.equal(server.registry.get(sessionId), undefined);
  assert.deepEqual(session.resources(), { framesOutstanding: 0, tracks: 0, viewers: 0, connectionState: 'closed' });
});

test('direct transport: a WHEP viewer gets the same processed stream (one encode for both), its DELETE ends only it', async () => {
  const publisher = await WebRtcClient.publish(`${server.url}/whip?effect=grayscale`);
  const sessionId = publisher.resourceUrl.split('/').at(-1) ?? '';
  const stop = new AbortController();
  const sent = sendPattern(publisher, stop.signal);
  const back = collect(publisher, stop.signal);
  const viewer = await WebRtcClient.view(`${server.url}/whep/${sessionId}`);
  const watched = collect(viewer, stop.signal);
  await sleep(2500);
  assert.equal(server.registry.get(sessionId)?.info().viewers, 1);
  assert.equal(server.registry.get(sessionId)?.resources().tracks, 2, 'the publisher and the viewer');
  stop.abort();
  const [frames, returned] = await Promise.all([watched, back, sent]);
  assert.ok(frames.length > 30 && returned.length > 30, `viewer ${frames.length}, publisher ${returned.length} frames`);
  assert.ok(median(frames.slice(5).map((f) => f.chromaSpread)) < 2, 'the viewer sees the processed video');
  await viewer.close();
  assert.equal(server.registry.get(sessionId)?.info().viewers, 0);
  assert.ok(server.registry.get(sessionId), 'the session goes on');
  await publisher.close();
  assert.equal(server.registry.size, 0);
});

test('direct transport: a publisher that leaves without DELETE is cleaned up; a libwebrtc session runs beside it', async () => {
  const gone = await WebRtcClient.publish(`${server.url}/whip`);
  const classic = await WebRtcClient.publish(`${server.url}/whip?transport=libwebrtc&effect=mirror`);
  const goneId = gone.resourceUrl.split('/').at(-1) ?? '';
  const classicId = classic.resourceUrl.split('/').at(-1) ?? '';
  const stop = new AbortController();
  const sending = Promise.all([sendPattern(gone, stop.signal), sendPattern(classic, stop.signal)]);
  const back = collect(classic, stop.signal);
  await sleep(1000);
  assert.equal(server.registry.get(classicId)?.transport, 'libwebrtc');
  assert.equal(server.registry.get(goneId)?.transport, 'direct');
  const session = server.registry.get(goneId);
  await gone.close({ leaveSilently: true });
  const deadline = Date.now() + 15_000;
  while (server.registry.get(goneId) && Date.now() < deadline) await sleep(100);
  assert.equal(server.registry.get(goneId), undefined, 'the silent publisher was cleaned up');
  assert.deepEqual(session?.resources(), { framesOutstanding: 0, tracks: 0, viewers: 0, connectionState: 'closed' });
  stop.abort();
  const [frames] = await Promise.all([back, sending]);
  assert.ok(frames.length > 30, `the libwebrtc session kept going (${frames.length} frames)`);
  await classic.close();
});

test('direct transport: what it cannot carry is a clear 400 (an offer without VP8, an unknown transport), nothing left behind', async () => {
  const pc = new (wrtc().RTCPeerConnection)();
  pc.addTransceiver('video', { direction: 'sendrecv' });
  const offer = await gatheredOffer(pc);
  pc.close();
  // The same offer with VP8 (and the retransmission format that refers to it) taken out: VP9 and AV1 remain.
  const lines = offer.split('\r\n');
  const vp8 = new Set(lines.flatMap((l) => /^a=rtpmap:(\d+) VP8\//i.exec(l)?.[1] ?? []));
  for (const l of lines) {
    const rtx = /^a=fmtp:(\d+) apt=(\d+)/.exec(l);
    if (rtx?.[1] && vp8.has(rtx[2] ?? '')) vp8.add(rtx[1]);
  }
  const withoutVp8 = lines
    .filter((l) => !vp8.has(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/.exec(l)?.[1] ?? ''))
    .map((l) =>
      l.startsWith('m=video')
        ? l
            .split(' ')
            .filter((p, i) => i < 3 || !vp8.has(p))
            .join(' ')
        : l,
    )
    .join('\r\n');
  assert.doesNotMatch(withoutVp8, /VP8/);
  const refused = await fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: withoutVp8 });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /carries VP8 only/);
  const unknown = await fetch(`${server.url}/whip?transport=quic`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /transport "quic" is not one of libwebrtc, direct/);
  assert.equal(server.registry.size, 0);
});

test('direct transport: a publisher sending pictures over the size limit is refused before they are decoded', async () => {
  const small = await FramewiseServer.start({ port: 0, web: false, maxPixels: 320 * 240, transport: 'direct' });
  try {
    const big = await WebRtcClient.publish(`${small.url}/whip`, { receive: false });
    const sessionId = big.resourceUrl.split('/').at(-1) ?? '';
    const session = small.registry.get(sessionId);
    assert.ok(session);
    const stop = new AbortController();
    const sending = sendPattern(big, stop.signal);
    const deadline = Date.now() + 10_000;
    while (small.registry.get(sessionId) && Date.now() < deadline) await sleep(100);
    stop.abort();
    await sending;
    assert.equal(small.registry.get(sessionId), undefined, 'the oversized session was not ended');
    assert.match(session.endReason ?? '', /sender's video is 640x480, over this receiver's limit of 76800 pixels/);
    await big.close();
  } finally {
    await small.close();
  }
});
