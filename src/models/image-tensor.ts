import type { Frame } from '../core/frame.ts';
import { roiToTensor } from './roi.ts';

/**
 * Fill `out` (NHWC, `width` x `height` x 3, float32) with the whole of `frame` stretched bilinearly, channels scaled
 * by `scale` (1/255 gives [0, 1]). Sampling follows TF's resizeBilinear without half-pixel centres (source = dest *
 * in / out), as the reference implementations of the zoo's models do. Reads rgba, rgb24, i420 and nv12.
 */
export function frameToTensor(frame: Frame, out: Float32Array, width: number, height: number, scale = 1 / 255): void {
  const roi = { xCenter: frame.width / 2, yCenter: frame.height / 2, width: frame.width, height: frame.height, rotation: 0 };
  roiToTensor(frame, roi, out, width, height, [0, 255 * scale]);
}
