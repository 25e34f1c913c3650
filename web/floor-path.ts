import type { ProcessingPath } from './processing-path.ts';

/**
 * No processing: the stamped camera track goes straight to the video element. What it measures is the page's own
 * capture -> display floor (camera frame, canvas stamp, compositor), under every other path.
 */
export class FloorPath implements ProcessingPath {
  readonly kind = 'floor' as const;
  readonly label = 'camera straight to the screen (floor)';
  readonly output: MediaStream;
  onLost: ((why: string) => void) | null = null;

  constructor(track: MediaStreamTrack) {
    this.output = new MediaStream([track]);
  }

  async setEffect(): Promise<void> {
    throw new Error('nothing runs in the floor mode: pick server or browser to apply an effect');
  }

  async tick(): Promise<{ pipelineP95Ms: null; link: null; engine: null }> {
    return { pipelineP95Ms: null, link: null, engine: null };
  }

  stop(): void {}
}
