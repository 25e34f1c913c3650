import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';
import type { EffectDefinition } from './effect.ts';

/** Flips the picture left to right, as video-call apps show a self view. Rows are reversed natively, in place. */
export class MirrorStage implements Stage {
  readonly name = 'mirror';

  process(frame: Frame): Frame {
    frame.planes.forEach((plane, i) => {
      const stride = frame.strides[i] as number;
      const pixelBytes = frame.format === 'rgba' ? 4 : frame.format === 'rgb24' ? 3 : frame.format === 'nv12' && i === 1 ? 2 : 1;
      for (let offset = 0; offset + stride <= plane.byteLength; offset += stride) reverseRow(plane, offset, stride, pixelBytes);
    });
    return frame;
  }
}

function reverseRow(plane: Uint8Array, offset: number, bytes: number, pixelBytes: number): void {
  if (pixelBytes === 1) {
    plane.subarray(offset, offset + bytes).reverse();
    return;
  }
  if (pixelBytes === 4 && (plane.byteOffset + offset) % 4 === 0) {
    new Uint32Array(plane.buffer, plane.byteOffset + offset, bytes / 4).reverse();
    return;
  }
  if (pixelBytes === 2 && (plane.byteOffset + offset) % 2 === 0) {
    new Uint16Array(plane.buffer, plane.byteOffset + offset, bytes / 2).reverse();
    return;
  }
  const count = bytes / pixelBytes;
  for (let a = 0, b = count - 1; a < b; a++, b--) {
    for (let k = 0; k < pixelBytes; k++) {
      const ia = offset + a * pixelBytes + k;
      const ib = offset + b * pixelBytes + k;
      const t = plane[ia] as number;
      plane[ia] = plane[ib] as number;
      plane[ib] = t;
    }
  }
}

/** `mirror`: a self view. */
export const mirrorEffect: EffectDefinition = {
  name: 'mirror',
  summary: 'flips the picture left to right, like a self view',
  costMs: 0.5,
  create: () => new MirrorStage(),
};
