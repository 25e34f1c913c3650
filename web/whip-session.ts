/** The server refused the offer: its status (503 when full, 401 for a token...), and when to try again. */
export class WhipRefused extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterS: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'WhipRefused';
  }
}

/** A browser WHIP session: publishes a track and receives the processed video back on the same connection. */
export class WhipSession {
  readonly pc = new RTCPeerConnection();
  /**
   * Where the server sends the avatar's parameters (when the effect is `avatar`): unordered and without retransmits,
   * since only the newest frame's parameters matter.
   */
  readonly avatarChannel = this.pc.createDataChannel('avatar', { ordered: false, maxRetransmits: 0 });
  /** The processed video, once the server's track arrives. */
  readonly remote: Promise<MediaStream>;
  resourceUrl: string | null = null;

  constructor(
    private readonly endpoint: string,
    private readonly token: string | null,
    /** Ask the browser to hold the processed video as briefly as it can (default true). */
    lowLatency = true,
  ) {
    this.remote = new Promise((resolve) => {
      this.pc.ontrack = (event) => {
        if (lowLatency) holdBriefly(event.receiver);
        resolve(event.streams[0] ?? new MediaStream([event.track]));
      };
    });
  }

  /** The receive jitter buffer's target the browser was asked for, ms (null: the browser's default). */
  get jitterTargetMs(): number | null {
    const receiver = this.pc.getReceivers().find((r) => r.track.kind === 'video');
    return receiver && 'jitterBufferTarget' in receiver ? receiver.jitterBufferTarget : null;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  /** Offer `track` (sendrecv), wait for ICE gathering so the offer carries every candidate, POST it, apply the answer. */
  async start(track: MediaStreamTrack): Promise<void> {
    this.pc.addTransceiver(track, { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await new Promise<void>((resolve) => {
      if (this.pc.iceGatheringState === 'complete') return resolve();
      const timer = setTimeout(resolve, 3000);
      this.pc.addEventListener('icegatheringstatechange', () => {
        if (this.pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/sdp' }),
      body: this.pc.localDescription?.sdp ?? '',
    });
    const body = await response.text();
    if (response.status !== 201) {
      const retry = response.headers.get('retry-after');
      throw new WhipRefused(response.status, retry === null ? null : Number(retry), body.trim() || `the server answered ${response.status}`);
    }
    this.resourceUrl = new URL(response.headers.get('location') ?? '', this.endpoint).toString();
    await this.pc.setRemoteDescription({ type: 'answer', sdp: body });
  }

  /** The session id (last path segment of the resource URL). */
  get id(): string | null {
    return this.resourceUrl?.split('/').pop() ?? null;
  }

  /** End the session: DELETE (kept alive through page unload) and close the connection. */
  stop(): void {
    if (this.resourceUrl) void fetch(this.resourceUrl, { method: 'DELETE', headers: this.headers(), keepalive: true }).catch(() => undefined);
    this.resourceUrl = null;
    this.pc.close();
  }
}

/** RTCRtpReceiver's latency hints: `jitterBufferTarget` (standard, ms), `playoutDelayHint` (Chromium's older one, s). */
interface LowLatencyReceiver extends RTCRtpReceiver {
  playoutDelayHint?: number | null;
}

/**
 * Ask the receiver to play frames out as soon as they are decoded: a jitter buffer target of 0 (the browser still
 * keeps what its jitter estimate needs). The default target smooths playback for calls across the internet; a
 * processed stream coming back from a nearby server needs no more.
 */
function holdBriefly(receiver: RTCRtpReceiver): void {
  const r: LowLatencyReceiver = receiver;
  if ('jitterBufferTarget' in receiver) r.jitterBufferTarget = 0;
  else r.playoutDelayHint = 0;
}
