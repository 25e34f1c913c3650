import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, FramewiseError } from '../core/errors.ts';
import { createEffect, effectEntry, listEffects } from '../effects/registry.ts';
import { MAX_SDP_BYTES } from '../io/webrtc/sdp.ts';
import { defaultMaxSessions } from './capacity.ts';
import { HttpError, mediaType, parseJsonObject, readBody, send, sendJson } from './http-util.ts';
import { LiveSession } from './live-session.ts';
import { renderMetrics } from './metrics.ts';
import { ServerFullError, SessionRegistry } from './session-registry.ts';
import { buildWebBundle, type WebBundle } from './web-bundle.ts';

/** How `framewise serve` runs. */
export interface ServerOptions {
  /** TCP port (0 picks a free one; default 8080). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: browsers only give camera access to pages on localhost or HTTPS). */
  host?: string;
  /** Effect new sessions start with (default passthrough); a WHIP URL may ask for another with ?effect=. */
  effect?: string;
  /** Session limit; default from the CPU count and the effect's cost. */
  maxSessions?: number;
  /** When set, WHIP/WHEP and session changes need `Authorization: Bearer <token>`. */
  token?: string;
  /** Live deadline per frame (default 100 ms). */
  deadlineMs?: number;
  /** A lost connection is given this long to come back before its session ends (default 5 s). */
  disconnectGraceMs?: number;
  /** A session whose video stops for this long ends (default 5 s). */
  mediaTimeoutMs?: number;
  /** Largest picture a publisher may send, width x height (default 1920x1080). */
  maxPixels?: number;
  /** Serve the demo page (default true). */
  web?: boolean;
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
  private readonly http: Server;
  private web: WebBundle | null = null;
  private closing: Promise<void> | null = null;

  private constructor(options: ServerOptions) {
    this.options = options;
    const effect = options.effect ?? 'passthrough';
    createEffect(effect); // fail at start-up, not on the first offer
    this.registry = new SessionRegistry(options.maxSessions ?? defaultMaxSessions(effectEntry(effect)?.costMs ?? 0));
    this.http = createServer((req, res) => void this.handle(req, res));
  }

  /** Start listening; resolves once the port is bound and the page is built. */
  static async start(options: ServerOptions = {}): Promise<FramewiseServer> {
    const server = new FramewiseServer(options);
    if (options.web ?? true) server.web = await buildWebBundle();
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
    })();
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (err) {
      const error = toHttpError(err);
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
    const [head, id, sub] = parts;
    switch (head) {
      case undefined:
      case 'index.html':
        return this.serveWeb(res, 'html');
      case 'app.js':
        return this.serveWeb(res, 'js');
      case 'healthz':
        return sendJson(res, 200, { ok: true, sessions: this.registry.size, maxSessions: this.registry.maxSessions });
      case 'metrics':
        return send(res, 200, renderMetrics(this.registry), 'text/plain; version=0.0.4; charset=utf-8');
      case 'effects':
        return sendJson(res, 200, {
          default: this.options.effect ?? 'passthrough',
          effects: listEffects().map((e) => ({ name: e.usage.split(/[:[]/)[0], usage: e.usage, summary: e.summary, needsArgument: /^[^[]*:</.test(e.usage) })),
        });
      case 'whip':
        this.authorize(req);
        if (id === undefined && method === 'POST') return this.publish(req, res, url);
        if (id !== undefined && sub === undefined) return this.whipResource(req, res, id, method);
        break;
      case 'whep':
        this.authorize(req);
        if (id !== undefined && sub === undefined && method === 'POST') return this.view(req, res, id);
        if (id !== undefined && sub !== undefined) return this.whepResource(res, id, sub, method);
        break;
      case 'sessions':
        if (id === undefined && method === 'GET')
          return sendJson(
            res,
            200,
            this.registry.all().map((s) => s.info()),
          );
        if (id !== undefined && sub === undefined && method === 'GET') return sendJson(res, 200, this.session(id).info());
        this.authorize(req);
        if (id !== undefined && sub === 'effect' && method === 'POST') return this.switchEffect(req, res, id);
        if (id !== undefined && sub === 'glass-to-glass' && method === 'POST') return this.glassToGlass(req, res, id);
        break;
    }
    throw new HttpError(404, `no such resource: ${method} ${url.pathname}`);
  }

  private serveWeb(res: ServerResponse, part: 'html' | 'js'): void {
    if (!this.web) throw new HttpError(404, 'the demo page is off on this server');
    if (part === 'html') send(res, 200, this.web.html, 'text/html; charset=utf-8');
    else send(res, 200, this.web.js, 'text/javascript; charset=utf-8');
  }

  private authorize(req: IncomingMessage): void {
    const token = this.options.token;
    if (!token) return;
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new HttpError(401, given ? 'the bearer token is wrong' : 'this server needs "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' });
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
    const effect = url.searchParams.get('effect') ?? this.options.effect ?? 'passthrough';
    createEffect(effect);
    this.registry.reserve();
    let accepted: Awaited<ReturnType<typeof LiveSession.accept>>;
    try {
      accepted = await LiveSession.accept(offer, {
        effect,
        ...(this.options.deadlineMs === undefined ? {} : { deadlineMs: this.options.deadlineMs }),
        ...(this.options.disconnectGraceMs === undefined ? {} : { disconnectGraceMs: this.options.disconnectGraceMs }),
        ...(this.options.mediaTimeoutMs === undefined ? {} : { mediaTimeoutMs: this.options.mediaTimeoutMs }),
        ...(this.options.maxPixels === undefined ? {} : { maxPixels: this.options.maxPixels }),
        onEnded: (ended) => this.registry.remove(ended.id),
      });
    } catch (err) {
      this.registry.release();
      throw err;
    }
    const { session, answerSdp } = accepted;
    this.registry.add(session);
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
    const { viewerId, answerSdp } = await this.session(id).addViewer(offer);
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

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ServerFullError) return new HttpError(503, err.message, { 'retry-after': String(err.retryAfterS) });
  if (err instanceof FramewiseError) {
    const status = err.code === 'invalid-argument' || err.code === 'unsupported-format' ? 400 : err.code === 'invalid-state' ? 409 : 500;
    return new HttpError(status, err.message);
  }
  return new HttpError(500, `internal error: ${describeError(err)}`);
}
