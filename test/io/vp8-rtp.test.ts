import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFrameId } from '../../src/core/frame-id.ts';
import type { Frame } from '../../src/core/frame.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import { type MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import { DirectVideoSource, MAX_WAITING_FRAMES, withStartBitrate } from '../../src/io/webrtc/direct-peer.ts';
import { Vp8Decoder, Vp8Encoder } from '../../src/io/vp8-codec.ts';
import { isVp8Keyframe, packetizeVp8, type Vp8Packet, Vp8Assembler, vp8Descriptor, vp8KeyframeSize } from '../../src/io/webrtc/vp8-rtp.ts';

/** Frames of the test pattern (moving content, a frame-ID code in the top band). */
async function pattern(count: number): Promise<Frame[]> {
  const source = new TestPatternSource({ width: 640, height: 480, fps: 30, paced: false, durationS: count / 30 });
  await source.open();
  const frames: Frame[] = [];
  for (let f = await source.read(); f; f = await source.read()) frames.push(f);
  await source.close();
  return frames;
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return 10 * Math.log10((255 * 255) / Math.max(1e-9, sum / a.length));
}

test('VP8 over RTP: frames encoded live, packetized, put back together and decoded keep their pixels and frame ids', async () => {
  const frames = await pattern(45);
  const encoder = new Vp8Encoder();
  const decoder = new Vp8Decoder();
  const assembler = new Vp8Assembler();
  let seq = 65_530; // wraps during the run
  let packets = 0;
  let keyframes = 0;
  const worst: number[] = [];
  for (const [i, frame] of frames.entries()) {
    const encoded = await encoder.encode(frame, i === 0);
    assert.equal(encoded.length, 1, 'one packet per frame: nothing held back (lag 0)');
    const vp8 = encoded[0]?.data as Buffer;
    assert.equal(isVp8Keyframe(vp8), encoded[0]?.keyframe);
    if (encoded[0]?.keyframe) keyframes++;
    const rtp = packetizeVp8(vp8, i);
    packets += rtp.length;
    assert.ok(rtp.every((p) => p.payload.length <= 1100));
    assert.deepEqual(
      rtp.map((p) => p.marker),
      rtp.map((_, k) => k === rtp.length - 1),
    );
    let out = null;
    for (const p of rtp) out = assembler.push((seq = (seq + 1) & 0xffff), i * 3000, p.marker, p.payload, i);
    assert.ok(out, `frame ${i} assembled`);
    assert.deepEqual(out.data, vp8);
    const decoded = await decoder.decode(out.data);
    assert.ok(decoded, `frame ${i} decoded`);
    assert.equal(readFrameId(decoded), readFrameId(frame), `frame ${i}: its frame id`);
    worst.push(psnr(decoded.planes[0] as Uint8Array, frame.planes[0] as Uint8Array));
    decoded.release();
  }
  assert.equal(keyframes, 1, 'a keyframe only when asked for');
  assert.ok(packets > frames.length, 'frames span several packets');
  assert.ok(Math.min(...worst) > 28, `luma PSNR at least 28 dB (worst ${Math.min(...worst).toFixed(1)})`);
  assert.equal(assembler.lost, 0);
  assert.equal(decoder.outstanding, 0);
  for (const f of frames) f.release();
  encoder[Symbol.dispose]();
  decoder[Symbol.dispose]();
});

test('a lost packet drops its frame and everything after it until a keyframe; duplicates and junk are ignored', async () => {
  const frames = await pattern(12);
  const encoder = new Vp8Encoder();
  const assembler = new Vp8Assembler();
  let seq = 0;
  const results: (string | null)[] = [];
  const feed = (rtp: Vp8Packet[], ts: number, skip = -1): void => {
    let out = null;
    for (const [k, p] of rtp.entries()) {
      seq = (seq + 1) & 0xffff;
      if (k === skip) continue;
      out = assembler.push(seq, ts, p.marker, p.payload, 0) ?? out;
    }
    results.push(out ? (out.keyframe ? 'key' : 'delta') : null);
  };
  for (const [i, frame] of frames.entries()) {
    const [encoded] = await encoder.encode(frame, i === 0 || i === 8);
    const rtp = packetizeVp8(encoded?.data as Buffer, i);
    feed(rtp, i * 3000, i === 4 ? 0 : -1);
    if (i === 2) {
      // The same frame's packets again (a retransmission that came late): nothing new.
      const before = assembler.lost;
      for (const p of rtp) assert.equal(assembler.push(seq - rtp.length + 1, i * 3000, p.marker, p.payload, 0), null);
      assert.equal(assembler.lost, before);
    }
    if (i === 5) assert.equal(assembler.needKeyframe, true, 'after the loss the receiver asks for a keyframe');
  }
  assert.deepEqual(results, ['key', 'delta', 'delta', 'delta', null, null, null, null, 'key', 'delta', 'delta', 'delta']);
  assert.equal(assembler.lost, 1);
  // Junk: too short to hold a payload descriptor, or a descriptor that runs past the end.
  assert.equal(vp8Descriptor(Buffer.alloc(0)), null);
  assert.equal(vp8Descriptor(Buffer.from([0x80])), null);
  assert.equal(assembler.push(seq + 1, 99_999, true, Buffer.from([0x90, 0x80]), 0), null);
  for (const f of frames) f.release();
  encoder[Symbol.dispose]();
});

test('a keyframe declares its size before it is decoded (so an oversized one is refused unread)', async () => {
  const [frame, next] = await pattern(2);
  const encoder = new Vp8Encoder();
  const [key] = await encoder.encode(frame as Frame, true);
  const [delta] = await encoder.encode(next as Frame);
  assert.deepEqual(vp8KeyframeSize(key?.data as Buffer), { width: 640, height: 480 });
  assert.equal(vp8KeyframeSize(delta?.data as Buffer), null, 'a delta frame says nothing');
  // A forged header claiming 16383x16383, and one without the start code.
  const forged = Buffer.from(key?.data as Buffer);
  forged.writeUInt16LE(0x3fff, 6);
  forged.writeUInt16LE(0x3fff, 8);
  assert.deepEqual(vp8KeyframeSize(forged), { width: 16383, height: 16383 });
  const broken = Buffer.from(forged);
  broken[3] = 0;
  assert.equal(vp8KeyframeSize(broken), null);
  frame?.release();
  next?.release();
  encoder[Symbol.dispose]();
});

test('a sender faster than the decoder: at most a third of a second of frames waits, the rest is dropped and a keyframe asked for', async () => {
  const frames = await pattern(70);
  const encoder = new Vp8Encoder();
  const encoded: Buffer[] = [];
  for (const [i, frame] of frames.entries()) encoded.push(((await encoder.encode(frame, i === 0))[0]?.data as Buffer) ?? Buffer.alloc(0));
  let deliver: (rtp: RtpPacket) => void = () => undefined;
  const track = { ssrc: 1234, onReceiveRtp: { subscribe: (cb: (rtp: RtpPacket) => void) => (deliver = cb) } };
  let asked = 0;
  const source = new DirectVideoSource(Promise.resolve(track as unknown as MediaStreamTrack), () => asked++);
  const opened = source.open();
  await new Promise((resolve) => setImmediate(resolve));
  asked = 0; // the first ask is the one every receiver makes when the track starts
  let seq = 0;
  const send = (vp8: Buffer, i: number): void => {
    for (const p of packetizeVp8(vp8, i)) {
      deliver(new RtpPacket(new RtpHeader({ sequenceNumber: (seq = (seq + 1) & 0xffff), timestamp: i * 3000, marker: p.marker, payloadType: 96 }), p.payload));
    }
  };
  // 60 frames arrive at once (a burst no decoder keeps up with).
  for (let i = 0; i < 60; i++) send(encoded[i] as Buffer, i);
  assert.equal((await opened).width, 640);
  // Read until nothing comes for 300 ms; a read still waiting then is kept for the next call (its frame not lost).
  let pending: Promise<Frame | null> | null = null;
  const readAll = async (): Promise<void> => {
    for (;;) {
      pending ??= source.read();
      const got = await Promise.race([pending, new Promise<'idle'>((resolve) => setTimeout(() => resolve('idle'), 300))]);
      if (got === 'idle') return;
      pending = null;
      got?.release();
    }
  };
  await readAll();
  assert.equal(source.decoded, MAX_WAITING_FRAMES, 'what waited was decoded');
  assert.equal(source.refused, 60 - MAX_WAITING_FRAMES, 'the rest was dropped');
  assert.equal(source.stats().framesDropped, 60 - MAX_WAITING_FRAMES);
  assert.equal(asked, 1, 'one keyframe request (they are rate-limited)');
  // Delta frames are refused until the keyframe comes; then frames flow again.
  send(encoded[60] as Buffer, 60);
  send(((await encoder.encode(frames[61] as Frame, true))[0]?.data as Buffer) ?? Buffer.alloc(0), 61);
  for (let i = 62; i < 70; i++) send(((await encoder.encode(frames[i] as Frame))[0]?.data as Buffer) ?? Buffer.alloc(0), i);
  await readAll();
  assert.equal(source.decoded, MAX_WAITING_FRAMES + 9, 'the keyframe and the 8 frames after it');
  await source.close();
  assert.equal(source.outstanding, 0);
  for (const f of frames) f.release();
  encoder[Symbol.dispose]();
});

test("the answer's start bitrate goes on every VP8 payload type only: added to its fmtp line, or on a new one", () => {
  const sdp = [
    'v=0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:98 VP8/90000',
    'a=fmtp:98 max-fr=30',
    '',
  ];
  const out = withStartBitrate(sdp.join('\r\n'), 1500);
  assert.deepEqual(out.split('\r\n'), [
    'v=0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98',
    'a=rtpmap:96 VP8/90000',
    'a=fmtp:96 x-google-start-bitrate=1500',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:98 VP8/90000',
    'a=fmtp:98 max-fr=30;x-google-start-bitrate=1500',
    '',
  ]);
  assert.equal(withStartBitrate(sdp.join('\n'), 800).split('\n').length, sdp.length + 1, 'bare LF line ends kept');
  assert.equal(withStartBitrate('v=0\r\nm=audio 9 RTP/AVP 0\r\n', 1500), 'v=0\r\nm=audio 9 RTP/AVP 0\r\n');
});
