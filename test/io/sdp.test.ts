import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOffer } from '../../src/io/webrtc/sdp.ts';

const offer = (media: string[], session: string[] = ['a=fingerprint:sha-256 AB:CD']): string =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', ...session, ...media].join('\r\n') + '\r\n';

const video = (direction: string, codecs = ['96 VP8/90000']): string[] => [
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdefghijkl',
  `a=${direction}`,
  ...codecs.map((c) => `a=rtpmap:${c}`),
];

test('a browser-like offer passes and says what it carries', () => {
  const summary = checkOffer(offer(video('sendrecv', ['96 VP8/90000', '98 VP9/90000', '102 H264/90000'])), 'send');
  assert.deepEqual(summary.videoDirections, ['sendrecv']);
  assert.deepEqual(summary.videoCodecs, ['VP8', 'VP9', 'H264']);
});

test('offers that cannot work are refused with what to change', () => {
  assert.throws(() => checkOffer('', 'send'), /must start with "v=0"/);
  assert.throws(() => checkOffer('v=0\r\nnot sdp\r\n', 'send'), /line "not sdp" is not of the form/);
  assert.throws(() => checkOffer(offer(['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2']), 'send'), /no video section/);
  assert.throws(() => checkOffer(offer(video('sendrecv'), []), 'send'), /no DTLS fingerprint/);
  assert.throws(() => checkOffer(offer(video('sendrecv').filter((l) => !l.startsWith('a=ice-pwd'))), 'send'), /no ICE credentials/);
  assert.throws(() => checkOffer(offer(video('recvonly')), 'send'), /no video section can send video .*use sendrecv or sendonly/);
  assert.throws(() => checkOffer(offer(video('sendonly')), 'receive'), /no video section can receive video .*use sendrecv or recvonly/);
  assert.throws(() => checkOffer(offer(video('sendonly', ['102 H264/90000'])), 'send'), /\(H264\) are not supported here: offer VP8, VP9, AV1/);
  assert.throws(() => checkOffer(`v=0\r\n${'a=x\r\n'.repeat(20_000)}`, 'send'), /the limit is 65536/);
});

test('offers with impossible content are refused: control characters, a bad origin, a connection to no address', () => {
  const good = offer(video('sendrecv'));
  assert.throws(() => checkOffer(good.replace('s=-', 's=\u0000'), 'send'), /control character 0x00 at offset/);
  assert.throws(
    () => checkOffer(good.replace('o=- 1 2 IN IP4 127.0.0.1', 'o=bogus'), 'send'),
    /the origin line "o=bogus" must read o=<user> <session id> <version> IN IP4\|IP6 <address>/,
  );
  assert.throws(() => checkOffer(good.replace('o=- 1 2 IN IP4 127.0.0.1\r\n', ''), 'send'), /exactly one origin line \(o=\), found 0/);
  for (const c of ['c=IN IP4 999.999.999.999', 'c=IN IP4 1.2.3', 'c=IN IP9 1.2.3.4', 'c=IN IP6 not-an-address', 'c=IN IP4'])
    assert.throws(
      () => checkOffer(good.replace('a=ice-ufrag:abcd', `${c}\r\na=ice-ufrag:abcd`), 'send'),
      /connection line .* does not name a valid address/,
      c,
    );
  for (const c of ['c=IN IP4 0.0.0.0', 'c=IN IP4 192.168.1.20', 'c=IN IP6 ::1', 'c=IN IP6 fe80::1'])
    assert.doesNotThrow(() => checkOffer(good.replace('a=ice-ufrag:abcd', `${c}\r\na=ice-ufrag:abcd`), 'send'), c);
});
