import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';

/** A colour as BT.601 limited-range Y, U, V. */
export type Yuv = readonly [number, number, number];

/** Overlay colours. */
export const COLOURS = {
  green: [145, 54, 34],
  red: [81, 90, 240],
  yellow: [210, 16, 146],
  cyan: [170, 166, 16],
  white: [235, 128, 128],
} as const satisfies Record<string, Yuv>;

/** The overlay drawers need i420 (what decoders and WebRTC deliver); other formats are a clear error. */
export function requireI420(frame: Frame, stage: string): void {
  if (frame.format !== 'i420') throw new FramewiseError('unsupported-format', `${stage} draws on i420 frames, got ${frame.format}: decode to i420`);
}

/** Fill the axis-aligned rectangle [x0, x1) x [y0, y1) (clipped to the frame) with `colour`. */
export function fillRect(frame: Frame, x0: number, y0: number, x1: number, y1: number, colour: Yuv): void {
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(frame.width, Math.ceil(x1));
  const bottom = Math.min(frame.height, Math.ceil(y1));
  if (right <= left || bottom <= top) return;
  const [yp, up, vp] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
  const ys = frame.strides[0] as number;
  const cs = frame.strides[1] as number;
  for (let y = top; y < bottom; y++) yp.fill(colour[0], y * ys + left, y * ys + right);
  for (let y = top >> 1; y < (bottom + 1) >> 1; y++) {
    up.fill(colour[1], y * cs + (left >> 1), y * cs + ((right + 1) >> 1));
    vp.fill(colour[2], y * cs + (left >> 1), y * cs + ((right + 1) >> 1));
  }
}

/** The outline of a box, `thickness` pixels wide, inside its edges. */
export function strokeRect(frame: Frame, box: { xMin: number; yMin: number; width: number; height: number }, thickness: number, colour: Yuv): void {
  const { xMin: x, yMin: y, width: w, height: h } = box;
  fillRect(frame, x, y, x + w, y + thickness, colour);
  fillRect(frame, x, y + h - thickness, x + w, y + h, colour);
  fillRect(frame, x, y, x + thickness, y + h, colour);
  fillRect(frame, x + w - thickness, y, x + w, y + h, colour);
}

/** A square dot of side 2 x `radius` centred on (x, y). */
export function dot(frame: Frame, x: number, y: number, radius: number, colour: Yuv): void {
  fillRect(frame, x - radius, y - radius, x + radius, y + radius, colour);
}

/** A line from a to b made of dots every pixel along its length. */
export function line(frame: Frame, a: { x: number; y: number }, b: { x: number; y: number }, radius: number, colour: Yuv): void {
  const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y)));
  for (let i = 0; i <= steps; i++) dot(frame, a.x + ((b.x - a.x) * i) / steps, a.y + ((b.y - a.y) * i) / steps, radius, colour);
}

/** 3x5 bitmaps of the digits, one row per 3 bits, top row first. */
const DIGITS = [0o75557, 0o22222, 0o71747, 0o71717, 0o55711, 0o74717, 0o74757, 0o71111, 0o75757, 0o75717];

/** Draw the digits of `value` with their top-left at (x, y), each cell `scale` pixels, on a dark plate. */
export function number(frame: Frame, value: number, x: number, y: number, scale: number, colour: Yuv): void {
  const text = String(Math.max(0, Math.floor(value)));
  fillRect(frame, x - scale, y - scale, x + (text.length * 4 + 1) * scale, y + 6 * scale, [16, 128, 128]);
  [...text].forEach((ch, i) => {
    const bits = DIGITS[Number(ch)] ?? 0;
    for (let row = 0; row < 5; row++)
      for (let col = 0; col < 3; col++) {
        if ((bits >> ((4 - row) * 3 + (2 - col))) & 1) {
          const px = x + (i * 4 + col) * scale;
          const py = y + row * scale;
          fillRect(frame, px, py, px + scale, py + scale, colour);
        }
      }
  });
}
