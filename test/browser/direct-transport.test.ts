import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { fakeCameraFromVideo, launchWithFakeCamera } from './harness.ts';

// The demo page against the server's direct transport (werift: no jitter buffer or pacer, frames marked for
// immediate playout), with the avatar's data channel on the same connection.

let server: FramewiseServer;
const dir = scratchDir('browser-direct');

before(async () => {
  server = await FramewiseServer.start({ port: 0, maxSessions: 2 });
});

after(async () => {
  await server.close();
});

test('the page on the direct transport: video measured, playout delay negotiated, the avatar data channel works', { timeout: 120_000 }, async () => {
  const browser = await launchWithFakeCamera(await fakeCameraFromVideo(dir, testdata('videos/desk_person_again.mkv')));
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.addInitScript(`(() => {
      const Original = window.RTCPeerConnection;
      window.__peers = [];
      window.RTCPeerConnection = function (...args) { const pc = new Original(...args); window.__peers.push(pc); return pc; };
      window.RTCPeerConnection.prototype = Original.prototype;
    })()`);
    await page.goto(`${server.url}/?effect=${encodeURIComponent('avatar:robot+scene')}&transport=direct&autostart`);
    await page.waitForFunction('(window.framewiseDemo.reading()?.identified ?? 0) >= 60 && (window.framewiseDemo.avatar()?.drawn ?? 0) >= 30', undefined, {
      timeout: 60_000,
    });
    const session = server.registry.all()[0];
    assert.equal(session?.transport, 'direct');
    const reading = await page.evaluate<{ totalP50Ms: number; totalP95Ms: number; link: { jitterBufferMs: number | null } }>('window.framewiseDemo.reading()');
    const avatar = await page.evaluate<{ messages: number; drawn: number }>('window.framewiseDemo.avatar()');
    // The server's answer negotiated the playout-delay extension (frames shown as soon as they are decoded).
    const answer = await page.evaluate<string>('window.__peers[0].remoteDescription.sdp');
    assert.match(answer, /a=extmap:\d+ http:\/\/www\.webrtc\.org\/experiments\/rtp-hdrext\/playout-delay/);
    assert.match(answer, /a=rtpmap:\d+ VP8\/90000/);
    // It tells the page's sender where to start: without it Chromium sends ~300 kbit/s at first and climbs slowly.
    assert.match(answer, /a=fmtp:\d+ .*x-google-start-bitrate=1500/);
    const targetBitrate = await page.evaluate<number>(`(async () => {
      let target = 0;
      (await window.__peers[0].getStats()).forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') target = s.targetBitrate ?? 0; });
      return target;
    })()`);
    assert.ok(targetBitrate >= 1_000_000, `the page's encoder aims at ${targetBitrate} bit/s in the first seconds`);
    console.log(
      `direct transport, avatar scene: glass-to-glass p50 ${reading.totalP50Ms.toFixed(1)} ms p95 ${reading.totalP95Ms.toFixed(1)} ms, page jitter buffer ${reading.link.jitterBufferMs?.toFixed(1)} ms, page encoder target ${(targetBitrate / 1000).toFixed(0)} kbit/s; ${avatar.messages} avatar messages, ${avatar.drawn} drawn`,
    );
    assert.ok(avatar.messages >= 30 && session && session.avatarMessages >= 30, 'parameters on the data channel');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
