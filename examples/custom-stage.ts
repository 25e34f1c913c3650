// A custom stage in a live pipeline: invert the picture's brightness, with the file paced like a camera.
// Run: node --import tsx examples/custom-stage.ts ../shared/testdata/videos/desk_person_again.mkv /tmp/inverted.webm
import { DelayStage, live, MediaSink, MediaSource, Pipeline, type Stage } from '../src/index.ts';

/** Inverts the Y (brightness) plane of i420 frames in place. */
export const invertLuma: Stage = {
  name: 'invert-luma',
  process(frame) {
    const y = frame.planes[0] as Uint8Array;
    for (let i = 0; i < y.length; i++) y[i] = 255 - (y[i] as number);
    return frame;
  },
};

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node --import tsx examples/custom-stage.ts <input video> <output .webm|.mp4>\n');
  process.exit(2);
}
const pipeline = new Pipeline({
  source: new MediaSource({ input, realtime: true }),
  stages: [invertLuma, new DelayStage(10)],
  sink: new MediaSink({ output }),
  policy: live({ deadlineMs: 250 }),
});
const { stats } = await pipeline.run();
process.stdout.write(`${stats.framesOut} frames, latency p95 ${stats.latencyMs.p95} ms, drops ${JSON.stringify(stats.dropsByReason)}\n`);
