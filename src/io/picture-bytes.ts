import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import { type PicturePlanes, readPicture } from './read-picture.ts';

/** The picture formats accepted as bytes from the outside, by their signature, with the demuxer that reads each. */
const SIGNATURES: readonly { format: string; demuxer: string; matches(b: Uint8Array): boolean }[] = [
  { format: 'jpeg', demuxer: 'jpeg_pipe', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { format: 'png', demuxer: 'png_pipe', matches: (b) => ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n' },
  { format: 'webp', demuxer: 'webp_pipe', matches: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP' },
  { format: 'gif', demuxer: 'gif', matches: (b) => ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a' },
];

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** The picture format of `bytes` by its signature (jpeg, png, webp, gif), or null. */
export function pictureFormat(bytes: Uint8Array): string | null {
  return SIGNATURES.find((s) => s.matches(bytes))?.format ?? null;
}

/**
 * Decode a JPEG, PNG, WebP or GIF given as bytes (an upload) to I420 planes. The format comes from the signature and
 * FFmpeg is told which demuxer to use, so no other kind of file (a playlist naming other files) is ever parsed.
 */
export async function decodePictureBytes(bytes: Uint8Array, options: { maxPixels: number }): Promise<PicturePlanes> {
  const signature = SIGNATURES.find((s) => s.matches(bytes));
  if (!signature) throw new FramewiseError('unsupported-format', 'the upload is not a picture: send a JPEG, PNG, WebP or GIF file');
  const dir = await mkdtemp(join(tmpdir(), 'framewise-picture-'));
  try {
    const path = join(dir, `picture.${signature.format}`);
    await writeFile(path, bytes, { mode: 0o600 });
    try {
      return await readPicture(path, { maxPixels: options.maxPixels, inputFormat: signature.demuxer });
    } catch (err) {
      if (err instanceof FramewiseError && err.code === 'unsupported-format' && /larger than the limit/.test(err.message))
        throw new FramewiseError('unsupported-format', `the picture is larger than the limit of ${options.maxPixels} pixels: send a smaller one`);
      throw new FramewiseError('input-unreadable', `the ${signature.format.toUpperCase()} picture cannot be decoded: it is truncated or corrupt`, {
        cause: err,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
