import { FramewiseError } from '../core/errors.ts';
import { MediaSource } from './media-source.ts';

import type { PicturePlanes } from '../core/picture.ts';

export type { PicturePlane, PicturePlanes } from '../core/picture.ts';

/** Decode the first picture of an image or video file (JPEG, PNG, WebP, GIF...) to I420 planes (copies). */
export async function readPicture(path: string, options: { maxPixels?: number; inputFormat?: string } = {}): Promise<PicturePlanes> {
  const source = new MediaSource({
    input: path,
    format: 'i420',
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.inputFormat === undefined ? {} : { inputFormat: options.inputFormat }),
  });
  await source.open();
  try {
    const frame = await source.read();
    if (!frame) throw new FramewiseError('input-unreadable', `${path} holds no picture`);
    const cw = (frame.width + 1) >> 1;
    const ch = (frame.height + 1) >> 1;
    const planes = frame.planes.map((p, i) => ({ width: i === 0 ? frame.width : cw, height: i === 0 ? frame.height : ch, data: Uint8Array.from(p) }));
    frame.release();
    return planes as PicturePlanes;
  } finally {
    await source.close();
  }
}
