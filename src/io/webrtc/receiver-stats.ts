import type { PeerConnection, StatsEntry } from './wrtc.ts';

/** What the receiving side of a WebRTC video stream says about it (the inbound-rtp stats of the video track). */
export interface ReceiverStats {
  framesReceived: number;
  framesDecoded: number;
  framesDropped: number;
  /** Frames the jitter buffer held, and the mean time each waited there (ms). */
  jitterBufferEmitted: number;
  jitterBufferDelayMeanMs: number | null;
  /** Mean time to decode a frame (ms). */
  decodeMeanMs: number | null;
  /** Freezes as libwebrtc counts them; null when this libwebrtc does not report them. */
  freezeCount: number | null;
  totalFreezesDurationS: number | null;
  packetsLost: number;
  nackCount: number;
  codec: string | null;
  frameWidth: number | null;
  frameHeight: number | null;
}

function num(entry: StatsEntry, field: string): number | null {
  const value = entry[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `total` (seconds) per `count`, in ms; null when either is missing or nothing was counted. */
function meanMs(entry: StatsEntry, total: string, count: string): number | null {
  const t = num(entry, total);
  const n = num(entry, count);
  return t !== null && n !== null && n > 0 ? (t / n) * 1000 : null;
}

/** What the sending side of a WebRTC video stream says about it (outbound-rtp of the video track). */
export interface SenderStats {
  framesEncoded: number;
  /** Mean time to encode a frame (ms). */
  encodeMeanMs: number | null;
  /** Mean time a frame's packets waited in the pacer before going out (ms). */
  packetSendDelayMeanMs: number | null;
  frameWidth: number | null;
}

/** Read the video sender's stats from `pc`; null when it sends no video. */
export async function senderStats(pc: PeerConnection): Promise<SenderStats | null> {
  const report = await pc.getStats();
  const outbound = [...report.values()].find((e) => e.type === 'outbound-rtp' && (e.kind === 'video' || e.mediaType === 'video'));
  if (!outbound) return null;
  return {
    framesEncoded: num(outbound, 'framesEncoded') ?? 0,
    encodeMeanMs: meanMs(outbound, 'totalEncodeTime', 'framesEncoded'),
    packetSendDelayMeanMs: meanMs(outbound, 'totalPacketSendDelay', 'packetsSent'),
    frameWidth: num(outbound, 'frameWidth'),
  };
}

/** Read the video receiver's stats from `pc`; null when it receives no video. */
export async function receiverStats(pc: PeerConnection): Promise<ReceiverStats | null> {
  const report = await pc.getStats();
  const entries = [...report.values()];
  const inbound = entries.find((e) => e.type === 'inbound-rtp' && (e.kind === 'video' || e.mediaType === 'video'));
  if (!inbound) return null;
  const codecEntry = typeof inbound.codecId === 'string' ? report.get(inbound.codecId) : undefined;
  const emitted = num(inbound, 'jitterBufferEmittedCount') ?? 0;
  const delayS = num(inbound, 'jitterBufferDelay');
  return {
    framesReceived: num(inbound, 'framesReceived') ?? 0,
    framesDecoded: num(inbound, 'framesDecoded') ?? 0,
    framesDropped: num(inbound, 'framesDropped') ?? 0,
    jitterBufferEmitted: emitted,
    jitterBufferDelayMeanMs: delayS !== null && emitted > 0 ? (delayS / emitted) * 1000 : null,
    decodeMeanMs: meanMs(inbound, 'totalDecodeTime', 'framesDecoded'),
    freezeCount: num(inbound, 'freezeCount'),
    totalFreezesDurationS: num(inbound, 'totalFreezesDuration'),
    packetsLost: num(inbound, 'packetsLost') ?? 0,
    nackCount: num(inbound, 'nackCount') ?? 0,
    codec: typeof codecEntry?.mimeType === 'string' ? codecEntry.mimeType : null,
    frameWidth: num(inbound, 'frameWidth'),
    frameHeight: num(inbound, 'frameHeight'),
  };
}
