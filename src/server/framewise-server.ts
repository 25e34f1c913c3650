import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, FramewiseError } from '../core/errors.ts';
import { effectUsage, type EffectContext } from '../effects/effect.ts';
import { CLI_EFFECT_CONTEXT, createEffect, effectDefinition, listEffects } from '../effects/registry.ts';
import { MAX_SDP_BYTES } from '../io/webrtc/sdp.ts';
import { defaultMaxSessions } from './capacity.ts';
import { ISOLATION_HEADERS, PageAssets } from './page-assets.ts';
import type { Transport } from './session-link.ts';
import { HttpError, mediaType, parseJsonObject, readBody, readBodyBytes, send, sendJson } from './http-util.ts';
import { LiveSession } from './live-session.ts';
import type { Logger } from 'pino';
import { ConnectionGuard, type ConnectionLimits } from './connection-guard.ts';
import { silentLogger } from './log.ts';
import { type RejectReason, ServerMetrics } from './metrics.ts';
import { ServerPictures } from './server-pictures.ts';
import { ServerFullError, SessionRegistry, ViewersFullError } from './session-registry.ts';
import { loadWebBundle, type WebBundle } from './web-bundle.ts';
import { EmbeddedQueue } from '../jobs/embedded-queue.ts';
import { DEFAULT_JOB_LIMITS, type JobLimits } from '../jobs/job-limits.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { JobRoutes } from './job-routes.ts';
import { RedisQueue } from '../jobs/redis-queue.ts';
import { logRedisLink } from '../jobs/redis-watch.ts';
import { WorkRoutes } from './work-routes.ts';

/** How `framewise serve` runs. */
export interface ServerOptions {
  /** TCP port (0 picks a free one; default 8080). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: browsers only give camera access to pages on localhost or HTTPS). */
  host?: string;
  /**
   * Effect new sessions start with (default passthrough); a WHIP URL may ask for another with ?effect=. The operator's
   * effect may name a local picture file; effects asked for over the network only colours, backgrounds and uploads.
   */
  effect?: string;
  /**
   * WebRTC stack of new sessions (default libwebrtc); a WHIP URL may ask for the other with ?transport=. `direct`
   * (werift) has no jitter buffer or pacer and asks the page to show frames at once: tens of ms less glass-to-glass,
   * VP8 only, no congestion control.
   */
  transport?: Transport;
  /** Folder of background pictures clients may name (`replace:<file name>`); nothing else on disk is reachable. */
  backgroundsDir?: string;
  /** Largest picture upload, bytes (default 16 MiB). */
  maxUploadBytes?: number;
  /** Largest background picture, pixels (default 4096x2304). */
  maxPicturePixels?: number;
  /** Session limit; default from the CPU count and the effect's cost. */
  maxSessions?: number;
  /** When set, every route but /healthz and the demo page needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Live deadline per frame (default 100 ms). */
  deadlineMs?: number;
  /** A lost connection is given this long to come back before its session ends (default 5 s). */
  disconnectGraceMs?: number;
  /** A session whose video stops for this long ends (default 5 s). */
  mediaTimeoutMs?: number;
  /** A publisher or viewer whose ICE and DTLS have not completed this long after its answer is dropped and its slot freed (default 5 s). */
  connectTimeoutMs?: number;
  /** WHEP viewers per session (default 4) and on the whole server (default 4 per session slot). */
  maxViewersPerSession?: number;
  maxViewers?: number;
  /** Largest picture a publisher may send, width x height (default 1920x1080). */
  maxPixels?: number;
  /** HTTP connection caps and timeouts (see ConnectionLimits; defaults hold off floods). */
  connections?: ConnectionLimits;
  /** Serve the demo page (default true). */
  web?: boolean;
  /**
   * The job API (`/jobs`): render jobs kept in this folder and run by in-process workers (the embedded queue).
   * Off when not set; `framewise serve` sets it (default ~/.local/state/framewise/jobs).
   */
  jobs?: JobsOptions;
  /** Where the server logs (pino): offers, refusals with their reason, sessions and their figures, errors. Default: none. */
  logger?: Logger;
}

/** The job API's settings. */
export interface JobsOptions {
  dir: string;
  /**
   * redis://host:port: queue jobs on BullMQ for `framewise worker`s anywhere (this server runs none itself and
   * serves them inputs and segments on /work). Default: the embedded queue, with workers in this process.
   */
  queue?: string;
  /** Jobs at once in this process, embedded queue only (default one per two cores). */
  concurrency?: number;
  limits?: Partial<JobLimits>;
  /** Segment length of renders, s (default 10). */
  segmentS?: number;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-expose-headers': 'location, retry-after, x-framewise-whep',
};

/**
 * The live server: WHIP ingest (RFC 9725) with the processed video returned on the same connection, WHEP egress
 * for viewers, effect switching, admission control, /metrics and /healthz, and the demo page.
 */
export class FramewiseServer {
  readonly registry: SessionRegistry;
  readonly options: ServerOptions;
  /** Pictures network clients may name: the operator's backgrounds and their uploads. */
  readonly pictures: ServerPictures;
  private readonly networkEffects: EffectContext;
  /** Prometheus metrics (aggregates over sessions; process and runtime metrics too). */
  readonly metrics: ServerMetrics;
  readonly log: Logger;
  private readonly http: Server;
  /** Caps and timeouts on HTTP connections (a flood costs the flooder). */
  readonly guard: ConnectionGuard;
  private web: WebBundle | null = null;
  /** Models and onnxruntime-web files for pages that run effects themselves. */
  private readonly assets = new PageAssets();
  /** The render jobs' queue, when the job API is on. */
  jobs: JobQueue | null = null;
  private jobRoutes: JobRoutes | null = null;
  /** Inputs, segments and results for remote workers (Redis queue only). */
  private workRoutes: WorkRoutes | null = null;
  /** Sessions still connecting, by client address: one address may not hold every slot with offers that never connect. */
  private readonly connecting = new Map<string, number>();
  private viewersJoining = 0;
  private closing: Promise<void> | null = null;

  private constructor(options: ServerOptions) {
    this.options = options;
    const effect = options.effect ?? 'passthrough';
    createEffect(effect, CLI_EFFECT_CONTEXT); // fail at start-up, not on the first offer
    this.pictures = new ServerPictures({
      ...(options.backgroundsDir === undefined ? {} : { backgroundsDir: options.backgroundsDir }),
      ...(options.maxPicturePixels === undefined ? {} : { maxPixels: options.maxPicturePixels }),
    });
    this.networkEffects = { pictures: this.pictures };
    this.registry = new SessionRegistry(options.maxSessions ?? defaultMaxSessions(effectDefinition(effect)?.costMs ?? 0));
    this.metrics = new ServerMetrics(this.registry);
    this.log = options.logger ?? silentLogger();
    // Headers and request timeouts are checked every second (Node's default is every 30 s).
    this.http = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => void this.handle(req, res));
    this.guard = new ConnectionGuard(this.http, options.connections ?? {});
    this.metrics.watchConnections(this.guard);
  }

  /** Start listening; resolves once the port is bound and the page is built. */
  static async start(options: ServerOptions = {}): Promise<FramewiseServer> {
    const server = new FramewiseServer(options);
    if (options.web ?? true) server.web = await loadWebBundle();
    if (options.jobs) {
      const { dir, concurrency, segmentS, queue: redisUrl } = options.jobs;
      let queue: JobQueue;
      if (redisUrl !== undefined) {
        const redis = await RedisQueue.open({
          dir,
          url: redisUrl,
          onLink: logRedisLink(server.log, redisUrl, 'server'),
          ...(segmentS === undefined ? {} : { segmentS }),
        });
        server.workRoutes = new WorkRoutes(redis.store, redis.workerSecret);
        queue = redis;
      } else {
        queue = await EmbeddedQueue.open({
          dir,
          effectContext: server.networkEffects,
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(segmentS === undefined ? {} : { segmentS }),
        });
      }
      server.jobs = queue;
      server.jobRoutes = new JobRoutes(queue, { ...DEFAULT_JOB_LIMITS, ...options.jobs.limits }, server.networkEffects, CORS);
    }
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new FramewiseError('invalid-argument', `port ${options.port ?? 8080} is in use: pick another with --port`)
            : new FramewiseError('invalid-state', `cannot listen: ${err.message}`, { cause: err }),
        ),
      );
      server.http.listen(options.port ?? 8080, options.host ?? '127.0.0.1', resolve);
    });
    return server;
  }

  /** Base URL, e.g. http://127.0.0.1:8080 */
  get url(): string {
    const address = this.http.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** End every session and stop listening. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(this.registry.all().map((s) => s.close('server closing')));
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http.close(() => resolve()));
      await this.jobs?.close();
    })();
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (err) {
      const error = toHttpError(err);
      const where = { status: error.status, method: req.method, path: (req.url ?? '/').split('?')[0], client: req.socket.remoteAddress };
      // The client's mistakes and a full server are warnings with the reason sent back; any other 5xx is a bug.
      if (error.status >= 500 && error.status !== 503) this.log.error({ ...where, err }, `request failed: ${error.message}`);
      else this.log.warn({ ...where, reason: error.message }, `refused ${where.method ?? ''} ${where.path ?? ''}`);
      if ((req.url ?? '').startsWith('/whip') && req.method === 'POST') this.metrics.rejectedOffer(rejectReason(error.status));
      if (!res.headersSent) send(res, error.status, `${error.message}\n`, 'text/plain; charset=utf-8', { ...CORS, ...error.headers });
      else res.destroy();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'accept-post': 'application/sdp' });
      res.end();
      return;
    }
    const [head, id, sub, extra] = parts;
    if (extra !== undefined) throw new HttpError(404, `no such resource: ${method} ${url.pathname}`);
    const only = (...allowed: string[]): void => {
      if (!allowed.includes(method))
        throw new HttpError(405, `${method} is not allowed on ${url.pathname}: use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
    };
    // The page and the health check are public; everything else needs the token when one is set.
    switch (head) {
      case undefined:
      case 'index.html':
        if (id !== undefined) break;
        only('GET', 'HEAD');
        // ?isolation=off serves the page without cross-origin isolation (WebAssembly then runs single-threaded).
        return this.serveWeb(res, 'html', url.searchParams.get('isolation') !== 'off');
      case 'app.js':
        if (id !== undefined) break;
        only('GET', 'HEAD');
        return this.serveWeb(res, 'js');
      case 'models':
        // Public like the page: the page that runs effects itself fetches them (built from public npm packages).
        if (sub !== undefined) throw new HttpError(404, `no such resource: ${method} ${url.pathname}`);
        only('GET', 'HEAD');
        return this.assets.model(res, id, method === 'HEAD');
      case 'ort':
        if (sub !== undefined) throw new HttpError(404, `no such resource: ${method} ${url.pathname}`);
        only('GET', 'HEAD');
        return this.assets.ortFile(res, id, method === 'HEAD');
      case 'healthz':
        if (id !== undefined) break;
        only('GET', 'HEAD');
        return sendJson(res, 200, { ok: true, sessions: this.registry.size, maxSessions: this.registry.maxSessions });
      case 'work':
        // Workers present their own secret (from Redis), not the clients' token.
        if (!this.workRoutes) throw new HttpError(404, 'this server has no remote workers: they come with framewise serve --queue redis://...');
        return this.workRoutes.handle(req, res, id, sub);
    }
    this.authorize(req);
    switch (head) {
      case 'metrics':
        if (id !== undefined) break;
        only('GET', 'HEAD');
        return send(res, 200, await this.metrics.render(), this.metrics.contentType);
      case 'effects':
        if (id !== undefined) break;
        only('GET', 'HEAD');
        return sendJson(res, 200, {
          default: this.options.effect ?? 'passthrough',
          effects: listEffects().map((e) => ({ name: e.name, usage: effectUsage(e), summary: e.summary, costMs: e.costMs, argument: e.argument ?? null })),
        });
      case 'backgrounds':
        if (id !== undefined && sub === undefined) {
          // One picture's bytes, for a page that runs replace:<picture> itself.
          only('GET', 'HEAD');
          const name = (() => {
            try {
              return decodeURIComponent(id);
            } catch {
              throw new HttpError(400, 'the picture name is not valid percent-encoding');
            }
          })();
          const picture = await this.pictures.bytesOf(name).catch((err: unknown) => {
            throw err instanceof FramewiseError ? new HttpError(404, err.message) : err;
          });
          return send(res, 200, Buffer.from(picture.bytes), picture.type, { ...CORS, 'cache-control': 'private, max-age=60' });
        }
        if (id !== undefined) break;
        only('GET', 'POST');
        if (method === 'POST') return this.upload(req, res);
        return sendJson(res, 200, { backgrounds: this.pictures.backgrounds(), upload: 'POST /backgrounds with a JPEG, PNG, WebP or GIF body' }, CORS);
      case 'whip':
        if (id === undefined) {
          only('POST');
          return this.publish(req, res, url);
        }
        if (sub === undefined) return this.whipResource(req, res, id, method);
        break;
      case 'whep':
        if (id !== undefined && sub === undefined) {
          only('POST');
          return this.view(req, res, id);
        }
        if (id !== undefined && sub !== undefined) return this.whepResource(res, id, sub, method);
        break;
      case 'jobs':
        if (!this.jobRoutes) throw new HttpError(404, 'the job API is off on this server: start it with framewise serve (jobs are kept in --jobs-dir)');
        return this.jobRoutes.handle(req, res, url, id, sub);
      case 'sessions':
        if (id === undefined) {
          only('GET', 'HEAD');
          return sendJson(
            res,
            200,
            this.registry.all().map((s) => s.info()),
          );
        }
        if (sub === undefined) {
          only('GET', 'HEAD');
          const session = this.session(id);
          return sendJson(res, 200, { ...session.info(), link: await session.linkStats() });
        }
        if (sub === 'effect') {
          only('POST');
          return this.switchEffect(req, res, id);
        }
        if (sub === 'glass-to-glass') {
          only('POST');
          return this.glassToGlass(req, res, id);
        }
        break;
    }
    throw new HttpError(404, `no such resource: ${method} ${url.pathname}`);
  }

  /** POST /backgrounds: keep an uploaded picture; effects name it `replace:upload:<id>`. */
  private async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = mediaType(req);
    if (type !== '' && !type.startsWith('image/') && type !== 'application/octet-stream')
      throw new HttpError(415, `send the picture itself as the body with Content-Type: image/jpeg, image/png, image/webp or image/gif (got "${type}")`);
    const bytes = await readBodyBytes(req, this.options.maxUploadBytes ?? 16 * 1024 * 1024);
    if (bytes.length === 0) throw new HttpError(400, 'the upload is empty: send a JPEG, PNG, WebP or GIF file as the body');
    const picture = await this.pictures.upload(bytes).catch((err: unknown) => {
      // Whatever is wrong with the bytes is the client's to fix.
      throw err instanceof FramewiseError ? new HttpError(400, err.message) : err;
    });
    sendJson(res, 201, { ...picture, effect: `replace:${picture.name}` }, CORS);
  }

  private serveWeb(res: ServerResponse, part: 'html' | 'js', isolated = true): void {
    if (!this.web) throw new HttpError(404, 'the demo page is off on this server');
    const headers = isolated ? ISOLATION_HEADERS : {};
    if (part === 'html') send(res, 200, this.web.html, 'text/html; charset=utf-8', headers);
    else send(res, 200, this.web.js, 'text/javascript; charset=utf-8', ISOLATION_HEADERS);
  }

  private authorize(req: IncomingMessage): void {
    const token = this.options.token;
    if (!token) return;
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      // One answer whether the token is missing or wrong: nothing tells a guess from no try.
      throw new HttpError(401, 'this server needs "Authorization: Bearer <token>" with its token', { 'www-authenticate': 'Bearer' });
    }
  }

  private async sdpBody(req: IncomingMessage): Promise<string> {
    if (mediaType(req) !== 'application/sdp')
      throw new HttpError(415, `send the SDP offer with Content-Type: application/sdp (got "${mediaType(req) || 'none'}")`);
    return readBody(req, MAX_SDP_BYTES);
  }

  /** WHIP: POST an offer -> 201 with the answer and the session's resource URL. */
  private async publish(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const offer = await this.sdpBody(req);
    const asked = url.searchParams.get('effect');
    const effect = asked ?? this.options.effect ?? 'passthrough';
    // The operator's default may name a local file; an effect from the request only what the network may use.
    const context = asked === null ? CLI_EFFECT_CONTEXT : this.networkEffects;
    createEffect(effect, context);
    const transport = transportOf(url.searchParams.get('transport'), this.options.transport ?? 'libwebrtc');
    const address = req.socket.remoteAddress ?? 'unknown';
    // One address may hold at most half the slots (2 at least) with sessions that are still connecting.
    const perAddress = Math.max(2, Math.ceil(this.registry.maxSessions / 2));
    if ((this.connecting.get(address) ?? 0) >= perAddress)
      throw new ServerFullError(this.registry.maxSessions, 5, `${perAddress} session(s) from your address are still connecting`);
    this.registry.reserve();
    this.connecting.set(address, (this.connecting.get(address) ?? 0) + 1);
    let settled = false;
    const connectedOrGone = (): void => {
      if (settled) return;
      settled = true;
      const left = (this.connecting.get(address) ?? 1) - 1;
      if (left <= 0) this.connecting.delete(address);
      else this.connecting.set(address, left);
    };
    let accepted: Awaited<ReturnType<typeof LiveSession.accept>>;
    try {
      accepted = await LiveSession.accept(offer, {
        effect,
        transport,
        effects: context,
        switchEffects: this.networkEffects,
        ...(this.options.deadlineMs === undefined ? {} : { deadlineMs: this.options.deadlineMs }),
        ...(this.options.disconnectGraceMs === undefined ? {} : { disconnectGraceMs: this.options.disconnectGraceMs }),
        ...(this.options.mediaTimeoutMs === undefined ? {} : { mediaTimeoutMs: this.options.mediaTimeoutMs }),
        ...(this.options.maxPixels === undefined ? {} : { maxPixels: this.options.maxPixels }),
        ...(this.options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: this.options.connectTimeoutMs }),
        ...(this.options.maxViewersPerSession === undefined ? {} : { maxViewers: this.options.maxViewersPerSession }),
        onConnected: connectedOrGone,
        onLatency: (ms) => this.metrics.observeLatency(ms),
        onGlassToGlass: (ms) => this.metrics.observeGlassToGlass(ms),
        onEnded: (ended, reason) => {
          connectedOrGone();
          if (reason.startsWith('never connected')) this.metrics.neverConnected();
          this.registry.remove(ended.id);
          this.metrics.sessionEnded(ended);
          const { stats, glassToGlass, ageS } = ended.info();
          this.log.info(
            {
              session: ended.id,
              effect: ended.effect,
              reason,
              durationS: Math.round(ageS * 10) / 10,
              framesIn: stats.framesIn,
              framesOut: stats.framesOut,
              dropped: stats.dropped,
              latencyP95Ms: stats.latencyMs.p95,
              glassToGlassP95Ms: glassToGlass?.p95Ms ?? null,
            },
            'session ended',
          );
        },
      });
    } catch (err) {
      this.registry.release();
      connectedOrGone();
      throw err;
    }
    const { session, answerSdp } = accepted;
    this.registry.add(session);
    this.log.info({ session: session.id, effect, client: req.socket.remoteAddress, sessions: this.registry.size }, 'session started');
    send(res, 201, answerSdp, 'application/sdp', { ...CORS, location: `/whip/${session.id}`, 'x-framewise-whep': `/whep/${session.id}` });
  }

  private async whipResource(req: IncomingMessage, res: ServerResponse, id: string, method: string): Promise<void> {
    if (method === 'PATCH') {
      await readBody(req, MAX_SDP_BYTES).catch(() => '');
      throw new HttpError(405, 'trickle ICE and ICE restarts are not supported: send every candidate in the offer (wait for ICE gathering to complete)', {
        allow: 'DELETE',
      });
    }
    if (method !== 'DELETE') throw new HttpError(405, `${method} is not allowed on a WHIP session: DELETE ends it`, { allow: 'DELETE, PATCH' });
    await this.session(id).close('ended by the publisher (DELETE)');
    res.writeHead(200, CORS);
    res.end();
  }

  /** WHEP: a viewer POSTs a receive offer for a running session. */
  private async view(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const offer = await this.sdpBody(req);
    const session = this.session(id);
    const limit = this.options.maxViewers ?? 4 * this.registry.maxSessions;
    const viewers = this.registry.all().reduce((n, s) => n + s.viewerCount, 0) + this.viewersJoining;
    if (viewers >= limit) throw new ViewersFullError(`the server has its limit of ${limit} viewer(s)`, 5);
    this.viewersJoining++;
    let added: Awaited<ReturnType<LiveSession['addViewer']>>;
    try {
      added = await session.addViewer(offer);
    } finally {
      this.viewersJoining--;
    }
    const { viewerId, answerSdp } = added;
    send(res, 201, answerSdp, 'application/sdp', { ...CORS, location: `/whep/${id}/${viewerId}` });
  }

  private whepResource(res: ServerResponse, id: string, viewerId: string, method: string): void {
    if (method !== 'DELETE') throw new HttpError(405, `${method} is not allowed on a WHEP viewer: DELETE ends it`, { allow: 'DELETE' });
    if (!this.session(id).removeViewer(viewerId)) throw new HttpError(404, `session ${id} has no viewer ${viewerId}`);
    res.writeHead(200, CORS);
    res.end();
  }

  private async switchEffect(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const session = this.session(id);
    const body = parseJsonObject(await readBody(req, 4096));
    if (typeof body.effect !== 'string') throw new HttpError(400, 'send {"effect": "<name>"}');
    await session.setEffect(body.effect);
    sendJson(res, 200, { effect: session.effect }, CORS);
  }

  private async glassToGlass(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const session = this.session(id);
    const body = parseJsonObject(await readBody(req, 64 * 1024));
    if (!Array.isArray(body.samplesMs)) throw new HttpError(400, 'send {"samplesMs": [<latency in ms>, ...]}');
    const accepted = session.reportGlassToGlass(body.samplesMs as unknown[]);
    sendJson(res, 200, { accepted }, CORS);
  }

  private session(id: string): LiveSession {
    const session = this.registry.get(id);
    if (!session) throw new HttpError(404, `no live session ${id}: it ended or never existed`);
    return session;
  }
}

/** The metrics label of a refused offer. */
function rejectReason(status: number): RejectReason {
  if (status === 503) return 'full';
  if (status === 401) return 'unauthorized';
  if (status === 400 || status === 413 || status === 415) return 'bad-offer';
  return 'other';
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ServerFullError || err instanceof ViewersFullError) return new HttpError(503, err.message, { 'retry-after': String(err.retryAfterS) });
  if (err instanceof FramewiseError) {
    // What the client sent (an offer, an effect, a picture) is the client's to fix: 4xx. A 5xx is left for real bugs.
    const CLIENT: readonly string[] = ['invalid-argument', 'unsupported-format', 'input-unreadable', 'input-not-found'];
    const status = CLIENT.includes(err.code) ? 400 : err.code === 'invalid-state' ? 409 : err.code === 'timeout' ? 504 : 500;
    return new HttpError(status, err.message);
  }
  return new HttpError(500, `internal error: ${describeError(err)}`);
}

/** The transport a WHIP request asks for (`?transport=`), or the server's; a 400 for anything else. */
function transportOf(asked: string | null, fallback: Transport): Transport {
  if (asked === null) return fallback;
  if (asked === 'libwebrtc' || asked === 'direct') return asked;
  throw new HttpError(400, `transport "${asked.slice(0, 40)}" is not one of libwebrtc, direct`);
}
