import { randomUUID } from 'node:crypto';
import { nowNs } from '../core/clock.ts';
import { describeError, FramewiseError } from '../core/errors.ts';
import { FrameIdReader, FrameIdWriter } from '../core/frame-id-stages.ts';
import { Histogram } from '../core/histogram.ts';
import { Pipeline } from '../core/pipeline.ts';
import { live } from '../core/policy.ts';
import type { PipelineStats } from '../core/stats.ts';
import { SwitchableStage } from '../core/switchable-stage.ts';
import type { EffectContext } from '../effects/effect.ts';
import { ViewersFullError } from './session-registry.ts';
import { createEffect } from '../effects/registry.ts';
import { type ChannelLike, watchConnection } from '../io/webrtc/peer.ts';
import type { ReceiverStats, SenderStats } from '../io/webrtc/receiver-stats.ts';
import { checkOffer } from '../io/webrtc/sdp.ts';
import { DirectLink } from './direct-link.ts';
import { LibwebrtcLink } from './libwebrtc-link.ts';
import type { LinkSource, SessionLink, Transport } from './session-link.ts';
import { AVATAR_MESSAGE_BYTES, avatarMessage } from '../avatar/avatar-message.ts';

/** How a live session runs. */
export interface LiveSessionOptions {
  /** Effect spec to start with (see `createEffect`). */
  effect: string;
  /** What the starting effect may use (the operator's default may name local files; a request's may not). */
  effects: EffectContext;
  /** What effects switched to later (over the network) may use. */
  switchEffects: EffectContext;
  /** Live deadline: older frames are dropped (default 100 ms). */
  deadlineMs?: number;
  /** A connection that stays 'disconnected' this long is over (default 5 s). */
  disconnectGraceMs?: number;
  /** Largest picture accepted (width x height); a larger stream ends the session with a message (default 1920x1080). */
  maxPixels?: number;
  /** The session ends when no video has arrived for this long (default 5 s): a closed tab is noticed before ICE gives up. */
  mediaTimeoutMs?: number;
  /** A publisher or viewer whose ICE and DTLS have not completed this long after the answer is dropped (default 5 s). */
  connectTimeoutMs?: number;
  /** WHEP viewers one session may have (default 4). */
  maxViewers?: number;
  /**
   * The WebRTC stack (default `libwebrtc`): `direct` carries VP8 itself with no jitter buffer or pacer and asks the
   * page to show frames at once (tens of ms less glass-to-glass; VP8 only, no congestion control: for links with
   * headroom).
   */
  transport?: Transport;
  /** Called once when the publisher's connection is up. */
  onConnected?: (session: LiveSession) => void;
  /** Each processed frame's server latency (ms), for the server's aggregate metrics. */
  onLatency?: (ms: number) => void;
  /** Each valid glass-to-glass sample (ms) the page reports. */
  onGlassToGlass?: (ms: number) => void;
  /** Called once when the session has ended and released everything. */
  onEnded?: (session: LiveSession, reason: string) => void;
}

/** A WHEP viewer of a session. */
interface Viewer {
  remove: () => void;
  stopWatching: () => void;
}

/** Glass-to-glass figures reported by the sender's page. */
export interface GlassToGlassSummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** What `/sessions` shows of a session. */
export interface LiveSessionInfo {
  id: string;
  effect: string;
  /** The WebRTC stack carrying it. */
  transport: Transport;
  ageS: number;
  viewers: number;
  stats: PipelineStats;
  glassToGlass: GlassToGlassSummary | null;
  lastPictureAgoMs: number | null;
}

const MAX_REPORTED_LATENCY_MS = 60_000;

/**
 * One publisher's live pipeline: frames from its WebRTC track -> effect -> back on the same peer connection and
 * to any WHEP viewers. Ends (releasing pipeline, tracks and peer connections) on `close()`, when the connection
 * fails or is lost, or when the pipeline stops.
 */
export class LiveSession {
  readonly id = randomUUID();
  readonly createdNs = nowNs();
  private readonly glassToGlassUs = new Histogram();
  private readonly link: SessionLink;
  private readonly slot: SwitchableStage;
  private readonly viewers = new Map<string, Viewer>();
  private readonly options: LiveSessionOptions;
  private source: LinkSource | null = null;
  private pipeline: Pipeline | null = null;
  private stopWatching: () => void = () => undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private closing: Promise<void> | null = null;
  private effectSpec: string;
  /** The page's `avatar` data channel, when it opened one: each frame's avatar parameters go there. */
  private avatarChannel: ChannelLike | null = null;
  /** Avatar parameter messages sent on the data channel. */
  avatarMessages = 0;
  /** Why the session ended, once it has. */
  endReason: string | null = null;
  /** True once the publisher's ICE and DTLS have completed. */
  connected = false;

  private constructor(options: LiveSessionOptions) {
    this.options = options;
    this.effectSpec = options.effect;
    this.slot = new SwitchableStage(createEffect(options.effect, options.effects));
    const maxPixels = options.maxPixels ?? 1920 * 1080;
    this.link = options.transport === 'direct' ? new DirectLink(`session ${this.id}`, maxPixels) : new LibwebrtcLink(`session ${this.id}`, maxPixels);
  }

  /** Answer a WHIP offer: the returned session is already processing once media flows. */
  static async accept(offerSdp: string, options: LiveSessionOptions): Promise<{ session: LiveSession; answerSdp: string }> {
    checkOffer(offerSdp, 'send');
    const session = new LiveSession(options);
    try {
      const answerSdp = await session.negotiate(offerSdp);
      return { session, answerSdp };
    } catch (err) {
      await session.close('negotiation failed');
      throw offerRefused(err);
    }
  }

  private async negotiate(offerSdp: string): Promise<string> {
    // A page that wants the avatar's parameters (to draw the character itself) opens a channel named "avatar".
    const answer = await this.link.negotiate(offerSdp, (channel) => {
      if (channel.label === 'avatar' && !this.avatarChannel) this.avatarChannel = channel;
      else channel.close();
    });
    this.source = this.link.source;
    this.stopWatching = watchConnection(this.link.connection, (reason) => void this.close(reason), {
      disconnectGraceMs: this.options.disconnectGraceMs ?? 5000,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 5000,
      onConnected: () => {
        this.connected = true;
        this.options.onConnected?.(this);
      },
    });
    this.startPipeline(this.source);
    this.startWatchdog(this.source);
    return answer;
  }

  /** Which WebRTC stack carries the session. */
  get transport(): Transport {
    return this.link.transport;
  }

  private startPipeline(source: LinkSource): void {
    const pipeline = new Pipeline({
      source,
      stages: [new FrameIdReader(), this.slot, new FrameIdWriter()],
      sink: this.link.sink,
      policy: live({ deadlineMs: this.options.deadlineMs ?? 100 }),
      shutdownTimeoutMs: 3000,
      onFrameOut: (frame) => {
        this.options.onLatency?.((nowNs() - frame.captureNs) / 1e6);
        const params = frame.meta.avatar;
        const channel = this.avatarChannel;
        // Parameters are tiny and only the newest matter: a channel that is backing up skips frames.
        if (params && channel?.readyState === 'open' && channel.bufferedAmount < 16 * AVATAR_MESSAGE_BYTES) {
          channel.send(avatarMessage(params, frame.meta.frameId ?? 0));
          this.avatarMessages++;
        }
      },
    });
    this.pipeline = pipeline;
    pipeline.run().then(
      (result) => void this.close(result.stopped ? 'stopped' : 'stream ended'),
      (err: unknown) => void this.close(`pipeline failed: ${describeError(err)}`),
    );
  }

  private startWatchdog(source: LinkSource): void {
    const limitMs = this.options.mediaTimeoutMs ?? 5000;
    this.watchdog = setInterval(
      () => {
        if (source.lastPictureNs > 0 && nowNs() - source.lastPictureNs > limitMs * 1e6) void this.close(`no video for ${limitMs / 1000} s`);
      },
      Math.min(1000, limitMs / 2),
    );
    this.watchdog.unref();
  }

  /** The effect running now. */
  get effect(): string {
    return this.effectSpec;
  }

  /** Replace the effect without interrupting the stream; an unknown name throws before anything changes. */
  async setEffect(spec: string): Promise<void> {
    const next = createEffect(spec, this.options.switchEffects);
    await this.slot.switchTo(next);
    this.effectSpec = spec;
  }

  /** Add a WHEP viewer: answer its offer with a track of the processed video. Returns the viewer id and answer. */
  async addViewer(offerSdp: string): Promise<{ viewerId: string; answerSdp: string }> {
    if (this.closing) throw new FramewiseError('invalid-state', 'the session has ended');
    checkOffer(offerSdp, 'receive');
    const maxViewers = this.options.maxViewers ?? 4;
    if (this.viewers.size >= maxViewers) throw new ViewersFullError(`session ${this.id} has its limit of ${maxViewers} viewer(s)`, 5);
    const viewerId = randomUUID();
    let viewer: Awaited<ReturnType<SessionLink['addViewer']>>;
    try {
      viewer = await this.link.addViewer(offerSdp);
    } catch (err) {
      throw offerRefused(err);
    }
    // A viewer that never connects (or leaves without a DELETE) is removed, so it holds no peer connection.
    const stopWatching = watchConnection(viewer.connection, () => this.removeViewer(viewerId), {
      disconnectGraceMs: this.options.disconnectGraceMs ?? 5000,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 5000,
    });
    this.viewers.set(viewerId, { remove: () => viewer.remove(), stopWatching });
    return { viewerId, answerSdp: viewer.answerSdp };
  }

  /** End one viewer; false when there is no such viewer. */
  removeViewer(viewerId: string): boolean {
    const viewer = this.viewers.get(viewerId);
    if (!viewer) return false;
    this.viewers.delete(viewerId);
    viewer.stopWatching();
    viewer.remove();
    return true;
  }

  /** Record glass-to-glass samples measured by the sender's page; returns how many were valid. */
  reportGlassToGlass(samplesMs: readonly unknown[]): number {
    let valid = 0;
    for (const sample of samplesMs) {
      if (typeof sample !== 'number' || !Number.isFinite(sample) || sample < 0 || sample > MAX_REPORTED_LATENCY_MS) continue;
      this.options.onGlassToGlass?.(sample);
      this.glassToGlassUs.record(sample * 1000);
      valid++;
    }
    return valid;
  }

  /** WHEP viewers connected now. */
  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Current measurements. */
  info(): LiveSessionInfo {
    const g = this.glassToGlassUs;
    const last = this.source?.lastPictureNs ?? 0;
    return {
      id: this.id,
      effect: this.effectSpec,
      transport: this.link.transport,
      ageS: (nowNs() - this.createdNs) / 1e9,
      viewers: this.viewers.size,
      stats: this.pipeline?.stats.snapshot(nowNs()) ?? emptyStats(),
      glassToGlass: g.count === 0 ? null : { count: g.count, p50Ms: g.percentile(50) / 1000, p95Ms: g.percentile(95) / 1000, maxMs: g.max / 1000 },
      lastPictureAgoMs: last === 0 ? null : (nowNs() - last) / 1e6,
    };
  }

  /**
   * The WebRTC link as this server sees it: the publisher's video arriving (jitter buffer, decode) and the processed
   * video leaving (encode, pacer), for telling where glass-to-glass time goes.
   */
  async linkStats(): Promise<{ receiver: ReceiverStats | null; sender: SenderStats | null }> {
    if (this.closing) return { receiver: null, sender: null };
    return this.link.stats();
  }

  /** Resources still held; all zero once the session has ended (a leak check). */
  resources(): { framesOutstanding: number; tracks: number; viewers: number; connectionState: string } {
    return {
      framesOutstanding: this.source?.outstanding ?? 0,
      tracks: this.link.sink.trackCount,
      viewers: this.viewers.size,
      connectionState: this.link.connection.connectionState,
    };
  }

  /** End the session and release everything. Safe to call twice; resolves once all is released. */
  close(reason = 'closed'): Promise<void> {
    this.closing ??= this.release(reason);
    return this.closing;
  }

  private async release(reason: string): Promise<void> {
    this.endReason = reason;
    this.stopWatching();
    clearInterval(this.watchdog);
    if (this.pipeline) await this.pipeline.close();
    else await Promise.all([this.source?.close(), this.slot.close()]);
    for (const id of [...this.viewers.keys()]) this.removeViewer(id);
    this.avatarChannel?.close();
    this.avatarChannel = null;
    await this.link.close();
    this.options.onEnded?.(this, reason);
  }
}

/** What the WebRTC stack threw on an offer it could not apply, as a client error that says what to send instead. */
function offerRefused(err: unknown): FramewiseError {
  if (err instanceof FramewiseError) return err;
  return new FramewiseError(
    'invalid-argument',
    `the offer could not be applied (${describeError(err)}): send the SDP your RTCPeerConnection's createOffer() made, unchanged`,
    { cause: err },
  );
}

function emptyStats(): PipelineStats {
  const none = { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  return {
    framesIn: 0,
    framesOut: 0,
    dropped: 0,
    dropsByReason: {},
    dropsByStage: {},
    durationS: 0,
    fpsIn: 0,
    fpsOut: 0,
    latencyMs: none,
    stages: [],
    driftMsPerS: 0,
    windows: [],
  };
}
