import type { Frame } from '../../core/frame.ts';
import { type FramePool, poolFitting } from '../../core/frame-pool.ts';
import { JpegDecoder, JpegEncoder } from '../../io/jpeg-codec.ts';

/**
 * JPEG both ways for socket targets, off the caller's path and in order: frames to send are copied at once and
 * encoded one after another (the encoder reuses its picture), pictures that come back are decoded in arrival order.
 * `finish()` waits for both chains and releases the codecs.
 */
export class JpegChains {
  private readonly encoder: JpegEncoder;
  private readonly decoder = new JpegDecoder();
  private pool: FramePool | null = null;
  private encoding: Promise<void> = Promise.resolve();
  private decoding: Promise<void> = Promise.resolve();

  constructor(quality?: number) {
    this.encoder = new JpegEncoder(quality);
  }

  /** Encode a copy of `frame`, then hand the JPEG to `send`; `failed` runs instead when encoding fails. */
  encode(frame: Frame, send: (jpeg: Buffer) => void, failed: () => void): void {
    this.pool = poolFitting(this.pool, frame.width, frame.height, frame.format);
    const copy = this.pool.copyOf(frame);
    this.encoding = this.encoding
      .then(async () => send(Buffer.from(await this.encoder.encode(copy))))
      .catch(failed)
      .finally(() => copy.release());
  }

  /** Decode `jpeg`, hand the frame to `deliver` (released right after), or call `failed`. */
  decode(jpeg: Buffer, deliver: (frame: Frame) => void, failed: () => void = () => undefined): void {
    this.decoding = this.decoding.then(async () => {
      let frame: Frame;
      try {
        frame = await this.decoder.decode(jpeg);
      } catch {
        failed();
        return;
      }
      try {
        deliver(frame);
      } finally {
        frame.release();
      }
    });
  }

  async finish(): Promise<void> {
    await this.encoding;
    await this.decoding;
    this.encoder[Symbol.dispose]();
    this.decoder[Symbol.dispose]();
  }
}
