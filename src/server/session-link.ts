import type { FrameSink } from '../core/sink.ts';
import type { FrameSource } from '../core/source.ts';
import type { ChannelLike, ConnectionLike } from '../io/webrtc/peer.ts';
import type { ReceiverStats, SenderStats } from '../io/webrtc/receiver-stats.ts';

/** Which WebRTC stack carries a live session. */
export type Transport = 'libwebrtc' | 'direct';

/** The publisher's video as a live frame source, with what the watchdog and the leak checks read. */
export type LinkSource = FrameSource & { readonly lastPictureNs: number; readonly outstanding: number };

/** A WHEP viewer's connection. */
export interface ViewerLink {
  answerSdp: string;
  connection: ConnectionLike;
  remove(): void;
}

/**
 * A live session's WebRTC side: the publisher's connection (its video in, the processed video back on the same
 * connection), the page's data channel, WHEP viewers, and the link's own stats. `libwebrtc` (Google's stack through
 * @roamhq/wrtc) or `direct` (werift, carrying VP8 itself with no jitter buffer or pacer).
 */
export interface SessionLink {
  readonly transport: Transport;
  readonly source: LinkSource;
  readonly sink: FrameSink & { readonly trackCount: number };
  /** The publisher's connection, for watching its state. */
  readonly connection: ConnectionLike;
  /** Answer the publisher's offer; data channels the page opens are handed to `onChannel`. */
  negotiate(offerSdp: string, onChannel: (channel: ChannelLike) => void): Promise<string>;
  /** Answer a WHEP viewer's offer with the processed video. */
  addViewer(offerSdp: string): Promise<ViewerLink>;
  stats(): Promise<{ receiver: ReceiverStats | null; sender: SenderStats | null }>;
  close(): Promise<void>;
}
