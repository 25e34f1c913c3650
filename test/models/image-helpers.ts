import { Frame } from '../../src/core/frame.ts';
import { MediaSource } from '../../src/io/media-source.ts';

/** Decode a still image (JPEG, PNG) with FFmpeg into an rgba frame; the caller releases it. */
export async function readImage(path: string): Promise<Frame> {
  const source = new MediaSource({ input: path, format: 'rgba' });
  await source.open();
  try {
    const frame = await source.read();
    if (!frame) throw new Error(`no picture in ${path}`);
    const copy = Frame.alloc({ width: frame.width, height: frame.height, format: 'rgba' });
    (copy.planes[0] as Uint8Array).set(frame.planes[0] as Uint8Array);
    frame.release();
    return copy;
  } finally {
    await source.close();
  }
}
