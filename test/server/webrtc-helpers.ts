import { nowNs } from '../../src/core/clock.ts';
import type { Frame } from '../../src/core/frame.ts';
import { readFrameId } from '../../src/core/frame-id.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import type { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';

/** Send the test pattern (640x480 i420 at 30 fps by default) through `client` until `signal` aborts; returns send times by id. */
export async function sendPattern(client: WebRtcClient, signal: AbortSignal, size = { width: 640, height: 480 }): Promise<Map<number, number>> {
  const sentNs = new Map<number, number>();
  const source = new TestPatternSource({ ...size, fps: 30 });
  await source.open();
  const stop = (): void => void source.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (let frame = await source.read(); frame && !signal.aborted; frame = await source.read()) {
      sentNs.set(frame.seq, nowNs());
      client.send(frame);
      frame.release();
    }
  } finally {
    signal.removeEventListener('abort', stop);
    await source.close();
  }
  return sentNs;
}

/** What came back: per frame its id (or null), arrival time, size, and mean chroma distance from neutral. */
export interface Returned {
  id: number | null;
  arrivedNs: number;
  width: number;
  height: number;
  chromaSpread: number;
  /** Mean luma of the left and right quarters (tells a mirrored picture from the original). */
  leftLuma: number;
  rightLuma: number;
}

function meanAbs(plane: Uint8Array, centre: number): number {
  let sum = 0;
  for (let i = 0; i < plane.length; i += 7) sum += Math.abs((plane[i] as number) - centre);
  return sum / Math.ceil(plane.length / 7);
}

function quarterLuma(frame: Frame, side: 'left' | 'right'): number {
  const y = frame.planes[0] as Uint8Array;
  const q = frame.width >> 2;
  let sum = 0;
  let n = 0;
  for (let row = frame.height >> 2; row < frame.height; row += 4) {
    const start = row * frame.width + (side === 'left' ? 0 : frame.width - q);
    for (let x = 0; x < q; x += 4) {
      sum += y[start + x] as number;
      n++;
    }
  }
  return sum / n;
}

/** Describe a returned frame (call synchronously, before it is released). */
export function describeReturned(frame: Frame): Returned {
  return {
    id: readFrameId(frame),
    arrivedNs: nowNs(),
    width: frame.width,
    height: frame.height,
    chromaSpread: (meanAbs(frame.planes[1] as Uint8Array, 128) + meanAbs(frame.planes[2] as Uint8Array, 128)) / 2,
    leftLuma: quarterLuma(frame, 'left'),
    rightLuma: quarterLuma(frame, 'right'),
  };
}

/** Collect what `client` receives until `signal` aborts. */
export async function collect(client: WebRtcClient, signal: AbortSignal): Promise<Returned[]> {
  const source = client.received;
  if (!source) throw new Error('client does not receive');
  const out: Returned[] = [];
  const stop = (): void => void source.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await source.open();
    for (let frame = await source.read(); frame; frame = await source.read()) {
      out.push(describeReturned(frame));
      frame.release();
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return out;
}
