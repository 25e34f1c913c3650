import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { FrameSource } from '../../src/core/source.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import { y4mFrame, y4mHeader } from '../../src/io/y4m.ts';

/** Debian's Chromium (playwright's own browser download cannot work here). */
export const CHROMIUM = process.env.FRAMEWISE_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep headless Chromium quiet on a closed network (see ../shared/FACTS.md). */
const QUIET_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Launch headless Chromium whose camera plays `y4mPath` (looped) and is granted without a prompt. `softwareGl`
 * gives pages WebGL on the CPU (SwiftShader) instead of none, for code that needs it (MediaPipe's legacy solutions).
 */
export function launchWithFakeCamera(y4mPath: string, options: { softwareGl?: boolean } = {}): Promise<Browser> {
  const quiet = options.softwareGl
    ? [...QUIET_FLAGS.filter((f) => f !== '--disable-gpu'), '--use-angle=swiftshader', '--enable-unsafe-swiftshader']
    : QUIET_FLAGS;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...quiet, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4mPath}`],
  });
}

/** Write up to `maxFrames` I420 frames of `source` as a Y4M file (Chromium's fake camera format). */
export async function writeY4m(path: string, source: FrameSource, maxFrames: number): Promise<string> {
  const info = await source.open();
  const out = createWriteStream(path);
  out.write(y4mHeader(info.width, info.height, info.fps));
  try {
    for (let n = 0; n < maxFrames; n++) {
      const frame = await source.read();
      if (!frame) break;
      if (!out.write(y4mFrame(frame))) await once(out, 'drain');
      frame.release();
    }
  } finally {
    await source.close();
    out.end();
    await once(out, 'close');
  }
  return path;
}

/** A fake camera file from a test video (decoded with FFmpeg), e.g. desk_person_again.mkv at 640x480 30 fps. */
export function fakeCameraFromVideo(dir: string, videoPath: string): Promise<string> {
  return writeY4m(join(dir, 'camera-video.y4m'), new MediaSource({ input: videoPath, format: 'i420' }), 300);
}

/** A fake camera file of the test pattern (colour bars and a moving box), 640x480 30 fps, 3 s. */
export function fakeCameraFromPattern(dir: string): Promise<string> {
  return writeY4m(join(dir, 'camera-pattern.y4m'), new TestPatternSource({ width: 640, height: 480, fps: 30, paced: false, durationS: 3 }), 90);
}
