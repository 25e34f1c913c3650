import { FramewiseError } from '../core/errors.ts';
import { DirectPeer, DirectVideoSink, DirectVideoSource } from '../io/webrtc/direct-peer.ts';
import type { ChannelLike } from '../io/webrtc/peer.ts';
import type { ReceiverStats, SenderStats } from '../io/webrtc/receiver-stats.ts';
import type { LinkSource, SessionLink, ViewerLink } from './session-link.ts';

/**
 * A session over werift, carrying VP8 itself: the publisher's frames are decoded the moment their last packet
 * arrives, the processed frames are encoded once (libvpx, real time) and their packets sent at once to the
 * publisher and every viewer, marked for immediate playout. No jitter buffer, no pacer, VP8 only; no congestion
 * control beyond keyframes on loss: for loopback, LAN and other links with headroom.
 */
export class DirectLink implements SessionLink {
  readonly transport = 'direct' as const;
  readonly connection: DirectPeer;
  readonly sink: DirectVideoSink;
  private directSource: DirectVideoSource | null = null;
  private readonly viewers = new Set<DirectPeer>();

  constructor(
    name: string,
    private readonly maxPixels: number,
  ) {
    this.connection = new DirectPeer('sendrecv');
    this.sink = new DirectVideoSink(name);
  }

  get source(): LinkSource {
    if (!this.directSource) throw new FramewiseError('invalid-state', 'the session has not negotiated yet');
    return this.directSource;
  }

  async negotiate(offerSdp: string, onChannel: (channel: ChannelLike) => void): Promise<string> {
    const peer = this.connection;
    peer.ondatachannel = onChannel;
    const answer = await peer.answer(offerSdp);
    this.directSource = new DirectVideoSource(peer.remoteTrack(), (track) => peer.requestKeyframe(track), { maxPixels: this.maxPixels });
    this.sink.add(peer.sender());
    return answer;
  }

  async addViewer(offerSdp: string): Promise<ViewerLink> {
    const peer = new DirectPeer('sendonly');
    try {
      const answerSdp = await peer.answer(offerSdp);
      const stop = this.sink.add(peer.sender());
      this.viewers.add(peer);
      return {
        answerSdp,
        connection: peer,
        remove: () => {
          stop();
          this.viewers.delete(peer);
          peer.close();
        },
      };
    } catch (err) {
      peer.close();
      throw err;
    }
  }

  async stats(): Promise<{ receiver: ReceiverStats | null; sender: SenderStats | null }> {
    return { receiver: this.directSource?.stats() ?? null, sender: this.sink.stats() };
  }

  async close(): Promise<void> {
    for (const viewer of this.viewers) viewer.close();
    this.viewers.clear();
    await this.sink.close();
    this.connection.close();
  }
}
