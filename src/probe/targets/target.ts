import type { Frame } from '../../core/frame.ts';
import type { ReceiverStats } from '../../io/webrtc/receiver-stats.ts';

/** What the probe sends: the stimulus geometry and rate. */
export interface StimulusInfo {
  width: number;
  height: number;
  fps: number;
}

/**
 * Called for every frame the system returns; the frame is released right after, so read it synchronously. `echoedId`
 * is the frame id the system itself says this output answers (an API that echoes a request id), when it does.
 */
export type OutputHandler = (frame: Frame, arrivedNs: number, echoedId?: number) => void;

/**
 * A system under test that takes a stream of frames and returns a stream of frames (local pipeline, a program on
 * stdin/stdout, a WebSocket, WebRTC). `send` never blocks the camera cadence: a target that cannot take a frame now
 * counts it in `refused` and drops it, as a camera's transport would.
 */
export interface StreamTarget {
  readonly name: string;
  /** Connect or start; resolves when the system accepts frames. */
  open(info: StimulusInfo, onOutput: OutputHandler): Promise<void>;
  /** Offer a frame; the target copies what it needs before returning. */
  send(frame: Frame): void;
  /** Frames the target could not take (its transport was full). */
  readonly refused: number;
  /** WebRTC targets: the receiver's stats at the end of the first (measured) run. */
  readonly receiverStats?: ReceiverStats | null;
  /** Why the system failed during the run (it exited, its socket closed, its pipeline threw), or null. */
  readonly error?: string | null;
  /** Stop and release everything; safe to call twice. */
  close(): Promise<void>;
}
