import { FramewiseError } from '../core/errors.ts';
import { type AvatarParams, decodeParams, encodeParams, PARAMS_BYTES } from './avatar-params.ts';

/** One data-channel message: the 20 parameter bytes, then the frame-ID of the camera frame they were read from. */
export const AVATAR_MESSAGE_BYTES = PARAMS_BYTES + 4;

/** Pack a frame's avatar parameters and its frame id (the page times the data path with it). */
export function avatarMessage(params: AvatarParams, frameId: number): Uint8Array {
  const bytes = new Uint8Array(AVATAR_MESSAGE_BYTES);
  bytes.set(encodeParams(params), 0);
  new DataView(bytes.buffer).setUint32(PARAMS_BYTES, frameId >>> 0, true);
  return bytes;
}

/** Unpack a message of `avatarMessage`; a clear error for anything else (it came over the network). */
export function readAvatarMessage(bytes: Uint8Array): { params: AvatarParams; frameId: number } {
  if (bytes.byteLength !== AVATAR_MESSAGE_BYTES)
    throw new FramewiseError('input-unreadable', `an avatar message is ${AVATAR_MESSAGE_BYTES} bytes, got ${bytes.byteLength}`);
  return { params: decodeParams(bytes.subarray(0, PARAMS_BYTES)), frameId: new DataView(bytes.buffer, bytes.byteOffset + PARAMS_BYTES, 4).getUint32(0, true) };
}
