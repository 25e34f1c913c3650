/**
 * VP8 over RTP (RFC 7741), both ways, without a jitter buffer: a frame is handed on the moment its last packet
 * arrives, and a gap in the sequence drops it (the receiver then asks for a keyframe). On a loopback or LAN link
 * nothing is reordered; on a lossy one, the frame is lost rather than waited for: what a live path wants.
 */

/** Payload bytes per packet, leaving room for RTP, header extensions and SRTP within a 1200-byte MTU. */
export const VP8_MAX_PAYLOAD = 1100;

/** One packet's worth of a frame: the VP8 payload descriptor and a piece of the frame, and whether it ends the frame. */
export interface Vp8Packet {
  payload: Buffer;
  marker: boolean;
}

/**
 * Split one VP8 frame into RTP payloads: a payload descriptor with a 15-bit picture id (so a receiver can tell
 * frames apart across a loss), S=1 on the first packet, the marker on the last.
 */
export function packetizeVp8(frame: Buffer, pictureId: number, maxPayload = VP8_MAX_PAYLOAD): Vp8Packet[] {
  const header = 4;
  const room = maxPayload - header;
  const packets: Vp8Packet[] = [];
  for (let offset = 0; offset < frame.length || packets.length === 0; offset += room) {
    const piece = frame.subarray(offset, Math.min(frame.length, offset + room));
    const payload = Buffer.allocUnsafe(header + piece.length);
    payload[0] = 0x80 | (offset === 0 ? 0x10 : 0); // X, S (partition 0)
    payload[1] = 0x80; // I: picture id present
    payload[2] = 0x80 | ((pictureId >> 8) & 0x7f); // M: 15-bit picture id
    payload[3] = pictureId & 0xff;
    piece.copy(payload, header);
    packets.push({ payload, marker: offset + room >= frame.length });
  }
  return packets;
}

/** Where a packet's VP8 data starts after its payload descriptor, and whether it starts partition 0; null if malformed. */
export function vp8Descriptor(payload: Buffer): { start: boolean; offset: number } | null {
  if (payload.length < 1) return null;
  const first = payload[0] as number;
  let offset = 1;
  if (first & 0x80) {
    if (payload.length < 2) return null;
    const ext = payload[1] as number;
    offset = 2;
    if (ext & 0x80) offset += payload.length > offset && (payload[offset] as number) & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
    if (ext & 0x40) offset += 1; // TL0PICIDX
    if (ext & 0x30) offset += 1; // TID / KEYIDX
  }
  if (offset > payload.length) return null;
  return { start: (first & 0x10) !== 0 && (first & 0x07) === 0, offset };
}

/** True when a VP8 frame is a keyframe (the inverse key-frame bit of its first byte, RFC 6386). */
export function isVp8Keyframe(frame: Buffer): boolean {
  return frame.length > 0 && ((frame[0] as number) & 0x01) === 0;
}

/**
 * The picture size a VP8 keyframe declares (RFC 6386 9.1: a start code, then 14-bit width and height), read before
 * decoding so an oversized picture is refused without allocating it; null for other frames or a broken header.
 */
export function vp8KeyframeSize(frame: Buffer): { width: number; height: number } | null {
  if (!isVp8Keyframe(frame) || frame.length < 10) return null;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

/** A complete VP8 frame put back together. */
export interface AssembledFrame {
  data: Buffer;
  keyframe: boolean;
  /** RTP timestamp (90 kHz). */
  timestamp: number;
  /** When its first packet arrived and when its last did (monotonic ns). */
  firstNs: number;
  lastNs: number;
}

/**
 * Puts VP8 frames back together from RTP packets as they arrive. `push` returns a frame when its last packet
 * completes it, else null; frames with a missing packet are dropped and counted (`lost`), and after a loss nothing
 * is handed on until a keyframe (`needKeyframe` says to ask the sender for one).
 */
export class Vp8Assembler {
  private parts: Buffer[] = [];
  private timestamp = -1;
  /** The timestamp of the frame handed on last: late copies of its packets are ignored. */
  private done = -1;
  private expectedSeq = -1;
  private broken = false;
  private firstNs = 0;
  private size = 0;
  /** True from a loss until a keyframe arrives. */
  needKeyframe = true;
  /** Frames dropped for a missing or malformed packet. */
  lost = 0;

  constructor(private readonly maxFrameBytes = 4 * 1024 * 1024) {}

  push(seq: number, timestamp: number, marker: boolean, payload: Buffer, nowNs: number): AssembledFrame | null {
    if (timestamp === this.done) return null;
    const d = vp8Descriptor(payload);
    if (timestamp !== this.timestamp) {
      // The previous frame never got its last packet, or whole packets (a whole frame) went missing in between.
      if (this.parts.length > 0 || (this.expectedSeq >= 0 && seq !== this.expectedSeq)) this.drop();
      this.timestamp = timestamp;
      this.parts = [];
      this.size = 0;
      this.broken = !d?.start; // a frame must begin with its first packet
      this.firstNs = nowNs;
    } else if (seq !== this.expectedSeq) {
      this.broken = true;
    }
    this.expectedSeq = (seq + 1) & 0xffff;
    if (!d) this.broken = true;
    if (!this.broken && d) {
      const piece = payload.subarray(d.offset);
      this.size += piece.length;
      if (this.size > this.maxFrameBytes) this.broken = true;
      else this.parts.push(piece);
    }
    if (!marker) return null;
    if (this.broken) {
      this.drop();
      return null;
    }
    const data = Buffer.concat(this.parts);
    this.parts = [];
    this.timestamp = -1;
    this.done = timestamp;
    const keyframe = isVp8Keyframe(data);
    if (keyframe) this.needKeyframe = false;
    if (this.needKeyframe) return null;
    return { data, keyframe, timestamp, firstNs: this.firstNs, lastNs: nowNs };
  }

  private drop(): void {
    this.lost++;
    this.parts = [];
    this.size = 0;
    this.needKeyframe = true;
  }
}
