import { Packr, Unpackr } from 'msgpackr';
import WebSocket from 'ws';
import { closeSocket, socketOpened, watchSocket } from '../targets/socket-lifecycle.ts';
import { JpegChains } from '../targets/jpeg-chains.ts';
import { nowNs } from '../../core/clock.ts';
import { describeError, FramewiseError } from '../../core/errors.ts';
import type { Frame } from '../../core/frame.ts';
import type { OutputHandler, StimulusInfo, StreamTarget } from '../targets/target.ts';
import { baseUrlOf, dataUri, type RealtimeVendor, vendorKeys, vendorModel } from './vendor.ts';

/** Frames sent and not answered yet beyond which more are refused (the app drops stale input with max_buffering anyway). */
const MAX_PENDING = 4;
/** How long fal's short-lived realtime tokens are asked for, s (the client library's own value). */
const TOKEN_EXPIRATION_S = 120;

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });

/** A realtime result: pictures (as bytes, or data: URIs with sync_mode), and the request id it answers. */
interface FalResult {
  images?: { content?: Uint8Array; url?: string; content_type?: string }[];
  image?: { content?: Uint8Array; url?: string };
  request_id?: string;
  type?: string;
  status?: string;
  error?: string;
  reason?: string;
}

/**
 * fal's realtime WebSocket protocol: a short-lived token from POST {rest}/tokens/ (with `Authorization: Key`), then
 * `wss://fal.run/{app}/realtime?fal_jwt_token=...&max_buffering=2`; each input is one msgpack map (the app's input:
 * the frame as a JPEG data: URI at `image_url`, the prompt, `sync_mode`, and a `request_id`), each output a msgpack
 * map with the pictures and the `request_id` it answers, so frames are matched by the id the API echoes even when
 * the picture is restyled beyond any frame-ID code. `x-fal-error` messages and an unauthorized close are failures.
 */
export class FalRealtimeTarget implements StreamTarget {
  readonly name: string;
  private socket: WebSocket | null = null;
  private chains: JpegChains | null = null;
  /** Request ids sent and not answered; an answer to one settles every older one (the app dropped those). */
  private outstanding: number[] = [];
  private closing = false;
  private failure: string | null = null;
  refused = 0;

  constructor(
    private readonly app: string,
    private readonly key: string,
    private readonly restUrl: string,
    private readonly wsUrl: string,
    private readonly prompt: string,
  ) {
    this.name = `fal realtime ${app}`;
  }

  get error(): string | null {
    return this.failure;
  }

  private async token(): Promise<string> {
    const alias = this.app.split('/')[1] ?? this.app;
    const response = await fetch(`${this.restUrl}/tokens/`, {
      method: 'POST',
      headers: { authorization: `Key ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ allowed_apps: [alias], token_expiration: TOKEN_EXPIRATION_S }),
      signal: AbortSignal.timeout(15_000),
    }).catch((err: unknown) => {
      throw new FramewiseError('input-unreadable', `cannot reach ${this.restUrl}: ${describeError(err)}`);
    });
    const text = await response.text();
    if (!response.ok) throw new FramewiseError('input-unreadable', `getting a fal realtime token: HTTP ${response.status} ${text.slice(0, 300)}`);
    const parsed = JSON.parse(text) as unknown;
    const token = typeof parsed === 'string' ? parsed : (parsed as { detail?: unknown }).detail;
    if (typeof token !== 'string') throw new FramewiseError('input-unreadable', 'the fal token answer holds no token');
    return token;
  }

  async open(_info: StimulusInfo, onOutput: OutputHandler): Promise<void> {
    const token = await this.token();
    this.outstanding = [];
    this.closing = false;
    this.chains = new JpegChains(4);
    const url = `${this.wsUrl}/${this.app}/realtime?${new URLSearchParams({ fal_jwt_token: token, max_buffering: '2' }).toString()}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const arrivedNs = nowNs();
      let message: FalResult;
      try {
        message = (isBinary ? unpackr.unpack(data) : JSON.parse(data.toString('utf8'))) as FalResult;
      } catch {
        return;
      }
      this.handle(message, arrivedNs, onOutput);
    });
    await socketOpened(socket, 15_000, `the ${this.app} realtime endpoint`);
    watchSocket(
      socket,
      'fal',
      () => this.closing,
      (reason) => (this.failure ??= reason),
    );
  }

  private handle(message: FalResult, arrivedNs: number, onOutput: OutputHandler): void {
    if (message.status === 'error' && message.error === 'Unauthorized') {
      this.failure ??= 'fal refused the realtime token (Unauthorized)';
      return;
    }
    if (message.type === 'x-fal-error') {
      if (message.error !== 'TIMEOUT') this.failure ??= `the app answered ${message.error ?? 'an error'}: ${message.reason ?? ''}`;
      return;
    }
    if (message.type === 'x-fal-message') return;
    const picture = message.images?.[0] ?? message.image;
    if (!picture) return;
    const bytes = picture.content ?? (picture.url?.startsWith('data:') ? Buffer.from(picture.url.slice(picture.url.indexOf(',') + 1), 'base64') : null);
    if (!bytes) return;
    const id = message.request_id !== undefined && /^\d{1,9}$/.test(message.request_id) ? Number(message.request_id) : undefined;
    this.outstanding = id === undefined ? this.outstanding.slice(1) : this.outstanding.filter((k) => k > id);
    this.chains?.decode(Buffer.from(bytes), (frame) => onOutput(frame, arrivedNs, id));
  }

  send(frame: Frame): void {
    const socket = this.socket;
    const chains = this.chains;
    if (!socket || !chains || socket.readyState !== WebSocket.OPEN) return;
    if (this.outstanding.length >= MAX_PENDING) {
      this.refused++;
      return;
    }
    const seq = frame.seq;
    this.outstanding.push(seq);
    chains.encode(
      frame,
      (image) => {
        if (socket.readyState === WebSocket.OPEN)
          socket.send(packr.pack({ image_url: dataUri('image/jpeg', image), prompt: this.prompt, sync_mode: true, request_id: String(seq) }));
      },
      () => {
        this.refused++;
        this.outstanding = this.outstanding.filter((k) => k !== seq);
      },
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    const socket = this.socket;
    this.socket = null;
    await closeSocket(socket);
    await this.chains?.finish();
    this.chains = null;
  }
}

/** fal's realtime endpoints (`--model` an app with a realtime path; default the fast LCM image-to-image app). */
export const falRealtime: RealtimeVendor = {
  kind: 'realtime',
  name: 'fal-realtime',
  title: 'fal (realtime)',
  docs: 'https://docs.fal.ai/model-apis/real-time/quickstart',
  keyEnv: ['FAL_KEY'],
  defaultBaseUrl: 'https://rest.alpha.fal.ai',
  defaultModel: 'fal-ai/fast-lcm-diffusion',
  stimulus: { width: 512, height: 512 },
  sends:
    'POST /tokens/ {allowed_apps, token_expiration 120} with Authorization: Key; then wss://fal.run/{app}/realtime?fal_jwt_token=..&max_buffering=2, each frame of the 512x512 stimulus at 30 fps as a msgpack {image_url: JPEG data: URI, prompt, sync_mode, request_id}; outputs matched by the request_id they echo',
  cost: 'about 100 s of the app on a warm runner (up to 30 requests a second; the app drops what it cannot take)',
  target(s) {
    const [key] = vendorKeys(falRealtime, s.env);
    const rest = baseUrlOf(s.baseUrl);
    // fal's own hosts: tokens from its REST API, sockets on fal.run; a --vendor-url (a mock) serves both.
    const ws = rest === falRealtime.defaultBaseUrl ? 'wss://fal.run' : rest.replace(/^http/, 'ws');
    return new FalRealtimeTarget(vendorModel(falRealtime, s.model), key ?? '', rest, ws, s.prompt);
  },
};
