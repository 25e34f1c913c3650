import { FramewiseError } from '../../core/errors.ts';
import type { Frame } from '../../core/frame.ts';
import { endResource, type HttpSignalingOptions, negotiate } from './http-signaling.ts';
import { type ReceiverStats, receiverStats } from './receiver-stats.ts';
import { TrackSink } from './track-sink.ts';
import { TrackSource } from './track-source.ts';
import { type PeerConnection, wrtc } from './wrtc.ts';

/** Options of a WHIP publisher. */
export interface PublishOptions extends HttpSignalingOptions {
  /** Also receive video on the same connection (what the server sends back). Default true. */
  receive?: boolean;
}

/**
 * A WebRTC client in Node signalled over HTTP: a WHIP publisher (`publish`: sends frames, and receives what the
 * endpoint returns on the same connection) or a WHEP viewer (`view`: receives only). Used by the probe, the tests
 * and the benchmarks.
 */
export class WebRtcClient {
  /** The video the endpoint sends (null when not receiving). Read it like any FrameSource. */
  readonly received: TrackSource | null;
  /** The session resource (from Location), deleted on close. */
  readonly resourceUrl: string;
  /** The headers of the endpoint's answer. */
  readonly answerHeaders: Headers;
  private readonly pc: PeerConnection;
  private readonly sink: TrackSink | null;
  private readonly options: HttpSignalingOptions;
  private closing: Promise<void> | null = null;

  private constructor(
    pc: PeerConnection,
    sink: TrackSink | null,
    received: TrackSource | null,
    answer: { resourceUrl: string; headers: Headers },
    options: HttpSignalingOptions,
  ) {
    this.pc = pc;
    this.sink = sink;
    this.received = received;
    this.resourceUrl = answer.resourceUrl;
    this.answerHeaders = answer.headers;
    this.options = options;
  }

  /** WHIP: offer to send video (and receive, unless `receive: false`); throws with the server's message on refusal. */
  static publish(endpointUrl: string, options: PublishOptions = {}): Promise<WebRtcClient> {
    return WebRtcClient.connect(endpointUrl, true, options.receive ?? true, options);
  }

  /** WHEP: offer to receive video only. */
  static view(endpointUrl: string, options: HttpSignalingOptions = {}): Promise<WebRtcClient> {
    return WebRtcClient.connect(endpointUrl, false, true, options);
  }

  private static async connect(endpointUrl: string, send: boolean, receive: boolean, options: HttpSignalingOptions): Promise<WebRtcClient> {
    const pc = new (wrtc().RTCPeerConnection)();
    const sink = send ? new TrackSink('webrtc-out') : null;
    try {
      const transceiver = pc.addTransceiver(sink ? sink.createTrack() : 'video', { direction: send ? (receive ? 'sendrecv' : 'sendonly') : 'recvonly' });
      const received = receive ? new TrackSource(transceiver.receiver.track, { name: 'webrtc-in' }) : null;
      const answer = await negotiate(pc, endpointUrl, options);
      return new WebRtcClient(pc, sink, received, answer, options);
    } catch (err) {
      await sink?.close();
      pc.close();
      throw err;
    }
  }

  /** Send one frame (i420 or rgba); libwebrtc copies it. */
  send(frame: Frame): void {
    if (!this.sink) throw new FramewiseError('invalid-state', 'this client only receives (WHEP): publish with WebRtcClient.publish to send');
    this.sink.write(frame);
  }

  /** Connection state, for waiting on 'connected' or noticing a failure. */
  get connectionState(): PeerConnection['connectionState'] {
    return this.pc.connectionState;
  }

  /** The receiver's stats of the incoming video. */
  stats(): Promise<ReceiverStats | null> {
    return receiverStats(this.pc);
  }

  /** DELETE the session (unless `leaveSilently`, which imitates a closed tab) and release everything. Safe twice. */
  close(options: { leaveSilently?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      if (!options.leaveSilently) await endResource(this.resourceUrl, this.options);
      await this.received?.close();
      await this.sink?.close();
      this.pc.close();
    })();
    return this.closing;
  }
}
