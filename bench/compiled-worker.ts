// One measurement process for bench/compiled.ts: loads Framewise either from the compiled package (dist/) or from
// the TypeScript sources (through tsx), then times the engine and the blur stage. Prints one JSON line.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const from = process.argv[2] === 'dist' ? 'dist' : 'src';
const clip = process.argv[3] ?? '';
const fw = (await import(pathToFileURL(join(root, from === 'dist' ? 'dist/index.js' : 'src/index.ts')).href)) as typeof import('../src/index.ts');

const FRAMES = 30_000;
// Engine: pre-decoded frames (one pool frame replayed) through passthrough under the render policy.
const source = new fw.MediaSource({ input: clip, format: 'i420' });
await source.open();
const first = await source.read();
if (!first) throw new Error(`no frame in ${clip}`);
const still = fw.Frame.alloc({ width: first.width, height: first.height, format: 'i420' });
first.planes.forEach((p, i) => still.planes[i]?.set(p));
first.release();
const frames: InstanceType<typeof fw.Frame>[] = [still];
for (let i = 0; i < 59; i++) {
  const f = await source.read();
  if (!f) break;
  const copy = fw.Frame.alloc({ width: f.width, height: f.height, format: 'i420' });
  f.planes.forEach((p, k) => copy.planes[k]?.set(p));
  f.release();
  frames.push(copy);
}
await source.close();
let n = 0;
const replay = {
  name: 'replay',
  open: async () => ({ width: still.width, height: still.height, format: 'i420' as const, fps: 30, paced: false, frameCount: FRAMES, description: 'replay' }),
  read: async () => {
    if (n >= FRAMES) return null;
    const frame = frames[n % frames.length] as InstanceType<typeof fw.Frame>;
    frame.seq = n++;
    return frame;
  },
  close: async () => undefined,
};
const t0 = performance.now();
await new fw.Pipeline({ source: replay, stages: [new fw.PassthroughStage()], sink: new fw.NullSink(), policy: fw.render({ concurrency: 4 }) }).run();
const engineUs = ((performance.now() - t0) * 1e3) / FRAMES;
// Blur: the stage alone over the frames, 3 passes, the first 20 calls not counted.
const blur = fw.createEffect('blur');
const ctx = { mode: 'live' as const, signal: new AbortController().signal };
await blur.open?.(ctx);
const ms: number[] = [];
for (let pass = 0; pass < 6; pass++)
  for (const frame of frames) {
    const t = performance.now();
    await blur.process(frame, ctx);
    ms.push(performance.now() - t);
  }
await blur.close?.();
const sorted = ms.slice(20).sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ from, engineUs, blurP50Ms: sorted[Math.floor(sorted.length / 2)] })}\n`);
