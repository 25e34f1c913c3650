import { type FormatContext, Packet } from 'node-av/lib';

/** One demuxed packet, or FFmpeg's return code when there is none (EOF or an error). */
export interface PacketRead {
  code: number;
  packet: Packet;
}

/**
 * Reads packets one ahead: while the caller decodes packet N on FFmpeg's thread pool, packet N+1 is being demuxed on
 * another thread, as FFmpeg's own CLI does with its demuxer thread. The caller must be done with a packet (unref)
 * before asking for the next one.
 */
export class PacketReader {
  private readonly packets: [Packet, Packet];
  private turn = 0;
  private ahead: Promise<number> | null = null;

  constructor(private readonly fmt: FormatContext) {
    const a = new Packet();
    const b = new Packet();
    a.alloc();
    b.alloc();
    this.packets = [a, b];
  }

  async next(): Promise<PacketRead> {
    const packet = this.packets[this.turn] as Packet;
    const code = await (this.ahead ?? this.fmt.readFrame(packet));
    this.turn ^= 1;
    const following = this.packets[this.turn] as Packet;
    this.ahead = code >= 0 ? this.fmt.readFrame(following) : null;
    return { code, packet };
  }

  /** Wait for a read in flight and forget it (before a seek, or before closing the input). */
  async settle(): Promise<void> {
    const pending = this.ahead;
    this.ahead = null;
    if (pending) {
      await pending.catch(() => undefined);
      (this.packets[this.turn] as Packet).unref();
    }
  }

  /** Free both packets; call after `settle()`. */
  free(): void {
    for (const p of this.packets) p.free();
  }
}
