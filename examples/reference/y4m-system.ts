// Reference systems for `framewise probe exec:...`: read Y4M frames on stdin, write them back on stdout, behaving
// like a known kind of system. Each has an expected verdict (see the README's Probe section and test/probe).
//   passthrough        returns every frame at once                                 -> LIVE
//   delay <ms>         returns every frame after a fixed delay                     -> LIVE, p50 ~ <ms>
//   queue <factor>     works at factor x the input rate, queueing what it cannot do -> GENERATION (drift)
//   drop <factor>      works at factor x the input rate, dropping what it cannot do -> LIVE, flagged low fps
//   chunk <ms>         collects frames and returns them in bursts every <ms>        -> NEAR-LIVE (chunked)
//   restyle <ms>       posterizes the whole picture (the frame-ID code does not survive), after <ms>
//                      -> LIVE, measured from the beacon flashes alone
// Run: node --import tsx examples/reference/y4m-system.ts delay 300
import type { Frame } from '../../src/core/index.ts';
import { y4mFrame, y4mHeader, Y4mParser } from '../../src/io/y4m.ts';

const [mode = 'passthrough', arg = '0'] = process.argv.slice(2);
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

function accept(frame: Frame): void {
  switch (mode) {
    case 'restyle':
      restyle(frame);
      setTimeout(() => emit(frame), value);
      return;
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
      process.stderr.write(`unknown mode "${mode}": use passthrough, delay <ms>, queue <factor>, drop <factor>, chunk <ms>, restyle <ms>\n`);
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
