import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DropReason } from '../core/stats.ts';
import type { ConnectionGuard } from './connection-guard.ts';
import type { LiveSession } from './live-session.ts';
import type { SessionRegistry } from './session-registry.ts';

const DROP_REASONS: readonly DropReason[] = ['deadline', 'superseded', 'stage-error', 'filtered', 'stopped'];

/** Bucket bounds (s) for latency histograms: dense where live systems sit, sparse beyond a second. */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.02, 0.033, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5];

/** Why an offer was refused; a fixed set, so the label cannot grow without bound. */
export type RejectReason = 'full' | 'bad-offer' | 'unauthorized' | 'other';

/** Frames counted so far by sessions that have ended (live ones are added at scrape time). */
interface Totals {
  framesIn: number;
  framesOut: number;
  drops: Record<DropReason, number>;
}

/**
 * The server's Prometheus metrics (prom-client, its own registry), with Node's process and runtime metrics. Every
 * series is an aggregate over sessions: no label carries a session id, so the number of series stays the same however
 * many sessions come and go. Per-session figures are at GET /sessions.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly ended: Totals = { framesIn: 0, framesOut: 0, drops: { deadline: 0, superseded: 0, 'stage-error': 0, filtered: 0, stopped: 0 } };
  private readonly latency: Histogram;
  private readonly glassToGlass: Histogram;
  private readonly rejected: Counter<'reason'>;
  private readonly endedSessions: Counter;
  private readonly neverConnectedSessions: Counter;

  constructor(private readonly sessions: SessionRegistry) {
    const register = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'framewise_' });
    const live = (): LiveSession[] => this.sessions.all();
    const snapshots = (): ReturnType<LiveSession['info']>[] => live().map((s) => s.info());
    new Gauge({
      name: 'framewise_sessions',
      help: 'Live sessions running now.',
      registers: register,
      collect() {
        this.set(live().length);
      },
    });
    new Gauge({
      name: 'framewise_sessions_max',
      help: 'Session limit (admission control).',
      registers: register,
      collect: () => undefined,
    }).set(sessions.maxSessions);
    new Gauge({
      name: 'framewise_viewers',
      help: 'WHEP viewers of all sessions.',
      registers: register,
      collect() {
        this.set(live().reduce((n, s) => n + s.viewerCount, 0));
      },
    });
    new Counter({
      name: 'framewise_sessions_started_total',
      help: 'Sessions ever started.',
      registers: register,
      collect() {
        this.reset();
        this.inc(sessions.started);
      },
    });
    this.endedSessions = new Counter({ name: 'framewise_sessions_ended_total', help: 'Sessions that ended (any reason).', registers: register });
    this.neverConnectedSessions = new Counter({
      name: 'framewise_sessions_never_connected_total',
      help: 'Sessions whose publisher never completed ICE and DTLS (their slot was freed after the connect timeout).',
      registers: register,
    });
    this.rejected = new Counter({ name: 'framewise_offers_rejected_total', help: 'Offers refused, by reason.', labelNames: ['reason'], registers: register });
    const ended = this.ended;
    new Counter({
      name: 'framewise_frames_in_total',
      help: 'Frames received from publishers.',
      registers: register,
      collect() {
        this.reset();
        this.inc(ended.framesIn + snapshots().reduce((n, i) => n + i.stats.framesIn, 0));
      },
    });
    new Counter({
      name: 'framewise_frames_out_total',
      help: 'Processed frames sent back.',
      registers: register,
      collect() {
        this.reset();
        this.inc(ended.framesOut + snapshots().reduce((n, i) => n + i.stats.framesOut, 0));
      },
    });
    new Counter({
      name: 'framewise_frames_dropped_total',
      help: 'Frames dropped by the live policy, by reason.',
      labelNames: ['reason'],
      registers: register,
      collect() {
        this.reset();
        const now = snapshots();
        for (const reason of DROP_REASONS) this.inc({ reason }, ended.drops[reason] + now.reduce((n, i) => n + (i.stats.dropsByReason[reason] ?? 0), 0));
      },
    });
    this.latency = new Histogram({
      name: 'framewise_pipeline_latency_seconds',
      help: 'Server latency per frame, all sessions: picture decoded -> processed picture handed to the encoder.',
      buckets: LATENCY_BUCKETS_S,
      registers: register,
    });
    this.glassToGlass = new Histogram({
      name: 'framewise_glass_to_glass_seconds',
      help: 'Glass-to-glass latency measured by publishing pages (frame-ID code sent -> seen back), all sessions.',
      buckets: LATENCY_BUCKETS_S,
      registers: register,
    });
  }

  /** One processed frame's server latency. */
  observeLatency(ms: number): void {
    this.latency.observe(ms / 1000);
  }

  /** One glass-to-glass sample reported by a page. */
  observeGlassToGlass(ms: number): void {
    this.glassToGlass.observe(ms / 1000);
  }

  /** An offer was refused. */
  rejectedOffer(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }

  /** Expose the HTTP connection guard's counts. */
  watchConnections(guard: ConnectionGuard): void {
    const register = [this.registry];
    new Gauge({
      name: 'framewise_http_connections',
      help: 'HTTP connections open now.',
      registers: register,
      collect() {
        this.set(guard.connections);
      },
    });
    new Counter({
      name: 'framewise_http_connections_refused_total',
      help: 'HTTP connections closed on arrival because a per-address or total cap was reached.',
      registers: register,
      collect() {
        this.reset();
        this.inc(guard.refused);
      },
    });
  }

  /** A session was dropped because its publisher never connected. */
  neverConnected(): void {
    this.neverConnectedSessions.inc();
  }

  /** A session ended: keep its counts in the totals. */
  sessionEnded(session: LiveSession): void {
    const { stats } = session.info();
    this.ended.framesIn += stats.framesIn;
    this.ended.framesOut += stats.framesOut;
    for (const reason of DROP_REASONS) this.ended.drops[reason] += stats.dropsByReason[reason] ?? 0;
    this.endedSessions.inc();
  }

  /** The exposition text for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
