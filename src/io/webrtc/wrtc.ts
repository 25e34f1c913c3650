import { createRequire } from 'node:module';

/**
 * Typed view of the parts of @roamhq/wrtc (libwebrtc for Node) that Framewise uses. The package's own typings
 * point at the DOM's globals, which a Node project does not load, so they would silently be `any`.
 */

/** An SDP offer or answer. */
export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

/** A libwebrtc media track. */
export interface MediaTrack {
  readonly id: string;
  readonly kind: string;
  readonly readyState: 'live' | 'ended';
  stop(): void;
}

/** A transceiver (one m= line). */
export interface Transceiver {
  readonly mid: string | null;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  readonly receiver: { readonly track: MediaTrack };
  readonly sender: { readonly track: MediaTrack | null; replaceTrack(track: MediaTrack | null): Promise<void> };
}

/** One entry of `getStats()`: what every stats object has plus whatever its type adds. */
export interface StatsEntry {
  readonly id: string;
  readonly type: string;
  readonly timestamp: number;
  readonly [field: string]: string | number | boolean | undefined;
}

/** An RTCDataChannel, as far as Framewise sends on it. */
export interface DataChannel {
  readonly label: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  /** Bytes queued and not sent yet. */
  readonly bufferedAmount: number;
  send(data: Uint8Array | string): void;
  close(): void;
}

/** Options of `new RTCPeerConnection()` used here. */
export interface PeerConnectionConfig {
  iceServers?: { urls: string | string[] }[];
}

/** The subset of RTCPeerConnection Framewise drives. */
export interface PeerConnection {
  readonly connectionState: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
  readonly iceGatheringState: 'new' | 'gathering' | 'complete';
  readonly localDescription: SessionDescription | null;
  onconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  ontrack: ((event: { track: MediaTrack; transceiver: Transceiver }) => void) | null;
  ondatachannel: ((event: { channel: DataChannel }) => void) | null;
  createDataChannel(label: string, init?: { ordered?: boolean; maxRetransmits?: number }): DataChannel;
  addTransceiver(trackOrKind: MediaTrack | 'video' | 'audio', init?: { direction?: Transceiver['direction'] }): Transceiver;
  getTransceivers(): Transceiver[];
  createOffer(): Promise<SessionDescription>;
  createAnswer(): Promise<SessionDescription>;
  setLocalDescription(description: SessionDescription): Promise<void>;
  setRemoteDescription(description: SessionDescription): Promise<void>;
  getStats(): Promise<Map<string, StatsEntry>>;
  close(): void;
}

/** An I420 picture as libwebrtc hands it over and takes it: planes back to back, no padding. */
export interface I420Picture {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Receives the decoded pictures of a remote track. */
export interface VideoSink {
  onframe: ((event: { frame: I420Picture }) => void) | null;
  stop(): void;
}

/** Feeds pictures into local tracks (each `createTrack()` encodes them for its own peer connection). */
export interface VideoSource {
  createTrack(): MediaTrack;
  onFrame(picture: I420Picture): void;
}

interface WrtcModule {
  RTCPeerConnection: new (config?: PeerConnectionConfig) => PeerConnection;
  nonstandard: {
    RTCVideoSink: new (track: MediaTrack) => VideoSink;
    RTCVideoSource: new (init?: { isScreencast?: boolean }) => VideoSource;
    rgbaToI420(rgba: I420Picture, i420: I420Picture): void;
  };
}

let loaded: WrtcModule | null = null;

/**
 * The native WebRTC module, loaded on first use (only the server and the WebRTC probe pay for it).
 * libwebrtc crashes while Node tears the process down after the event loop empties (seen with 0.10 on Linux:
 * exit status 139 once an RTCVideoSource existed). Exiting explicitly at that point skips the teardown that crashes;
 * the exit code is unchanged.
 */
export function wrtc(): WrtcModule {
  if (!loaded) {
    loaded = createRequire(import.meta.url)('@roamhq/wrtc') as WrtcModule;
    process.once('beforeExit', () => process.exit());
  }
  return loaded;
}
