import { readAvatarMessage } from '../src/avatar/avatar-message.ts';
import type { AvatarParams } from '../src/avatar/avatar-params.ts';
import { drawScene } from '../src/avatar/draw-character.ts';
import { BUILT_IN_LOOKS } from '../src/avatar/looks.ts';
import { Histogram } from '../src/core/histogram.ts';
import type { StampLog } from './stamper.ts';

/** What the page measured of the avatar's data path. */
export interface AvatarReading {
  messages: number;
  drawn: number;
  /** Camera frame stamped -> its parameters drawn here, ms (whole session). */
  p50Ms: number | null;
  p95Ms: number | null;
}

/**
 * The character drawn in the page from the parameters the server sends on the `avatar` data channel (24 bytes a
 * frame instead of a video): the same drawing code and look as the server's `+scene` mode. Each drawing is timed
 * from when its camera frame was stamped (the message carries the frame id), so the data path's glass-to-glass
 * latency sits beside the video's.
 */
export class AvatarView {
  private readonly context: CanvasRenderingContext2D;
  private readonly latency = new Histogram();
  private latest: { params: AvatarParams; frameId: number } | null = null;
  private drawnId = -1;
  private stopped = false;
  /** Samples (ms) not handed out yet. */
  private pending: number[] = [];
  messages = 0;
  drawn = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    channel: RTCDataChannel,
    private readonly stamps: StampLog,
    private readonly lookName: () => string,
  ) {
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser cannot draw on a 2D canvas');
    this.context = context;
    channel.binaryType = 'arraybuffer';
    channel.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      if (!(event.data instanceof ArrayBuffer)) return;
      try {
        this.latest = readAvatarMessage(new Uint8Array(event.data));
        this.messages++;
      } catch {
        // Not an avatar message: ignored.
      }
    };
    requestAnimationFrame(this.paint);
  }

  private readonly paint = (): void => {
    if (this.stopped) return;
    const latest = this.latest;
    const look = BUILT_IN_LOOKS.get(this.lookName()) ?? BUILT_IN_LOOKS.get('fox');
    if (latest && look && latest.frameId !== this.drawnId) {
      this.drawnId = latest.frameId;
      drawScene(this.context, look, latest.params, this.canvas.width, this.canvas.height);
      this.drawn++;
      const sentAt = this.stamps.sentAtMs(latest.frameId);
      if (sentAt !== undefined) {
        const ms = performance.now() - sentAt;
        this.latency.record(ms * 1000);
        this.pending.push(ms);
      }
    }
    requestAnimationFrame(this.paint);
  };

  reading(): AvatarReading {
    const h = this.latency;
    return {
      messages: this.messages,
      drawn: this.drawn,
      p50Ms: h.count === 0 ? null : h.percentile(50) / 1000,
      p95Ms: h.count === 0 ? null : h.percentile(95) / 1000,
    };
  }

  takeSamples(): number[] {
    return this.pending.splice(0);
  }

  stop(): void {
    this.stopped = true;
  }
}
