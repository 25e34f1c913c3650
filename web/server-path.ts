import { AvatarView } from './avatar-view.ts';
import type { ProcessingPath } from './processing-path.ts';
import { type LinkStats, linkStats } from './rtc-stats.ts';
import type { FrameStamper } from './stamper.ts';
import { WhipSession } from './whip-session.ts';

/** Requests to this server, with the page's token when it has one. */
export type Request = (path: string, init?: RequestInit) => Promise<Response>;

/** The effect runs on the server: the stamped camera goes out over WHIP and comes back processed on the same connection. */
export class ServerPath implements ProcessingPath {
  readonly kind = 'server' as const;
  onLost: ((why: string) => void) | null = null;
  onUnstable: ((unstable: boolean) => void) | null = null;

  private constructor(
    readonly whip: WhipSession,
    readonly output: MediaStream,
    readonly avatar: AvatarView,
    private readonly request: Request,
    private readonly external: boolean,
  ) {
    whip.pc.addEventListener('connectionstatechange', () => {
      const state = whip.pc.connectionState;
      if (state === 'failed' || state === 'closed') this.onLost?.('The connection to the server was lost.');
      else this.onUnstable?.(state === 'disconnected');
    });
  }

  /** Publish `track` to `endpoint` (this server's /whip, or any WHIP endpoint that sends the video back). */
  static async start(
    track: MediaStreamTrack,
    endpoint: string,
    token: string | null,
    options: {
      request: Request;
      external: boolean;
      avatarCanvas: HTMLCanvasElement;
      stamper: FrameStamper;
      look: () => string;
      /** Ask the browser for the shortest receive buffer (default true). */
      lowLatency?: boolean;
    },
  ): Promise<ServerPath> {
    const whip = new WhipSession(endpoint, token, options.lowLatency ?? true);
    try {
      await whip.start(track);
    } catch (err) {
      whip.stop();
      throw err;
    }
    const output = await whip.remote;
    const avatar = new AvatarView(options.avatarCanvas, whip.avatarChannel, options.stamper, options.look);
    return new ServerPath(whip, output, avatar, options.request, options.external);
  }

  get label(): string {
    return `session ${this.whip.id ?? '?'}`;
  }

  /** The page's receive buffer target for the processed video, ms (null: the browser's default). */
  get jitterTargetMs(): number | null {
    return this.whip.jitterTargetMs;
  }

  async setEffect(spec: string): Promise<void> {
    const id = this.whip.id;
    if (!id) throw new Error('the session has no id yet');
    const r = await this.request(`/sessions/${id}/effect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ effect: spec }),
    });
    if (!r.ok) throw new Error((await r.text()).trim());
  }

  async tick(samples: number[]): Promise<{ pipelineP95Ms: number | null; link: LinkStats; engine: null }> {
    let pipelineP95Ms: number | null = null;
    const id = this.whip.id;
    if (id && !this.external) {
      if (samples.length > 0) {
        await this.request(`/sessions/${id}/glass-to-glass`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ samplesMs: samples }),
        });
      }
      const info = await this.request(`/sessions/${id}`).then((r) => (r.ok ? (r.json() as Promise<{ stats: { latencyMs: { p95: number } } }>) : null));
      pipelineP95Ms = info?.stats.latencyMs.p95 ?? null;
    }
    return { pipelineP95Ms, link: await linkStats(this.whip.pc), engine: null };
  }

  stop(): void {
    this.avatar.stop();
    this.whip.stop();
  }
}
