import type { Frame } from './frame.ts';

/**
 * A frame-ID code burned into the pixels: a band of 36 square cells across the top of the frame,
 * `[white, black] + 24 id bits + 8 CRC bits + [black, white]`. Cells are 1/36 of the width, so the code survives
 * lossy encoding and uniform resizing; the sync cells give the reader its own black and white levels.
 */
export const FRAME_ID_CELLS = 36;
/** Ids wrap at 2^24 (155 hours at 30 fps). */
export const FRAME_ID_MODULO = 1 << 24;
const DATA_BITS = 32;
const WHITE_Y = 235;
const BLACK_Y = 16;

/** CRC-8 (polynomial 0x07) of the three bytes of a 24-bit id. */
export function crc8(id: number): number {
  let crc = 0;
  for (const byte of [(id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff]) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** The 36 cell values (1 = white) for `id`. */
function cellsFor(id: number): number[] {
  const value = ((id % FRAME_ID_MODULO) + FRAME_ID_MODULO) % FRAME_ID_MODULO;
  const word = value * 256 + crc8(value);
  const bits: number[] = [1, 0];
  for (let bit = DATA_BITS - 1; bit >= 0; bit--) bits.push(Math.floor(word / 2 ** bit) % 2);
  bits.push(0, 1);
  return bits;
}

/** Pixel bounds of cell `i` on a frame `width` wide: [x0, x1), and the band height. */
function cellBounds(width: number, i: number): [number, number, number] {
  const size = width / FRAME_ID_CELLS;
  return [Math.round(i * size), Math.round((i + 1) * size), Math.max(1, Math.round(size))];
}

/** Height in pixels of the code band on a frame `width` wide (content drawn there is overwritten). */
export function frameIdBandHeight(width: number): number {
  return Math.max(1, Math.round(width / FRAME_ID_CELLS));
}

/** Burn `id` into `frame`'s pixels (any pixel format). */
export function writeFrameId(frame: Frame, id: number): void {
  const cells = cellsFor(id);
  const band = Math.min(frameIdBandHeight(frame.width), frame.height);
  cells.forEach((on, i) => {
    const [x0, x1] = cellBounds(frame.width, i);
    fillCell(frame, x0, x1, band, on === 1);
  });
}

function fillCell(frame: Frame, x0: number, x1: number, band: number, white: boolean): void {
  const [p0, p1, p2] = frame.planes as [Uint8Array, Uint8Array?, Uint8Array?];
  const [s0, s1] = frame.strides as [number, number?];
  switch (frame.format) {
    case 'rgba':
    case 'rgb24': {
      const bpp = frame.format === 'rgba' ? 4 : 3;
      const v = white ? 255 : 0;
      for (let y = 0; y < band; y++) {
        for (let x = x0; x < x1; x++) {
          const o = y * s0 + x * bpp;
          p0[o] = v;
          p0[o + 1] = v;
          p0[o + 2] = v;
          if (bpp === 4) p0[o + 3] = 255;
        }
      }
      return;
    }
    case 'i420':
    case 'nv12': {
      for (let y = 0; y < band; y++) p0.fill(white ? WHITE_Y : BLACK_Y, y * s0 + x0, y * s0 + x1);
      const cx0 = x0 >> 1;
      const cx1 = (x1 + 1) >> 1;
      for (let y = 0; y < (band + 1) >> 1; y++) {
        if (frame.format === 'i420') {
          p1?.fill(128, y * (s1 ?? 0) + cx0, y * (s1 ?? 0) + cx1);
          p2?.fill(128, y * (s1 ?? 0) + cx0, y * (s1 ?? 0) + cx1);
        } else {
          p1?.fill(128, y * (s1 ?? 0) + cx0 * 2, y * (s1 ?? 0) + cx1 * 2);
        }
      }
    }
  }
}

/** Mean luma of the central half of a cell. */
function cellLuma(frame: Frame, x0: number, x1: number, band: number): number {
  const p0 = frame.planes[0] as Uint8Array;
  const stride = frame.strides[0] as number;
  const qx = Math.floor((x1 - x0) / 4);
  const qy = Math.floor(band / 4);
  const xa = x0 + qx;
  const xb = Math.max(xa + 1, x1 - qx);
  const ya = qy;
  const yb = Math.max(ya + 1, band - qy);
  let sum = 0;
  let n = 0;
  const packed = frame.format === 'rgba' ? 4 : frame.format === 'rgb24' ? 3 : 0;
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      if (packed) {
        const o = y * stride + x * packed;
        sum += ((p0[o] as number) * 77 + (p0[o + 1] as number) * 150 + (p0[o + 2] as number) * 29) >> 8;
      } else {
        sum += p0[y * stride + x] as number;
      }
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

/** Read the frame-ID code from `frame`; null when there is none or it fails its checks (sync cells, CRC). */
export function readFrameId(frame: Frame): number | null {
  const band = Math.min(frameIdBandHeight(frame.width), frame.height);
  if (frame.width < FRAME_ID_CELLS || band < 1) return null;
  const luma: number[] = [];
  for (let i = 0; i < FRAME_ID_CELLS; i++) {
    const [x0, x1] = cellBounds(frame.width, i);
    luma.push(cellLuma(frame, x0, x1, band));
  }
  const white = ((luma[0] as number) + (luma[FRAME_ID_CELLS - 1] as number)) / 2;
  const black = ((luma[1] as number) + (luma[FRAME_ID_CELLS - 2] as number)) / 2;
  if (white - black < 40) return null;
  const threshold = (white + black) / 2;
  let word = 0;
  for (let i = 2; i < 2 + DATA_BITS; i++) word = word * 2 + ((luma[i] as number) > threshold ? 1 : 0);
  const id = Math.floor(word / 256);
  return crc8(id) === word % 256 ? id : null;
}
