/** Pixel formats a Frame can carry, and the byte layout of each. */

/** `rgba`/`rgb24` are packed; `i420` is planar Y, U, V with 2x2-subsampled chroma; `nv12` is Y then interleaved UV. */
export type PixelFormat = 'rgba' | 'rgb24' | 'i420' | 'nv12';

/** All formats, for validation and help texts. */
export const PIXEL_FORMATS: readonly PixelFormat[] = ['rgba', 'rgb24', 'i420', 'nv12'];

/** Byte size and row stride of one plane. */
export interface PlaneLayout {
  readonly stride: number;
  readonly rows: number;
  readonly bytes: number;
}

/** Tightly packed plane layouts for a format at a size (chroma planes round up for odd sizes). */
export function planeLayouts(format: PixelFormat, width: number, height: number): PlaneLayout[] {
  const plane = (stride: number, rows: number): PlaneLayout => ({ stride, rows, bytes: stride * rows });
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  switch (format) {
    case 'rgba':
      return [plane(width * 4, height)];
    case 'rgb24':
      return [plane(width * 3, height)];
    case 'i420':
      return [plane(width, height), plane(cw, ch), plane(cw, ch)];
    case 'nv12':
      return [plane(width, height), plane(cw * 2, ch)];
  }
}

/** Total bytes of a tightly packed frame. */
export function frameBytes(format: PixelFormat, width: number, height: number): number {
  return planeLayouts(format, width, height).reduce((sum, p) => sum + p.bytes, 0);
}

/** True when `value` names a supported pixel format. */
export function isPixelFormat(value: string): value is PixelFormat {
  return (PIXEL_FORMATS as readonly string[]).includes(value);
}
