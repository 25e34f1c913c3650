import { FramewiseError } from '../core/errors.ts';
import type { FrameSource } from '../core/source.ts';
import { MediaSource } from '../io/media-source.ts';
import { TestPatternSource } from '../io/test-pattern-source.ts';

/** How the CLI builds a source from `--input`. */
export interface InputRequest {
  input: string;
  mode: 'live' | 'render';
  fps?: number;
  durationS?: number;
  loop?: boolean;
  /** Pace the input like a camera even in render mode (shows what queueing does to a live feed). */
  realtime?: boolean;
  /** How a paced file is released (see MediaSourceOptions.pacing). */
  pacing?: 'picture' | 'packet';
  /** How long a network input may take to open (default 8 s). */
  openTimeoutMs?: number;
  /** FFmpeg demuxer/protocol options for files and URLs. */
  inputOptions?: Record<string, string>;
}

const TESTSRC = /^testsrc(?::(\d+)x(\d+))?(?:@(\d+(?:\.\d+)?))?$/;

/**
 * `testsrc[:WxH][@FPS]` is the generated pattern (default 640x480@30, 10 s in live mode);
 * anything else is a file or URL decoded by FFmpeg, paced like a camera in live mode.
 */
export function createSource(req: InputRequest): FrameSource {
  const live = req.mode === 'live' || req.realtime === true;
  if (req.input.startsWith('testsrc')) {
    const m = TESTSRC.exec(req.input);
    if (!m) throw new FramewiseError('invalid-argument', `cannot read "${req.input}": write testsrc, testsrc:1280x720 or testsrc:1280x720@60`);
    const fps = req.fps ?? (m[3] ? Number(m[3]) : 30);
    return new TestPatternSource({
      ...(m[1] && m[2] ? { width: Number(m[1]), height: Number(m[2]) } : {}),
      fps,
      durationS: req.durationS ?? 10,
      paced: live,
    });
  }
  return new MediaSource({
    input: req.input,
    realtime: live,
    ...(req.pacing ? { pacing: req.pacing } : {}),
    ...(req.openTimeoutMs === undefined ? {} : { openTimeoutMs: req.openTimeoutMs }),
    ...(req.fps !== undefined ? { fps: req.fps } : {}),
    ...(req.durationS !== undefined ? { durationS: req.durationS } : {}),
    ...(req.loop ? { loop: true } : {}),
    ...(req.inputOptions ? { inputOptions: req.inputOptions } : {}),
  });
}
