import { Frame } from '../src/core/frame.ts';

/** An RGBA band of pixels (ImageData) seen as a core Frame, so the shared frame-ID code can read and write it. */
export function frameOfImageData(image: ImageData): Frame {
  const bytes = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return new Frame({ width: image.width, height: image.height, format: 'rgba' }, [bytes]);
}
