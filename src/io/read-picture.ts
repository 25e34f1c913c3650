import { FramewiseError } from '../core/errors.ts';
import { MediaSource } from './media-source.ts';

/** One 8-bit plane of a picture. */
export interface PicturePlane {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decode the first picture of an image or video file (JPEG, PNG, ...) to I420 planes (copies). */
export async function readPicture(path: string): Promise<[PicturePlane, PicturePlane, PicturePlane]> {
  const source = new MediaSource({ input: path, format: 'i420' });
  await source.open();
  try {
    const frame = await source.read();
    if (!frame) throw new FramewiseError('input-unreadable', `${path} holds no picture`);
    const cw = (frame.width + 1) >> 1;
    const ch = (frame.height + 1) >> 1;
    const planes = frame.planes.map((p, i) => ({ width: i === 0 ? frame.width : cw, height: i === 0 ? frame.height : ch, data: Uint8Array.from(p) }));
    frame.release();
    return planes as [PicturePlane, PicturePlane, PicturePlane];
  } finally {
    await source.close();
  }
}
