/** One 8-bit plane of a picture. */
export interface PicturePlane {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A picture as its Y, U and V planes (I420). */
export type PicturePlanes = [PicturePlane, PicturePlane, PicturePlane];

/** Tightly packed planes of a picture: I420 (luma `width` wide, chroma half of it, rounded up) or one gray plane. */
export type PlaneBuffers = readonly [Uint8Array, Uint8Array, Uint8Array] | readonly [Uint8Array];
