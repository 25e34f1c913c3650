import { FramewiseError } from '../../core/errors.ts';
import type { Frame } from '../../core/frame.ts';
import type { ReceiverStats } from '../../io/webrtc/receiver-stats.ts';
import { WhipTarget } from '../targets/whip-target.ts';
import type { OutputHandler, StimulusInfo, StreamTarget } from '../targets/target.ts';
import { baseUrlOf, type RealtimeVendor, vendorKeys, vendorModel } from './vendor.ts';

/**
 * A Daydream stream: created over its REST API (POST /v1/streams), fed over WHIP at the `whip_url` it returns, watched
 * over WHEP at the URL the WHIP answer gives in its `livepeer-playback-url` header; deleted when the run ends.
 */
export class DaydreamTarget implements StreamTarget {
  readonly name: string;
  private inner: WhipTarget | null = null;
  private streamId: string | null = null;
  /** The measured (first) run's WebRTC stats: each open makes a new stream and a new WHIP target. */
  private firstStats: ReceiverStats | null = null;

  constructor(
    private readonly base: string,
    private readonly key: string,
    private readonly model: string,
    private readonly prompt: string,
  ) {
    this.name = `daydream:${base} (${model})`;
  }

  get refused(): number {
    return this.inner?.refused ?? 0;
  }

  get receiverStats(): ReceiverStats | null {
    return this.firstStats ?? this.inner?.receiverStats ?? null;
  }

  get error(): string | null {
    return this.inner?.error ?? null;
  }

  async open(info: StimulusInfo, onOutput: OutputHandler): Promise<void> {
    const response = await fetch(`${this.base}/v1/streams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'streamdiffusion', params: { model_id: this.model, prompt: this.prompt, width: info.width, height: info.height } }),
      signal: AbortSignal.timeout(30_000),
    }).catch((err: unknown) => {
      throw new FramewiseError('input-unreadable', `cannot reach ${this.base}: ${(err as Error).message}`);
    });
    const text = await response.text();
    if (!response.ok) throw new FramewiseError('input-unreadable', `creating a Daydream stream: HTTP ${response.status} ${text.slice(0, 300)}`);
    let created: { id?: unknown; whip_url?: unknown };
    try {
      created = JSON.parse(text) as { id?: unknown; whip_url?: unknown };
    } catch {
      throw new FramewiseError('input-unreadable', `creating a Daydream stream: the answer is not JSON (${text.slice(0, 80)})`);
    }
    if (typeof created.whip_url !== 'string' || !/^https?:\/\//.test(created.whip_url))
      throw new FramewiseError('input-unreadable', 'the created Daydream stream has no whip_url');
    this.streamId = typeof created.id === 'string' ? created.id : null;
    this.inner = new WhipTarget(created.whip_url, { whepFromHeader: 'livepeer-playback-url' });
    await this.inner.open(info, onOutput);
  }

  send(frame: Frame): void {
    this.inner?.send(frame);
  }

  async close(): Promise<void> {
    await this.inner?.close();
    this.firstStats ??= this.inner?.receiverStats ?? null;
    const id = this.streamId;
    this.streamId = null;
    if (id === null) return;
    // The stream is not needed any more; a failure to delete it does not change what was measured.
    await fetch(`${this.base}/v1/streams/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { authorization: `Bearer ${this.key}` } })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
  }
}

/** Daydream's realtime StreamDiffusion: REST to create the stream, WHIP in, WHEP out. */
export const daydream: RealtimeVendor = {
  kind: 'realtime',
  name: 'daydream',
  title: 'Daydream',
  docs: 'https://docs.daydream.live/api-reference/create-stream',
  keyEnv: ['DAYDREAM_API_KEY'],
  defaultBaseUrl: 'https://api.daydream.live',
  defaultModel: 'stabilityai/sd-turbo',
  stimulus: { width: 512, height: 512 },
  sends:
    'POST /v1/streams {pipeline "streamdiffusion", params: {model_id, prompt, width, height}}; then the 512x512 stimulus at 30 fps over WHIP to whip_url, the output read over WHEP from the livepeer-playback-url header of the WHIP answer; DELETE /v1/streams/{id} at the end',
  cost: 'two streams (the run and a warm restart), about 100 s of StreamDiffusion at the defaults',
  target(s) {
    const [key] = vendorKeys(daydream, s.env);
    return new DaydreamTarget(baseUrlOf(s.baseUrl), key ?? '', vendorModel(daydream, s.model), s.prompt);
  },
};
