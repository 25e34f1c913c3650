/** Copy `rows` rows of `rowBytes` between buffers with different strides (FFmpeg pads rows; our planes do not). */
export function copyPlane(src: Uint8Array, srcStride: number, dst: Uint8Array, dstStride: number, rowBytes: number, rows: number): void {
  if (srcStride === dstStride && srcStride === rowBytes) {
    dst.set(src.subarray(0, rowBytes * rows));
    return;
  }
  for (let y = 0; y < rows; y++) dst.set(src.subarray(y * srcStride, y * srcStride + rowBytes), y * dstStride);
}
