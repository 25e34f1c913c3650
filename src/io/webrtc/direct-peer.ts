import {
  type MediaStreamTrack as WeriftTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
  useAbsSendTime,
  useSdesMid,
} from 'werift';
import { nowNs } from '../../core/clock.ts';
import { FramewiseError } from '../../core/errors.ts';
import type { Frame } from '../../core/frame.ts';
import { PushSource } from '../../core/push-source.ts';
import type { FrameSink } from '../../core/sink.ts';
import type { FrameSource, SourceInfo } from '../../core/source.ts';
import { Vp8Decoder, Vp8Encoder } from '../vp8-codec.ts';
import type { ChannelLike, ConnectionLike } from './peer.ts';
import { FirstPicture } from './first-picture.ts';
import type { ReceiverStats, SenderStats } from './receiver-stats.ts';
import { packetizeVp8, Vp8Assembler, vp8KeyframeSize } from './vp8-rtp.ts';

/**
 * The playout-delay RTP header extension: min = max = 0 tells the receiving browser to show each frame as soon as it
 * is decoded instead of smoothing playback with a jitter buffer (Chromium's low-latency rendering path).
 */
export const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

/** The extension's payload for min = max = 0 (two 12-bit delays in 10 ms units); read only, shared by every packet. */
const PLAYOUT_DELAY_ZERO = Buffer.alloc(3);

/**
 * Frames that may wait for the decoder (a third of a second at 30 fps: a burst after a stall) before the receiver
 * drops what comes and asks for a keyframe.
 */
export const MAX_WAITING_FRAMES = 10;

/** RTCP payload-specific feedback (206) asking for a keyframe: PLI (format 1) or FIR (format 4), not REMB (15). */
function asksForKeyframe(rtcp: { type: number; feedback?: { count?: number } }): boolean {
  return rtcp.type === 206 && (rtcp.feedback?.count === 1 || rtcp.feedback?.count === 4);
}

/** One werift sender of the processed video: numbers the packets and marks them for immediate playout. */
export class DirectSender {
  private seq = Math.floor(Math.random() * 0xffff);

  constructor(
    private readonly transceiver: RTCRtpTransceiver,
    private readonly playoutDelayId: number | undefined,
  ) {}

  send(payloads: readonly { payload: Buffer; marker: boolean }[], timestamp: number): void {
    for (const { payload, marker } of payloads) {
      const header = new RtpHeader({ marker, timestamp, sequenceNumber: (this.seq = (this.seq + 1) & 0xffff), payloadType: 96 });
      if (this.playoutDelayId !== undefined) {
        header.extension = true;
        header.extensions = [{ id: this.playoutDelayId, payload: PLAYOUT_DELAY_ZERO }];
      }
      void this.transceiver.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
    }
  }

  /** Call `callback` when the receiver asks for a keyframe; returns what stops listening. */
  onKeyframeRequest(callback: () => void): () => void {
    const { unSubscribe } = this.transceiver.sender.onRtcp.subscribe((rtcp) => {
      if (asksForKeyframe(rtcp)) callback();
    });
    return unSubscribe;
  }
}

/**
 * Processed frames to VP8 over RTP, encoded once and sent to every peer that watches (the publisher, WHEP viewers):
 * no pacer (a frame's packets leave together), keyframes when a receiver asks or joins.
 */
export class DirectVideoSink implements FrameSink {
  readonly name: string;
  private readonly encoder: Vp8Encoder;
  private readonly senders = new Set<DirectSender>();
  private wantKeyframe = true;
  private pictureId = 0;
  private encodeNs = 0;
  /** Frames encoded and sent. */
  framesEncoded = 0;

  constructor(name: string, options: { bitrate?: number } = {}) {
    this.name = name;
    this.encoder = new Vp8Encoder(options.bitrate === undefined ? {} : { bitrate: options.bitrate });
  }

  /** Send to one more peer (its first frame is a keyframe); returns what stops it. */
  add(sender: DirectSender): () => void {
    this.senders.add(sender);
    this.wantKeyframe = true;
    const stopListening = sender.onKeyframeRequest(() => (this.wantKeyframe = true));
    return () => {
      stopListening();
      this.senders.delete(sender);
    };
  }

  get trackCount(): number {
    return this.senders.size;
  }

  async write(frame: Frame): Promise<void> {
    if (this.senders.size === 0) return;
    const keyframe = this.wantKeyframe;
    this.wantKeyframe = false;
    const start = nowNs();
    const encoded = await this.encoder.encode(frame, keyframe);
    this.encodeNs += nowNs() - start;
    // 90 kHz from when the frame entered the server: receivers see the server's own frame timing.
    const timestamp = Math.round((frame.captureNs / 1e6) * 90) >>> 0;
    for (const vp8 of encoded) {
      const packets = packetizeVp8(vp8.data, this.pictureId);
      this.pictureId = (this.pictureId + 1) & 0x7fff;
      for (const sender of this.senders) sender.send(packets, timestamp);
      this.framesEncoded++;
    }
  }

  stats(): SenderStats {
    return {
      framesEncoded: this.framesEncoded,
      encodeMeanMs: this.framesEncoded > 0 ? this.encodeNs / this.framesEncoded / 1e6 : null,
      packetSendDelayMeanMs: 0,
      frameWidth: null,
    };
  }

  async close(): Promise<void> {
    this.senders.clear();
    this.encoder[Symbol.dispose]();
  }
}

/**
 * The publisher's video from a werift track: packets put back together into VP8 frames the moment the last one
 * arrives (no jitter buffer), decoded at once, handed on as pooled I420 frames stamped with that moment. A lost
 * packet asks the sender for a keyframe. Oversized pictures end `open()` with a message, as TrackSource does.
 */
export class DirectVideoSource implements FrameSource {
  readonly name: string;
  private push: PushSource | null = null;
  private readonly assembler = new Vp8Assembler();
  private readonly decoder = new Vp8Decoder();
  private decoding: Promise<void> = Promise.resolve();
  private readonly firstPicture = new FirstPicture();
  private seq = 0;
  private firstNs = 0;
  private lastAskNs = 0;
  private gatherNs = 0;
  private decodeNs = 0;
  private closed = false;
  private remote: WeriftTrack | null = null;
  /** True after a refused frame (oversized, or the decoder behind): frames are dropped until a keyframe. */
  private refusing = false;
  /** Frames received and not decoded yet. */
  private waiting = 0;
  /** Frames dropped undecoded: too many waited for the decoder, or they depend on a frame that was refused. */
  refused = 0;
  received = 0;
  decoded = 0;
  oversized = 0;
  lastPictureNs = 0;

  /** `track` resolves when the remote track starts; `requestKeyframe` asks its sender for a keyframe. */
  constructor(
    private readonly track: Promise<WeriftTrack>,
    private readonly requestKeyframe: (track: WeriftTrack) => void,
    private readonly options: { maxPixels?: number; firstFrameTimeoutMs?: number; name?: string } = {},
  ) {
    this.name = options.name ?? 'webrtc-in';
  }

  get outstanding(): number {
    return this.decoder.outstanding;
  }

  async open(): Promise<SourceInfo> {
    const limitMs = this.options.firstFrameTimeoutMs ?? 10_000;
    void this.track.then((track) => {
      this.remote = track;
      track.onReceiveRtp.subscribe((rtp) => this.onPacket(rtp));
      this.requestKeyframe(track);
    });
    return this.firstPicture.wait(limitMs);
  }

  private onPacket(rtp: RtpPacket): void {
    if (this.closed) return;
    const now = nowNs();
    const frame = this.assembler.push(rtp.header.sequenceNumber, rtp.header.timestamp, rtp.header.marker, rtp.payload, now);
    if (this.assembler.needKeyframe) this.askForKeyframe(now);
    if (!frame) return;
    this.received++;
    this.gatherNs += frame.lastNs - frame.firstNs;
    // A keyframe says its size: refuse an oversized picture before the decoder allocates it.
    const size = frame.keyframe ? vp8KeyframeSize(frame.data) : null;
    const maxPixels = this.options.maxPixels ?? 3840 * 2160;
    if (size && size.width * size.height > maxPixels) {
      this.tooLarge(size.width, size.height, maxPixels);
      return;
    }
    if (this.refusing && !frame.keyframe) {
      this.refused++;
      return;
    }
    this.refusing = false;
    // A sender faster than this decoder: rather than queue without end (memory, and latency that only grows), drop
    // what waits and start again from a keyframe (the frames in between refer to the dropped ones).
    if (this.waiting >= MAX_WAITING_FRAMES) {
      this.refused++;
      this.refusing = true;
      this.askForKeyframe(now);
      return;
    }
    // Decode in arrival order, one at a time.
    this.waiting++;
    this.decoding = this.decoding
      .then(() => this.decode(frame.data, frame.lastNs))
      .catch(() => undefined)
      .finally(() => this.waiting--);
  }

  /** Ask the sender for a keyframe, at most every 200 ms (the answer takes a round trip and an encode). */
  private askForKeyframe(now: number): void {
    if (!this.remote || now - this.lastAskNs <= 200e6) return;
    this.lastAskNs = now;
    this.requestKeyframe(this.remote);
  }

  private async decode(data: Buffer, arrivedNs: number): Promise<void> {
    if (this.closed) return;
    const start = nowNs();
    const frame = await this.decoder.decode(data);
    this.decodeNs += nowNs() - start;
    if (!frame) return;
    this.decoded++;
    this.lastPictureNs = arrivedNs;
    if (!this.push) {
      const info: SourceInfo = { width: frame.width, height: frame.height, format: 'i420', fps: 30, paced: true, description: 'WebRTC track (direct, VP8)' };
      this.push = new PushSource(info, { name: this.name });
      this.firstPicture.arrived(info);
    }
    frame.seq = this.seq++;
    frame.captureNs = arrivedNs;
    frame.ptsUs = Math.round((arrivedNs - (this.firstNs ||= arrivedNs)) / 1000);
    this.push.push(frame);
  }

  /** Count and refuse an oversized picture (and what depends on it, until a keyframe of an allowed size). */
  private tooLarge(width: number, height: number, maxPixels: number): void {
    this.oversized++;
    this.refusing = true;
    this.firstPicture.fail(
      new FramewiseError(
        'invalid-argument',
        `the sender's video is ${width}x${height}, over this receiver's limit of ${maxPixels} pixels: send a smaller resolution`,
      ),
    );
  }

  read(): Promise<Frame | null> {
    return this.push ? this.push.read() : Promise.resolve(null);
  }

  stats(): ReceiverStats {
    return {
      framesReceived: this.received,
      framesDecoded: this.decoded,
      framesDropped: this.assembler.lost + this.oversized + this.refused,
      jitterBufferEmitted: this.received,
      // No jitter buffer: what a frame waits is the time its packets take to arrive.
      jitterBufferDelayMeanMs: this.received > 0 ? this.gatherNs / this.received / 1e6 : null,
      decodeMeanMs: this.decoded > 0 ? this.decodeNs / this.decoded / 1e6 : null,
      freezeCount: null,
      totalFreezesDurationS: null,
      packetsLost: 0,
      nackCount: 0,
      codec: 'video/VP8',
      frameWidth: null,
      frameHeight: null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.firstPicture.fail(new FramewiseError('invalid-state', 'the WebRTC track source was closed before any video arrived'));
    await this.decoding;
    await this.push?.close();
    this.decoder[Symbol.dispose]();
  }
}

/**
 * The bitrate (kbit/s) the publisher's sender starts from (libwebrtc's `x-google-start-bitrate`). Chromium otherwise
 * starts near 300 kbit/s and, with only werift's receiver reports to go on (no bandwidth probing), climbs a few percent
 * a second: 200-550 kbit/s over its first 12 s here, against 1.6 Mbit/s on the libwebrtc transport. Told to start
 * at 1.5 Mbit/s it sends 1.4-1.7 Mbit/s from the first seconds, and its loss-based control still backs off on loss.
 */
export const START_BITRATE_KBPS = 1500;

/** `sdp` with libwebrtc's start-bitrate format parameter on each VP8 payload type (added to its fmtp line, or a new one). */
export function withStartBitrate(sdp: string, kbps: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const out: string[] = [];
  const vp8 = new Set(lines.flatMap((l) => /^a=rtpmap:(\d+) VP8\/90000/i.exec(l)?.[1] ?? []));
  for (const line of lines) {
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp && vp8.has(fmtp[1] as string)) {
      out.push(`${line};x-google-start-bitrate=${kbps}`);
      vp8.delete(fmtp[1] as string);
      continue;
    }
    out.push(line);
    const rtpmap = /^a=rtpmap:(\d+) VP8\/90000/i.exec(line);
    if (rtpmap && !lines.some((l) => l.startsWith(`a=fmtp:${rtpmap[1]} `))) {
      out.push(`a=fmtp:${rtpmap[1]} x-google-start-bitrate=${kbps}`);
      vp8.delete(rtpmap[1] as string);
    }
  }
  return out.join(eol);
}

/** What `DirectPeer` answers with. */
export interface DirectPeerOptions {
  /** Extra host addresses for ICE candidates (default loopback, which werift leaves out otherwise). */
  hostAddresses?: string[];
}

/**
 * A WebRTC peer connection in TypeScript (werift) that carries VP8 itself: no jitter buffer, no pacer and the
 * playout-delay extension on what it sends, so neither end holds frames back. The server's low-latency transport.
 */
export class DirectPeer implements ConnectionLike {
  readonly pc: RTCPeerConnection;
  private readonly transceiver: RTCRtpTransceiver;
  private readonly track: Promise<WeriftTrack>;
  onconnectionstatechange: (() => void) | null = null;
  /** Data channels the remote peer opened. */
  ondatachannel: ((channel: ChannelLike) => void) | null = null;

  constructor(direction: 'sendrecv' | 'sendonly', options: DirectPeerOptions = {}) {
    this.pc = new RTCPeerConnection({
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90000,
            payloadType: 96,
            // transport-cc: werift reports when each packet arrived, so the publisher's congestion control can raise
            // its bitrate (without it a browser stays near its start bitrate, a few hundred kbit/s).
            rtcpFeedback: [
              { type: 'nack', parameter: 'pli' },
              { type: 'ccm', parameter: 'fir' },
            ],
          }),
        ],
      },
      headerExtensions: {
        video: [useSdesMid(), useAbsSendTime(), new RTCRtpHeaderExtensionParameters({ id: 12, uri: PLAYOUT_DELAY_URI })],
      },
      iceServers: [],
      iceAdditionalHostAddresses: options.hostAddresses ?? ['127.0.0.1'],
    });
    this.transceiver = this.pc.addTransceiver('video', { direction });
    // werift announces the remote track while the offer is applied: listen from the start.
    this.track = this.transceiver.onTrack.asPromise().then(([track]) => track);
    this.track.catch(() => undefined);
    this.pc.connectionStateChange.subscribe(() => this.onconnectionstatechange?.());
    this.pc.onDataChannel.subscribe((channel) =>
      this.ondatachannel?.({
        label: channel.label,
        get readyState() {
          return channel.readyState;
        },
        get bufferedAmount() {
          return channel.bufferedAmount;
        },
        send: (data) => channel.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
        close: () => channel.close(),
      }),
    );
  }

  get connectionState(): string {
    return this.pc.connectionState;
  }

  /** Apply the remote offer and return the answer with its candidates. */
  async answer(offerSdp: string): Promise<string> {
    if (!/^a=rtpmap:\d+ VP8\/90000/im.test(offerSdp))
      throw new FramewiseError('invalid-argument', 'the offer has no VP8: this transport carries VP8 only (offer VP8, or use the libwebrtc transport)');
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    // werift falls back to a public STUN server when none is configured, and waits up to 5 s for it while gathering:
    // a server answers with its own addresses only, and sends nothing to a third party.
    for (const transport of this.pc.iceTransports) transport.connection.stunServer = undefined;
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new FramewiseError('invalid-state', 'the peer connection gave no answer');
    if (!/^m=video /m.test(sdp)) throw new FramewiseError('invalid-argument', 'malformed SDP offer: no video section to answer');
    return withStartBitrate(sdp, START_BITRATE_KBPS);
  }

  /** The remote video track, once media starts. */
  remoteTrack(): Promise<WeriftTrack> {
    return this.track;
  }

  /** Ask the remote sender for a keyframe. */
  requestKeyframe(track: WeriftTrack): void {
    if (track.ssrc) void this.transceiver.receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
  }

  /** The sender of this peer's video, for DirectVideoSink (with the negotiated playout-delay id, when the peer took it). */
  sender(): DirectSender {
    const id = this.transceiver.headerExtensions.find((e) => e.uri === PLAYOUT_DELAY_URI)?.id;
    return new DirectSender(this.transceiver, id);
  }

  close(): void {
    void this.pc.close().catch(() => undefined);
  }
}
