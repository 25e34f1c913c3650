import { describeError, FramewiseError } from '../../core/errors.ts';
import type { TargetDefinition } from './target-definition.ts';
import type { Frame } from '../../core/frame.ts';
import type { ReceiverStats } from '../../io/webrtc/receiver-stats.ts';
import type { TrackSource } from '../../io/webrtc/track-source.ts';
import { WebRtcClient } from '../../io/webrtc/webrtc-client.ts';
import type { OutputHandler, StimulusInfo, StreamTarget } from './target.ts';

/** Options of a WHIP target. */
export interface WhipTargetOptions {
  /** Receive the output from this WHEP endpoint instead of the WHIP connection; `{session}` is replaced by the WHIP session id. */
  whepUrl?: string;
  /** Bearer token for WHIP and WHEP. */
  token?: string;
  /** Receive the output from the WHEP URL the WHIP answer names in this header (e.g. `livepeer-playback-url`). */
  whepFromHeader?: string;
}

/**
 * `whip:<url>`: publish the stimulus over WebRTC (WHIP, RFC 9725) and read the output either from the same peer
 * connection (sendrecv, as Framewise's server and most realtime AI endpoints do) or from a WHEP endpoint. Keeps the
 * receiver's WebRTC stats (jitter buffer, dropped frames, freezes) of its first run for the report.
 */
export class WhipTarget implements StreamTarget {
  readonly name: string;
  private publisher: WebRtcClient | null = null;
  private viewer: WebRtcClient | null = null;
  private reading: Promise<void> | null = null;
  /** Receiver stats at the end of the first run (the measured one). */
  receiverStats: ReceiverStats | null = null;
  private runs = 0;
  private closing = false;
  private failure: string | null = null;

  /** Why the output stopped during the run (the connection dropped, the remote end hung up), or null. */
  get error(): string | null {
    return this.failure;
  }

  constructor(
    private readonly whipUrl: string,
    private readonly options: WhipTargetOptions = {},
  ) {
    this.name = `whip:${whipUrl}${options.whepUrl ? ` (output via WHEP ${options.whepUrl})` : ''}`;
  }

  get refused(): number {
    return 0;
  }

  async open(_info: StimulusInfo, onOutput: OutputHandler): Promise<void> {
    const auth = this.options.token ? { token: this.options.token } : {};
    const separate = this.options.whepUrl !== undefined || this.options.whepFromHeader !== undefined;
    this.publisher = await WebRtcClient.publish(this.whipUrl, { ...auth, receive: !separate });
    if (this.options.whepUrl) {
      const session = this.publisher.resourceUrl.split('/').pop() ?? '';
      this.viewer = await WebRtcClient.view(this.options.whepUrl.replace('{session}', encodeURIComponent(session)), auth);
    } else if (this.options.whepFromHeader) {
      const named = this.publisher.answerHeaders.get(this.options.whepFromHeader);
      if (!named || !/^https?:\/\//.test(named))
        throw new FramewiseError('input-unreadable', `the WHIP answer of ${this.whipUrl} names no output in its ${this.options.whepFromHeader} header`);
      this.viewer = await WebRtcClient.view(new URL(named, this.whipUrl).toString(), auth);
    }
    const returned = (this.viewer ?? this.publisher).received;
    if (!returned) throw new FramewiseError('invalid-state', 'the WHIP target receives no video');
    this.closing = false;
    this.reading = pump(returned, onOutput).then((ended) => {
      if (!this.closing) this.failure ??= `the returned video ended while the probe was still sending${ended ? `: ${ended}` : ''}`;
    });
  }

  send(frame: Frame): void {
    this.publisher?.send(frame);
  }

  async close(): Promise<void> {
    this.closing = true;
    const receiver = this.viewer ?? this.publisher;
    if (receiver && this.runs++ === 0) this.receiverStats = await receiver.stats().catch(() => null);
    await this.viewer?.close();
    await this.publisher?.close();
    await this.reading;
    this.viewer = null;
    this.publisher = null;
    this.reading = null;
  }
}

/**
 * Hand every returned frame to the probe with its arrival time (taken when libwebrtc delivered the picture).
 * Resolves with why the video stopped when it failed, else null.
 */
async function pump(source: TrackSource, onOutput: OutputHandler): Promise<string | null> {
  try {
    await source.open();
    for (let frame = await source.read(); frame; frame = await source.read()) {
      onOutput(frame, frame.captureNs);
      frame.release();
    }
    return null;
  } catch (err) {
    return describeError(err);
  }
}

/** `whip:<url>[,whep:<url>]`. */
export const whipTargetDefinition: TargetDefinition = {
  kind: 'whip',
  usage: 'whip:http://host/whip[,whep:http://host/whep/{session}] (WebRTC; output on the same connection, or via WHEP)',
  summary: 'a WebRTC endpoint: WHIP ingest, output on the same connection or through WHEP',
  matches: (spec) => spec.startsWith('whip:'),
  create: (spec, options) => {
    const [whip, whep, ...rest] = spec.slice('whip:'.length).split(',');
    if (!whip || !/^https?:\/\//.test(whip) || rest.length > 0 || (whep !== undefined && !/^whep:https?:\/\//.test(whep))) {
      throw new FramewiseError(
        'invalid-argument',
        `"${spec}" is not a WHIP target: use whip:http://host/whip or whip:http://host/whip,whep:http://host/whep/{session}`,
      );
    }
    return new WhipTarget(whip, { ...(whep ? { whepUrl: whep.slice('whep:'.length) } : {}), ...(options.token ? { token: options.token } : {}) });
  },
};
