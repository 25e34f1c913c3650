import { FramewiseError } from '../core/errors.ts';
import { answerOffer, type ChannelLike } from '../io/webrtc/peer.ts';
import { receiverStats, senderStats } from '../io/webrtc/receiver-stats.ts';
import { TrackSink } from '../io/webrtc/track-sink.ts';
import { TrackSource } from '../io/webrtc/track-source.ts';
import { type PeerConnection, wrtc } from '../io/webrtc/wrtc.ts';
import type { LinkSource, SessionLink, ViewerLink } from './session-link.ts';

/** The video transceiver of `pc` after the remote offer, or a 400-worthy error. */
function videoTransceiver(pc: PeerConnection): ReturnType<PeerConnection['getTransceivers']>[number] {
  const transceiver = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video');
  if (!transceiver) throw new FramewiseError('invalid-argument', 'malformed SDP offer: no video transceiver could be created from it');
  return transceiver;
}

/** A session over libwebrtc (@roamhq/wrtc): its jitter buffer, pacer, congestion control and codecs. */
export class LibwebrtcLink implements SessionLink {
  readonly transport = 'libwebrtc' as const;
  readonly connection: PeerConnection;
  readonly sink: TrackSink;
  private trackSource: TrackSource | null = null;

  constructor(
    name: string,
    private readonly maxPixels: number,
  ) {
    this.connection = new (wrtc().RTCPeerConnection)();
    this.sink = new TrackSink(name);
  }

  get source(): LinkSource {
    if (!this.trackSource) throw new FramewiseError('invalid-state', 'the session has not negotiated yet');
    return this.trackSource;
  }

  async negotiate(offerSdp: string, onChannel: (channel: ChannelLike) => void): Promise<string> {
    const pc = this.connection;
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    const transceiver = videoTransceiver(pc);
    // Processed video goes back on the same m= line when the publisher can receive (sendrecv).
    if (transceiver.direction === 'sendrecv' || transceiver.direction === 'recvonly') {
      await transceiver.sender.replaceTrack(this.sink.createTrack());
      transceiver.direction = 'sendrecv';
    }
    this.trackSource = new TrackSource(transceiver.receiver.track, { name: 'webrtc-in', maxPixels: this.maxPixels });
    pc.ondatachannel = ({ channel }) => onChannel(channel);
    return answerOffer(pc, offerSdp);
  }

  async addViewer(offerSdp: string): Promise<ViewerLink> {
    const pc = new (wrtc().RTCPeerConnection)();
    const track = this.sink.createTrack();
    const remove = (): void => {
      this.sink.stopTrack(track);
      pc.close();
    };
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      const transceiver = videoTransceiver(pc);
      await transceiver.sender.replaceTrack(track);
      transceiver.direction = 'sendonly';
      return { answerSdp: await answerOffer(pc, offerSdp), connection: pc, remove };
    } catch (err) {
      remove();
      throw err;
    }
  }

  async stats(): Promise<{ receiver: Awaited<ReturnType<typeof receiverStats>>; sender: Awaited<ReturnType<typeof senderStats>> }> {
    const [receiver, sender] = await Promise.all([receiverStats(this.connection), senderStats(this.connection)]);
    return { receiver, sender };
  }

  async close(): Promise<void> {
    await this.sink.close();
    this.connection.close();
  }
}
