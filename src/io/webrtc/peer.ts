import { FramewiseError } from '../../core/errors.ts';
import type { PeerConnection, SessionDescription } from './wrtc.ts';

/**
 * Wait until `pc` has gathered its ICE candidates and return its local description with them inlined. WHIP and
 * WHEP here exchange one offer and one answer (no trickle), so the SDP must carry every candidate. After
 * `timeoutMs` the candidates found so far are used.
 */
export async function gatheredDescription(pc: PeerConnection, timeoutMs = 3000): Promise<SessionDescription> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
      function done(): void {
        clearTimeout(timer);
        pc.onicegatheringstatechange = null;
        resolve();
      }
    });
  }
  const description = pc.localDescription;
  if (!description) throw new FramewiseError('invalid-state', 'the peer connection has no local description: create the offer or answer first');
  return description;
}

/** Apply a remote offer and return the gathered answer. */
export async function answerOffer(pc: PeerConnection, offerSdp: string): Promise<string> {
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  await pc.setLocalDescription(await pc.createAnswer());
  return (await gatheredDescription(pc)).sdp;
}

/** Create an offer, apply it locally and return it with its candidates. */
export async function gatheredOffer(pc: PeerConnection): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  return (await gatheredDescription(pc)).sdp;
}

/** What `watchConnection` needs of a peer connection (libwebrtc's, or werift's through DirectPeer). */
export interface ConnectionLike {
  readonly connectionState: string;
  onconnectionstatechange: (() => void) | null;
}

/** A data channel as a session uses it (libwebrtc's or werift's). */
export interface ChannelLike {
  readonly label: string;
  readonly readyState: string;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(): void;
}

/** Options of `watchConnection`. */
export interface ConnectionWatchOptions {
  /** How long a 'disconnected' connection may take to come back before it counts as gone (default 5 s). */
  disconnectGraceMs?: number;
  /** A connection not 'connected' (ICE and DTLS done) this long after the watch starts is gone (default: no limit). */
  connectTimeoutMs?: number;
  /** Called once when the connection first reaches 'connected'. */
  onConnected?: () => void;
}

/**
 * Call `onGone(reason)` once when the connection fails, closes, or stays disconnected longer than the grace period
 * (a browser tab closed without saying goodbye). Returns a function that stops watching.
 */
export function watchConnection(pc: ConnectionLike, onGone: (reason: string) => void, options: ConnectionWatchOptions = {}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let connectTimer: NodeJS.Timeout | undefined;
  let gone = false;
  let connected = false;
  const finish = (reason: string): void => {
    if (gone) return;
    gone = true;
    clearTimeout(timer);
    clearTimeout(connectTimer);
    pc.onconnectionstatechange = null;
    onGone(reason);
  };
  const limitMs = options.connectTimeoutMs;
  if (limitMs !== undefined) {
    connectTimer = setTimeout(() => finish(`never connected: ICE and DTLS did not complete within ${limitMs / 1000} s`), limitMs);
    connectTimer.unref();
  }
  pc.onconnectionstatechange = () => {
    const state = pc.connectionState;
    if (state === 'connected' && !connected) {
      connected = true;
      clearTimeout(connectTimer);
      options.onConnected?.();
    }
    if (state === 'failed' || state === 'closed') finish(`connection ${state}`);
    else if (state === 'disconnected') {
      clearTimeout(timer);
      timer = setTimeout(() => finish('connection lost'), options.disconnectGraceMs ?? 5000);
    } else clearTimeout(timer);
  };
  return () => {
    gone = true;
    clearTimeout(timer);
    clearTimeout(connectTimer);
    pc.onconnectionstatechange = null;
  };
}
