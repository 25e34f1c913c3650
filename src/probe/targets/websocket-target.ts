import WebSocket from 'ws';
import { closeSocket, socketOpened, watchSocket } from './socket-lifecycle.ts';
import { JpegChains } from './jpeg-chains.ts';
import { nowNs } from '../../core/clock.ts';
import { FramewiseError } from '../../core/errors.ts';
import type { TargetDefinition } from './target-definition.ts';
import type { Frame } from '../../core/frame.ts';
import { type FramePool, poolFitting } from '../../core/frame-pool.ts';
import type { OutputHandler, StimulusInfo, StreamTarget } from './target.ts';

/** How frames travel in WebSocket messages. */
export type WsFrameFormat = 'jpeg' | 'raw';

/** The 12-byte header of a `raw` message: "FWF1", then width and height as little-endian u32, then I420 bytes. */
export const RAW_MAGIC = 'FWF1';

/** Frames being encoded or queued on the socket before further ones are refused (a camera never waits). */
const MAX_PENDING = 3;

/** One `raw` message for an I420 frame. */
export function rawMessage(frame: Frame): Buffer {
  const header = Buffer.alloc(12);
  header.write(RAW_MAGIC, 0, 'latin1');
  header.writeUInt32LE(frame.width, 4);
  header.writeUInt32LE(frame.height, 8);
  return Buffer.concat([header, ...frame.planes]);
}

/**
 * `ws://` / `wss://`: one binary message per frame each way, as JPEG images (default, like hosted realtime image
 * APIs) or `raw` I420 with a 12-byte header. Text messages from the server are kept as diagnostics.
 */
export class WebSocketTarget implements StreamTarget {
  readonly name: string;
  private socket: WebSocket | null = null;
  private chains: JpegChains | null = null;
  private rawPool: FramePool | null = null;
  private pending = 0;
  refused = 0;
  /** The last text message the server sent (often an error or status). */
  lastText: string | null = null;
  /** Messages that could not be read as frames. */
  badMessages = 0;
  private failure: string | null = null;
  private closing = false;

  /** Why the connection failed during the run (closed by the server, a socket error), with its last text message. */
  get error(): string | null {
    if (this.failure === null) return null;
    return `${this.failure}${this.lastText ? ` (its last message: ${this.lastText})` : ''}`;
  }

  constructor(
    private readonly url: string,
    private readonly format: WsFrameFormat = 'jpeg',
    private readonly options: { headers?: Record<string, string>; connectTimeoutMs?: number } = {},
  ) {
    this.name = `${url} (${format})`;
  }

  async open(_info: StimulusInfo, onOutput: OutputHandler): Promise<void> {
    this.pending = 0;
    this.chains = this.format === 'jpeg' ? new JpegChains() : null;
    const socket = new WebSocket(this.url, { headers: this.options.headers ?? {} });
    this.socket = socket;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const arrivedNs = nowNs();
      if (!isBinary) {
        this.lastText = data.toString('utf8').slice(0, 500);
        return;
      }
      // Decode in arrival order; the arrival time is taken before decoding.
      if (this.chains) {
        this.chains.decode(
          data,
          (frame) => onOutput(frame, arrivedNs),
          () => this.badMessages++,
        );
        return;
      }
      let frame: Frame;
      try {
        frame = this.rawFrame(data);
      } catch {
        this.badMessages++;
        return;
      }
      onOutput(frame, arrivedNs);
      frame.release();
    });
    await socketOpened(socket, this.options.connectTimeoutMs ?? 10_000, this.url);
    this.closing = false;
    watchSocket(
      socket,
      'the server',
      () => this.closing,
      (reason) => (this.failure ??= reason),
    );
  }

  /** A raw frame message (FWF1, width, height, I420 planes) as a frame. */
  private rawFrame(data: Buffer): Frame {
    if (data.length < 12 || data.subarray(0, 4).toString('latin1') !== RAW_MAGIC) throw new FramewiseError('input-unreadable', 'not a raw frame message');
    const width = data.readUInt32LE(4);
    const height = data.readUInt32LE(8);
    this.rawPool = poolFitting(this.rawPool, width, height, 'i420');
    const frame = this.rawPool.acquire();
    let offset = 12;
    for (const plane of frame.planes) {
      if (offset + plane.byteLength > data.length) {
        frame.release();
        throw new FramewiseError('input-unreadable', 'raw frame message is shorter than its size says');
      }
      plane.set(data.subarray(offset, offset + plane.byteLength));
      offset += plane.byteLength;
    }
    return frame;
  }

  send(frame: Frame): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (this.pending >= MAX_PENDING || socket.bufferedAmount > MAX_PENDING * frame.width * frame.height * 2) {
      this.refused++;
      return;
    }
    if (!this.chains) {
      socket.send(rawMessage(frame));
      return;
    }
    this.pending++;
    this.chains.encode(
      frame,
      (image) => {
        this.pending--;
        if (socket.readyState === WebSocket.OPEN) socket.send(image);
      },
      () => {
        this.pending--;
        this.refused++;
      },
    );
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    this.closing = true;
    await closeSocket(socket);
    await this.chains?.finish();
    this.chains = null;
  }
}

/** `ws://` and `wss://`: one JPEG per message. */
export const webSocketTargetDefinition: TargetDefinition = {
  kind: 'ws',
  usage: 'ws://host/path (one JPEG frame per message)',
  summary: 'a WebSocket endpoint exchanging JPEG pictures, as hosted realtime image APIs do',
  matches: (spec) => /^wss?:\/\//.test(spec),
  create: (spec) => new WebSocketTarget(spec, 'jpeg'),
};

/** `ws+raw://` and `wss+raw://`: raw I420 per message. */
export const rawWebSocketTargetDefinition: TargetDefinition = {
  kind: 'ws+raw',
  usage: 'ws+raw://host/path (raw I420 per message)',
  summary: 'a WebSocket endpoint exchanging raw I420 frames (FWF1 header)',
  matches: (spec) => /^wss?\+raw:\/\//.test(spec),
  create: (spec) => new WebSocketTarget(spec.replace('+raw', ''), 'raw'),
};
