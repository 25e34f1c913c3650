import { FramewiseError } from '../core/errors.ts';

/**
 * What drives a character, per frame: head rotation in degrees and expression in 0..1 (brows -1..1), all read from
 * the face mesh (avatar-solver.ts). Plain numbers, so they travel anywhere: frame.meta.avatar, a data channel, JSON.
 */
export interface AvatarParams {
  /** A face was found in this frame (else the other values hold the last ones seen). */
  face: boolean;
  /** Degrees: nose toward the picture's right is positive. */
  yaw: number;
  /** Degrees: looking up is positive. */
  pitch: number;
  /** Degrees: leaning clockwise in the picture is positive. */
  roll: number;
  /** 0 closed .. 1 wide open, for the eye on the picture's left (the person's right eye) and right. */
  eyeLeft: number;
  eyeRight: number;
  /** 0 closed .. 1 wide open. */
  mouthOpen: number;
  /** 0 narrow (pursed) .. 1 wide (stretched); about 0.5 at rest. */
  mouthWidth: number;
  /** 0 neutral .. 1 broad smile (mouth corners up). */
  smile: number;
  /** -1 lowered .. 0 at rest .. 1 raised, for the brow on the picture's left and right. */
  browLeft: number;
  browRight: number;
  /** Where the face is, as a fraction of the picture (centre between the eyes) and its size (eye-corner distance / picture width). */
  x: number;
  y: number;
  size: number;
}

/** A frame with no face ever seen: frontal, eyes open, mouth shut, in the middle. */
export const NEUTRAL_PARAMS: AvatarParams = {
  face: false,
  yaw: 0,
  pitch: 0,
  roll: 0,
  eyeLeft: 1,
  eyeRight: 1,
  mouthOpen: 0,
  mouthWidth: 0.5,
  smile: 0,
  browLeft: 0,
  browRight: 0,
  x: 0.5,
  y: 0.4,
  size: 0.15,
};

/** Bytes of one encoded frame of parameters (what a data channel carries instead of video). */
export const PARAMS_BYTES = 20;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const angle = (v: number): number => Math.round(clamp(v, -90, 90) * 100);
const unit = (v: number): number => Math.round(clamp(v, 0, 1) * 255);
const signed = (v: number): number => Math.round(clamp(v, -1, 1) * 127);

/**
 * Pack parameters into 20 bytes: a version/flags byte, three angles as int16 hundredths of a degree, eight
 * expression and position values as bytes, and the size as uint16 ten-thousandths. Lossy only below the
 * precision anyone could see (0.01 degree, 1/255).
 */
export function encodeParams(p: AvatarParams): Uint8Array {
  const bytes = new Uint8Array(PARAMS_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x10 | (p.face ? 1 : 0));
  view.setInt16(1, angle(p.yaw), true);
  view.setInt16(3, angle(p.pitch), true);
  view.setInt16(5, angle(p.roll), true);
  view.setUint8(7, unit(p.eyeLeft));
  view.setUint8(8, unit(p.eyeRight));
  view.setUint8(9, unit(p.mouthOpen));
  view.setUint8(10, unit(p.mouthWidth));
  view.setUint8(11, unit(p.smile));
  view.setInt8(12, signed(p.browLeft));
  view.setInt8(13, signed(p.browRight));
  view.setUint16(14, Math.round(clamp(p.x, 0, 1) * 65535), true);
  view.setUint16(16, Math.round(clamp(p.y, 0, 1) * 65535), true);
  view.setUint16(18, Math.round(clamp(p.size, 0, 1) * 65535), true);
  return bytes;
}

/** Unpack 20 bytes from `encodeParams`; a clear error for anything else (the bytes may come from the network). */
export function decodeParams(bytes: Uint8Array): AvatarParams {
  if (bytes.byteLength !== PARAMS_BYTES) throw new FramewiseError('input-unreadable', `avatar parameters are ${PARAMS_BYTES} bytes, got ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = view.getUint8(0);
  if (head >> 4 !== 1) throw new FramewiseError('input-unreadable', `unknown avatar parameter format ${head >> 4}`);
  return {
    face: (head & 1) === 1,
    yaw: view.getInt16(1, true) / 100,
    pitch: view.getInt16(3, true) / 100,
    roll: view.getInt16(5, true) / 100,
    eyeLeft: view.getUint8(7) / 255,
    eyeRight: view.getUint8(8) / 255,
    mouthOpen: view.getUint8(9) / 255,
    mouthWidth: view.getUint8(10) / 255,
    smile: view.getUint8(11) / 255,
    browLeft: view.getInt8(12) / 127,
    browRight: view.getInt8(13) / 127,
    x: view.getUint16(14, true) / 65535,
    y: view.getUint16(16, true) / 65535,
    size: view.getUint16(18, true) / 65535,
  };
}
