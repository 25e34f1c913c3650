import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Packr, Unpackr } from 'msgpackr';
import { WebSocketServer } from 'ws';
import { JpegDecoder, JpegEncoder } from '../../src/io/jpeg-codec.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { KEYS } from './job-vendor-mocks.ts';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });

/** A running mock service. */
export interface ServiceMock {
  url: string;
  /** What happened, for the test to check. */
  log: string[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * fal's realtime protocol: POST /tokens/ (Authorization: Key) gives a short-lived JWT as a JSON string; the socket at
 * /{owner}/{app}/realtime?fal_jwt_token=... takes msgpack inputs and answers each with msgpack {images: [{content}],
 * request_id, timings}. One runner: it works on the newest input (max_buffering drops the rest), here for `workMs`,
 * and returns the picture inverted (a restyle: no frame-ID code survives; the request_id says which frame it is).
 * A bad token gets {status: "error", error: "Unauthorized"} and the socket is closed; a bad input an x-fal-error.
 */
export async function startFalRealtimeMock(options: { workMs: number }): Promise<ServiceMock> {
  const tokens = new Set<string>();
  const log: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      await bodyOf(req);
      if (req.method === 'POST' && req.url === '/tokens/') {
        if (req.headers.authorization !== `Key ${KEYS.FAL_KEY}`) return json(res, 401, { detail: 'Invalid credentials' });
        const token = `jwt-${randomUUID()}`;
        tokens.add(token);
        log.push('token');
        return json(res, 201, token);
      }
      json(res, 404, { detail: 'Not found' });
    })();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    if (!/^\/fal-ai\/[\w.-]+\/realtime$/.test(url.pathname)) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!tokens.has(url.searchParams.get('fal_jwt_token') ?? '')) {
        ws.send(JSON.stringify({ status: 'error', error: 'Unauthorized' }));
        ws.close(1008, 'Unauthorized');
        return;
      }
      log.push('connected');
      const decoder = new JpegDecoder();
      const encoder = new JpegEncoder(4);
      let newest: { image: string; requestId: string } | null = null;
      let busy = false;
      const work = async (): Promise<void> => {
        if (busy || !newest) return;
        busy = true;
        const input = newest;
        newest = null;
        try {
          const frame = await decoder.decode(Buffer.from(input.image.slice(input.image.indexOf(',') + 1), 'base64'));
          for (const plane of frame.planes) for (let i = 0; i < plane.length; i++) plane[i] = 255 - (plane[i] as number);
          const out = await encoder.encode(frame);
          frame.release();
          await new Promise((r) => setTimeout(r, options.workMs));
          if (ws.readyState === ws.OPEN)
            ws.send(
              packr.pack({
                images: [{ content: out, content_type: 'image/jpeg', width: 512, height: 512 }],
                timings: { inference: options.workMs / 1000 },
                request_id: input.requestId,
              }),
            );
        } finally {
          busy = false;
          void work();
        }
      };
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const input = (isBinary ? unpackr.unpack(data) : JSON.parse(data.toString())) as { image_url?: unknown; request_id?: unknown; prompt?: unknown };
        if (typeof input.image_url !== 'string' || !input.image_url.startsWith('data:image/')) {
          ws.send(packr.pack({ type: 'x-fal-error', error: 'INVALID_INPUT', reason: 'image_url must be a data URI of a picture' }));
          return;
        }
        newest = { image: input.image_url, requestId: typeof input.request_id === 'string' ? input.request_id : '' };
        void work();
      });
      ws.on('close', () => {
        decoder[Symbol.dispose]();
        encoder[Symbol.dispose]();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/**
 * Daydream: POST /v1/streams (Bearer) creates a stream and gives its whip_url; a WHIP offer to it is answered like
 * Daydream's gateway, with a `livepeer-playback-url` header naming the WHEP URL of the processed output. Behind it a
 * real Framewise server does the processing (`effect`), so the video really goes through WebRTC both ways.
 */
export async function startDaydreamMock(effect: string): Promise<ServiceMock> {
  const backend = await FramewiseServer.start({ port: 0, web: false });
  const streams = new Map<string, { prompt: string }>();
  const log: string[] = [];
  let base = '';
  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const url = new URL(req.url ?? '/', base);
      if (url.pathname === '/v1/streams' && req.method === 'POST') {
        if (req.headers.authorization !== `Bearer ${KEYS.DAYDREAM_API_KEY}`) return json(res, 401, { message: 'Unauthorized' });
        const asked = JSON.parse(body.toString('utf8') || '{}') as { pipeline?: string; params?: { model_id?: string; prompt?: string } };
        if (asked.pipeline !== 'streamdiffusion' || typeof asked.params?.prompt !== 'string')
          return json(res, 400, { message: 'pipeline and params.prompt are required' });
        const id = `str_${randomUUID().slice(0, 12)}`;
        streams.set(id, { prompt: asked.params.prompt });
        log.push(`created ${id}`);
        return json(res, 201, {
          id,
          stream_key: id,
          whip_url: `${base}/whip/${id}`,
          output_playback_id: `out_${id}`,
          pipeline: 'streamdiffusion',
          created_at: new Date().toISOString(),
        });
      }
      const whip = /^\/whip\/(str_[\w-]+)$/.exec(url.pathname);
      if (whip && req.method === 'POST') {
        if (!streams.has(whip[1] ?? '')) return json(res, 404, { message: 'stream not found' });
        const answer = await fetch(`${backend.url}/whip?effect=${encodeURIComponent(effect)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp' },
          body,
        });
        const sdp = await answer.text();
        const session = answer.headers.get('location')?.split('/').pop() ?? '';
        log.push(`whip ${whip[1]}`);
        res.writeHead(answer.status, {
          'content-type': 'application/sdp',
          location: `${backend.url}/whip/${session}`,
          'livepeer-playback-url': `${backend.url}/whep/${session}`,
        });
        return res.end(sdp);
      }
      const stream = /^\/v1\/streams\/(str_[\w-]+)$/.exec(url.pathname);
      if (stream && req.method === 'DELETE') {
        log.push(`deleted ${stream[1]}`);
        streams.delete(stream[1] ?? '');
        return json(res, 200, { success: true });
      }
      json(res, 404, { message: 'not found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    log,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await backend.close();
    },
  };
}
