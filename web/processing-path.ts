import type { LinkStats } from './rtc-stats.ts';

/**
 * Where the camera's frames are processed: on the server over WebRTC, or in this page; or nowhere (`floor`: the
 * stamped camera shown as it is, the capture -> display floor every other path sits on).
 */
export type RunIn = 'server' | 'browser' | 'floor';

/** One way of processing the stamped camera track; the page switches between them without stopping the camera. */
export interface ProcessingPath {
  readonly kind: RunIn;
  /** The processed video to show (and measure). */
  readonly output: MediaStream;
  /** A short label for the status line ("session <id>", "in this page"). */
  readonly label: string;
  /** Switch the effect without interrupting the stream; rejects with the reason when it is refused. */
  setEffect(spec: string): Promise<void>;
  /** Once a second: hand the measured glass-to-glass samples over, and read the pipeline's own p95 (ms). */
  tick(samples: number[]): Promise<{ pipelineP95Ms: number | null; link: LinkStats | null; engine: string | null }>;
  /** Called when the path fails on its own (connection lost, camera ended). */
  onLost: ((why: string) => void) | null;
  stop(): void;
}
