import { AVMEDIA_TYPE_VIDEO } from 'node-av/constants';
import { Codec, CodecContext, Dictionary, FormatContext, Frame as AvFrame, Packet } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';

/** Packets of a stream read to find its first picture when the container declares no size (10 s at 30 fps: a GOP). */
const PROOF_PACKETS = 300;

/** A picture larger than a source's limit, found before FFmpeg probed (and so decoded) the stream. */
export class PictureTooLargeError extends FramewiseError {
  constructor(
    input: string,
    /** The declared size, when a header gave one. */
    readonly size: { width: number; height: number } | null,
    readonly maxPixels: number,
  ) {
    super(
      'unsupported-format',
      size
        ? `input "${input}" is ${size.width}x${size.height}, larger than the limit of ${maxPixels} pixels: downscale it first or raise maxPixels`
        : `input "${input}" is larger than the limit of ${maxPixels} pixels: downscale it first or raise maxPixels`,
    );
    this.name = 'PictureTooLargeError';
  }
}

/**
 * Check the picture size of every video stream of an opened input before `findStreamInfo`, which decodes frames
 * and would allocate whatever size a file claims (a tiny file can claim 16000x16000). A size the container
 * declares (Matroska, MP4, AVI, Y4M, IVF headers) is checked as it is. A size only the bitstream carries (MPEG-TS,
 * raw H.264/HEVC) is found by decoding the stream's first pictures, on a second reading of the file, with the
 * decoder's own pixel limit (FFmpeg's `max_pixels`) so it refuses to allocate a larger one. Local files only: a
 * network stream cannot be read twice.
 */
export async function guardPictureSizes(
  fmt: FormatContext,
  input: string,
  inputOptions: Record<string, string>,
  maxPixels: number,
  local: boolean,
): Promise<void> {
  const undeclared: number[] = [];
  for (const stream of fmt.streams ?? []) {
    const { width, height, codecType } = stream.codecpar;
    if (codecType !== AVMEDIA_TYPE_VIDEO) continue;
    if (width > 0 && height > 0) {
      if (width * height > maxPixels) throw new PictureTooLargeError(input, { width, height }, maxPixels);
    } else undeclared.push(stream.index);
  }
  if (local && undeclared.length > 0) for (const index of undeclared) await proveSize(input, inputOptions, index, maxPixels);
}

/** Decode the first pictures of one stream under the pixel limit; throws when the decoder refused their size. */
async function proveSize(input: string, inputOptions: Record<string, string>, index: number, maxPixels: number): Promise<void> {
  const fmt = new FormatContext();
  const packet = new Packet();
  packet.alloc();
  const frame = new AvFrame();
  frame.alloc();
  let decoder: CodecContext | null = null;
  try {
    const opened = await fmt.openInput(input, null, Object.keys(inputOptions).length > 0 ? Dictionary.fromObject(inputOptions) : null);
    const stream = fmt.streams?.[index];
    if (opened < 0 || !stream) return; // the main open reports what is wrong with the file
    const codec = Codec.findDecoder(stream.codecpar.codecId);
    if (!codec) return;
    decoder = new CodecContext();
    decoder.allocContext3(codec);
    if (decoder.parametersToContext(stream.codecpar) < 0) return;
    decoder.threadCount = 1;
    if ((await decoder.open2(codec, Dictionary.fromObject({ max_pixels: String(maxPixels) }))) < 0) return;
    // A picture over max_pixels is refused when its buffer would be allocated; the size the bitstream declared is
    // left in the decoder's context by then, which tells a refused size from corrupt data (left to the main open).
    for (let fed = 0; fed < PROOF_PACKETS;) {
      const read = await fmt.readFrame(packet);
      if (read < 0) break;
      if (packet.streamIndex === index) {
        fed++;
        await decoder.sendPacket(packet);
        if (decoder.receiveFrameSync(frame) >= 0) return;
        const { width, height } = decoder;
        if (width > 0 && height > 0 && width * height > maxPixels) throw new PictureTooLargeError(input, { width, height }, maxPixels);
      }
      packet.unref();
    }
  } finally {
    decoder?.freeContext();
    frame.free();
    packet.free();
    await fmt.closeInput();
  }
}
