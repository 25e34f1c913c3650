import { resampleTaps } from './resample-taps.ts';
import type { Plane } from './plane-ops.ts';

/** Cell classes of a mask grid: the four corners of a cell all background, all person, or mixed. */
export const CELL_MIXED = 0;
export const CELL_BACKGROUND = 1;
export const CELL_PERSON = 2;

/**
 * A person mask at the model's resolution (size x size bytes, 0-255), with each cell (a pixel and its right, lower
 * and lower-right neighbours) classed as all background, all person or mixed. Blending at frame resolution then
 * reads the mask bilinearly only where a cell is mixed (the person's outline, a few percent of the picture) and
 * never builds a full-resolution mask.
 */
export class MaskGrid {
  readonly values: Uint8Array;
  readonly cells: Uint8Array;

  constructor(readonly size: number) {
    this.values = new Uint8Array(size * size);
    this.cells = new Uint8Array(size * size);
  }

  /** Take a size x size map of person probabilities (0-1). */
  update(probabilities: Float32Array): void {
    const { size, values, cells } = this;
    for (let i = 0; i < values.length; i++) values[i] = (probabilities[i] as number) * 255 + 0.5;
    for (let y = 0; y < size; y++) {
      const r0 = y * size;
      const r1 = Math.min(y + 1, size - 1) * size;
      for (let x = 0; x < size; x++) {
        const x1 = Math.min(x + 1, size - 1);
        const a = values[r0 + x] as number;
        const b = values[r0 + x1] as number;
        const c = values[r1 + x] as number;
        const d = values[r1 + x1] as number;
        const sum = a + b + c + d;
        cells[r0 + x] = sum === 0 ? CELL_BACKGROUND : sum === 1020 ? CELL_PERSON : CELL_MIXED;
      }
    }
  }

  /** The mask resampled (bilinear, half-pixel centres) into `out`, e.g. a small copy for the background blur. */
  sampleInto(out: Plane): void {
    const { size, values } = this;
    const tx = resampleTaps(out.width, size);
    const ty = resampleTaps(out.height, size);
    let o = 0;
    for (let y = 0; y < out.height; y++) {
      const r0 = (ty.i0[y] as number) * size;
      const r1 = (ty.i1[y] as number) * size;
      const wy = ty.w[y] as number;
      for (let x = 0; x < out.width; x++) {
        const x0 = tx.i0[x] as number;
        const x1 = tx.i1[x] as number;
        const wx = tx.w[x] as number;
        const top = (values[r0 + x0] as number) + ((values[r0 + x1] as number) - (values[r0 + x0] as number)) * wx;
        const bottom = (values[r1 + x0] as number) + ((values[r1 + x1] as number) - (values[r1 + x0] as number)) * wx;
        out.data[o++] = top + (bottom - top) * wy + 0.5;
      }
    }
  }
}
