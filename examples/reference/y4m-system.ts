// Reference systems for `framewise probe exec:...`: read Y4M frames on stdin, write them back on stdout, behaving
// like a known kind of system. Each has an expected verdict (see the README's Probe section and test/probe).
//   passthrough        returns every frame at once                                 -> LIVE
//   delay <ms>         returns every frame after a fixed delay                     -> LIVE, p50 ~ <ms>
//   queue <factor>     works at factor x the input rate, queueing what it cannot do -> GENERATION (drift)
//   drop <factor>      works at factor x the input rate, dropping what it cannot do -> LIVE, flagged low fps
//   chunk <ms>         collects frames and returns them in bursts every <ms>        -> NEAR-LIVE (chunked)
//   restyle <ms>       posterizes the whole picture (the frame-ID code does not survive), after <ms>
//                      -> LIVE, measured from the beacon flashes alone
//   invert <ms>        negative picture (the flash turns dark), after <ms>          -> LIVE by beacon
//   recolour <ms>      swaps and tints the colours, darkens and wipes the code band -> LIVE by beacon
//   mirror <ms>        left-right mirror (the code reads backwards)                -> LIVE by beacon
//   shift <ms>         the picture moved 48 px right and 32 px down, cropped       -> LIVE by beacon
//   jitter <ms>        each frame held a random 0..<ms>, in order, never in bursts -> LIVE, flagged jitter
//   freeze <ms>        every 2 s the output stops for <ms>; what came in meanwhile is dropped -> flagged freezes
//   freezeburst <ms>   the same, but the held frames all come out at once after the stall     -> flagged freezes
//   slowstart <ms>     nothing comes back for the first <ms>, then a passthrough   -> flagged slow first frame
//   die <s>            a passthrough that exits (code 3) after <s> seconds         -> INCONCLUSIVE, its exit first
// A third argument `keepcode` puts the frame-ID code band back after a whole-picture transform (the picture is
// restyled, the code still reads): the benchmark compares latency from flashes with latency from codes that way.
// Run: node --import tsx examples/reference/y4m-system.ts delay 300
import type { Frame } from '../../src/core/index.ts';
import { y4mFrame, y4mHeader, Y4mParser } from '../../src/io/y4m.ts';

const [mode = 'passthrough', arg = '0', option = ''] = process.argv.slice(2);
const value = Number(arg);
const parser = new Y4mParser();
let fps = 30;
let headerWritten = false;

function emit(frame: Frame): void {
  if (!headerWritten) {
    process.stdout.write(y4mHeader(parser.width, parser.height, fps));
    headerWritten = true;
  }
  process.stdout.write(y4mFrame(frame));
  frame.release();
}

// queue / drop: one worker that takes 1 / (factor x fps) seconds per frame.
const queue: Frame[] = [];
let busy = false;
function work(): void {
  if (busy) return;
  const next = mode === 'drop' ? queue.splice(0).pop() : queue.shift();
  if (mode === 'drop') for (const stale of queue.splice(0)) stale.release();
  if (!next) return;
  busy = true;
  setTimeout(
    () => {
      busy = false;
      emit(next);
      work();
    },
    1000 / (value * fps),
  );
}

// chunk: everything collected is returned together every <ms>.
const batch: Frame[] = [];
if (mode === 'chunk') setInterval(() => batch.splice(0).forEach(emit), value).unref();

/** Four brightness levels and a wiped top band: a whole-frame restyle that destroys the frame-ID code. */
function restyle(frame: Frame): void {
  const y = frame.planes[0] as Uint8Array;
  for (let i = 0; i < y.length; i++) y[i] = ((y[i] as number) >> 6) * 64 + 32;
  y.fill(128, 0, frame.width * Math.ceil(frame.height / 12));
}

/** Whole-picture transforms that keep the content but not the code: each keeps the flash as a pulse of change. */
function invert(frame: Frame): void {
  for (const plane of frame.planes) for (let i = 0; i < plane.length; i++) plane[i] = 255 - (plane[i] as number);
}

function recolour(frame: Frame): void {
  const [y, u, v] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
  for (let i = 0; i < y.length; i++) y[i] = 16 + (((y[i] as number) * 150) >> 8);
  const swapped = Uint8Array.from(u);
  u.set(v);
  v.set(swapped);
  for (let i = 0; i < u.length; i++) u[i] = Math.min(255, (u[i] as number) + 30);
  y.fill(40, 0, frame.width * Math.ceil(frame.height / 12));
}

function mirror(frame: Frame): void {
  frame.planes.forEach((plane, p) => {
    const w = p === 0 ? frame.width : Math.ceil(frame.width / 2);
    const h = p === 0 ? frame.height : Math.ceil(frame.height / 2);
    for (let row = 0; row < h; row++) plane.subarray(row * w, row * w + w).reverse();
  });
}

function shift(frame: Frame): void {
  frame.planes.forEach((plane, p) => {
    const scale = p === 0 ? 1 : 2;
    const w = p === 0 ? frame.width : Math.ceil(frame.width / 2);
    const h = p === 0 ? frame.height : Math.ceil(frame.height / 2);
    const dx = 48 / scale;
    const dy = 32 / scale;
    const copy = Uint8Array.from(plane);
    plane.fill(p === 0 ? 16 : 128);
    for (let row = dy; row < h; row++) plane.set(copy.subarray((row - dy) * w, (row - dy) * w + w - dx), row * w + dx);
  });
}

const TRANSFORMS: Record<string, (frame: Frame) => void> = { restyle, invert, recolour, mirror, shift };

// jitter: each frame is held a little longer or shorter than the one before it (a random walk of up to 0.4 frame
// periods a step, kept within 0..<ms>): gaps between frames vary from 0.6 to 1.4 periods, never a burst.
let holdMs = 0;
// freeze / freezeburst: a stall of <ms> every 2 s.
const held: Frame[] = [];
const startMs = Date.now();
function stalled(): boolean {
  const t = (Date.now() - startMs) % 2000;
  return t >= 2000 - value;
}
if (mode === 'freeze' || mode === 'freezeburst')
  setInterval(() => {
    if (stalled() || held.length === 0) return;
    const out = held.splice(0);
    if (mode === 'freezeburst') out.forEach(emit);
    else out.forEach((f) => f.release());
  }, 5).unref();
if (mode === 'die') setTimeout(() => process.exit(3), value * 1000).unref();

function accept(frame: Frame): void {
  const transform = TRANSFORMS[mode];
  if (transform) {
    const band = frame.width * Math.ceil(frame.height / 12);
    const code = option === 'keepcode' ? Uint8Array.from((frame.planes[0] as Uint8Array).subarray(0, band)) : null;
    transform(frame);
    if (code) (frame.planes[0] as Uint8Array).set(code);
    setTimeout(() => emit(frame), value);
    return;
  }
  switch (mode) {
    case 'jitter': {
      const periodMs = 1000 / fps;
      holdMs = Math.min(value, Math.max(0, holdMs + (Math.random() - 0.5) * 0.9 * periodMs));
      setTimeout(() => emit(frame), holdMs);
      return;
    }
    case 'freeze':
    case 'freezeburst':
      if (stalled()) held.push(frame);
      else emit(frame);
      return;
    case 'slowstart':
      if (Date.now() - startMs < value) frame.release();
      else emit(frame);
      return;
    case 'die':
      return emit(frame);
    case 'passthrough':
      return emit(frame);
    case 'delay':
      setTimeout(() => emit(frame), value);
      return;
    case 'queue':
    case 'drop':
      if (mode === 'drop') for (const stale of queue.splice(0)) stale.release();
      queue.push(frame);
      return work();
    case 'chunk':
      batch.push(frame);
      return;
    default:
      process.stderr.write(
        `unknown mode "${mode}": use passthrough, delay <ms>, queue <factor>, drop <factor>, chunk <ms>, restyle|invert|recolour|mirror|shift <ms>, jitter <ms>, freeze|freezeburst <ms>, slowstart <ms>, die <s>\n`,
      );
      process.exit(2);
  }
}

process.stdin.on('data', (chunk: Buffer) => {
  for (const frame of parser.push(chunk)) accept(frame);
});
process.stdin.on('end', () => {
  // Give timers a moment to flush what is in flight, then leave.
  setTimeout(() => process.exit(0), mode === 'chunk' ? value : 50);
});
const rate = /F(\d+):(\d+)/;
process.stdin.once('data', (chunk: Buffer) => {
  const m = rate.exec(chunk.subarray(0, 100).toString('latin1'));
  if (m) fps = Number(m[1]) / Number(m[2]);
});
