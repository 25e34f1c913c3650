/** The few WebRTC stats the HUD shows: what the browser sends and what it receives back, and why it limits. */
export interface LinkStats {
  sentFps: number | null;
  sentWidth: number | null;
  /** 'none', 'cpu', 'bandwidth' or 'other': why the browser's encoder sends less than the camera gives. */
  qualityLimitation: string | null;
  receivedFps: number | null;
  framesDropped: number | null;
  jitterBufferMs: number | null;
  /** Mean time this browser takes to encode a frame it sends and to decode one it receives (ms). */
  encodeMeanMs: number | null;
  decodeMeanMs: number | null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function meanMs(totalS: number | null, count: number | null): number | null {
  return totalS !== null && count ? (totalS / count) * 1000 : null;
}

/** Summarise `pc.getStats()` for the video sender and receiver. */
export async function linkStats(pc: RTCPeerConnection): Promise<LinkStats> {
  const report = await pc.getStats();
  let out: Record<string, unknown> | null = null;
  let inbound: Record<string, unknown> | null = null;
  report.forEach((entry: Record<string, unknown>) => {
    if (entry.kind !== 'video') return;
    if (entry.type === 'outbound-rtp') out = entry;
    if (entry.type === 'inbound-rtp') inbound = entry;
  });
  const o = out as Record<string, unknown> | null;
  const i = inbound as Record<string, unknown> | null;
  const emitted = num(i?.jitterBufferEmittedCount);
  const delay = num(i?.jitterBufferDelay);
  return {
    sentFps: num(o?.framesPerSecond),
    sentWidth: num(o?.frameWidth),
    qualityLimitation: typeof o?.qualityLimitationReason === 'string' ? o.qualityLimitationReason : null,
    receivedFps: num(i?.framesPerSecond),
    framesDropped: num(i?.framesDropped),
    jitterBufferMs: emitted && delay !== null ? (delay / emitted) * 1000 : null,
    encodeMeanMs: meanMs(num(o?.totalEncodeTime), num(o?.framesEncoded)),
    decodeMeanMs: meanMs(num(i?.totalDecodeTime), num(i?.framesDecoded)),
  };
}
