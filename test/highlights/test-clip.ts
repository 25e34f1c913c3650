import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testdata } from '../helpers.ts';

/** A piece of the test clip: where its pictures come from, and whether it is action (with a loud tone) or not (silence). */
interface Piece {
  from: 'room' | 'squats';
  startS: number;
  endS: number;
  active: boolean;
  what: string;
}

/**
 * Quiet and active stretches cut from ../shared/testdata (looked at frame by frame): an empty room and a person
 * standing still with silence, against people walking through the room and a woman doing squats with a loud tone.
 */
export const PIECES: readonly Piece[] = [
  { from: 'room', startS: 0, endS: 6, active: false, what: 'empty room' },
  { from: 'squats', startS: 0, endS: 13, active: true, what: 'woman doing squats' },
  { from: 'room', startS: 45.5, endS: 50, active: false, what: 'empty room' },
  { from: 'room', startS: 67.5, endS: 70, active: true, what: 'woman walking out' },
  { from: 'room', startS: 84.5, endS: 87, active: true, what: 'man walking out' },
  { from: 'room', startS: 8, endS: 14, active: false, what: 'woman standing still, reading' },
  { from: 'room', startS: 70, endS: 75, active: false, what: 'empty room' },
  { from: 'room', startS: 123.8, endS: 126.5, active: true, what: 'man walking in' },
  { from: 'room', startS: 88, endS: 93, active: false, what: 'empty room' },
];

/** Where each piece lands in the clip, s. */
export function pieceTimes(): { startS: number; endS: number; piece: Piece }[] {
  let t = 0;
  return PIECES.map((piece) => {
    const startS = t;
    t += piece.endS - piece.startS;
    return { startS, endS: t, piece };
  });
}

/** Seconds (by their start) wholly inside active pieces. */
export function activeSeconds(): Set<number> {
  const out = new Set<number>();
  for (const { startS, endS, piece } of pieceTimes()) {
    if (!piece.active) continue;
    for (let s = Math.ceil(startS); s + 1 <= endS + 1e-9; s++) out.add(s);
  }
  return out;
}

/** Build the clip (640x360, 10 fps, H.264 + AAC) with the ffmpeg CLI into `dir`; returns its path. */
export function buildTestClip(dir: string): string {
  const output = join(dir, 'quiet-and-active.mp4');
  const ffmpeg = (...args: string[]): void => void execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: 'pipe' });
  const parts = PIECES.map((p, i) => {
    const part = join(dir, `piece-${i}.mp4`);
    const source = testdata(p.from === 'room' ? 'videos/one-by-one-person-detection.mp4' : 'videos/pose_squats.mp4');
    const fit = p.from === 'room' ? 'scale=640:360' : 'scale=-2:360,pad=640:360:(ow-iw)/2:0';
    const length = (p.endS - p.startS).toFixed(3);
    const sound = p.active ? `sine=frequency=660:sample_rate=48000,volume=4` : 'anullsrc=sample_rate=48000:channel_layout=mono';
    ffmpeg(
      ...['-ss', String(p.startS), '-t', length, '-i', source, '-f', 'lavfi', '-t', length, '-i', sound],
      ...['-map', '0:v', '-map', '1:a', '-vf', `fps=10,${fit},setsar=1,format=yuv420p`, '-ac', '2'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '20', '-c:a', 'aac', '-t', length, part],
    );
    return part;
  });
  const list = join(dir, 'pieces.txt');
  writeFileSync(list, parts.map((p) => `file '${p}'`).join('\n'));
  ffmpeg('-f', 'concat', '-safe', '0', '-i', list, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '20', '-c:a', 'aac', output);
  return output;
}
