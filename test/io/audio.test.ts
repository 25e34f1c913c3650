import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoPath, scratchDir } from '../helpers.ts';

// A render keeps the input's audio, in sync: a clip whose picture turns white at the same instant a tone starts
// must still have both at the same instant after the render, copied or re-encoded.

const dir = scratchDir('audio');

function ffmpeg(...args: string[]): string {
  const r = spawnSync('ffmpeg', ['-hide_banner', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
  return r.stderr;
}

/** When the picture stops being black and when the tone starts (s, on the file's own clock), and the streams in it. */
function onsets(path: string): { pictureS: number; soundS: number; codecs: string[] } {
  const log = ffmpeg('-i', path, '-vf', 'blackdetect=d=0.1:pic_th=0.9', '-af', 'silencedetect=n=-40dB:d=0.2', '-f', 'null', '-');
  const pictureS = Number(/black_end:([\d.]+)/.exec(log)?.[1]);
  const soundS = Number(/silence_end: ([\d.]+)/.exec(log)?.[1]);
  const codecs = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return { pictureS, soundS, codecs };
}

test('render keeps audio in sync: copied into mp4/mkv, re-encoded to Opus for webm, from a file whose clock starts late', () => {
  const source = join(dir, 'flash.mp4');
  ffmpeg(
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    "color=c=black:s=320x240:r=30:d=4,drawbox=c=white:t=fill:enable='gte(t,1.5)'",
    '-f',
    'lavfi',
    '-i',
    "sine=f=1000:sample_rate=44100:d=4,volume=volume=0:enable='lt(t,1.5)'",
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    source,
  );
  // MPEG-TS starts its clock at 1.4 s: the render must line the audio up with the video's media time, not zero.
  const late = join(dir, 'flash.ts');
  ffmpeg('-loglevel', 'error', '-y', '-i', source, '-c', 'copy', late);
  const reference = onsets(source);
  assert.ok(Math.abs(reference.pictureS - reference.soundS) < 0.03, `the source itself is in sync: ${JSON.stringify(reference)}`);
  for (const [input, output, audioCodec] of [
    [source, 'out.mp4', 'aac'],
    [source, 'out.mkv', 'aac'],
    [source, 'out.webm', 'opus'],
    [late, 'late.mp4', 'aac'],
  ] as const) {
    const r = spawnSync(process.execPath, [repoPath('bin/framewise.js'), 'run', '-i', input, '-m', 'render', '-e', 'mirror', '-o', join(dir, output)], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${output}: ${r.stderr}`);
    const got = onsets(join(dir, output));
    assert.equal(got.codecs[1], audioCodec, `${output} has ${audioCodec} audio (${got.codecs.join(', ')})`);
    const skew = got.soundS - got.pictureS;
    assert.ok(Math.abs(skew) < 0.04, `${output}: tone at ${got.soundS} s, white picture at ${got.pictureS} s (skew ${(skew * 1000).toFixed(0)} ms)`);
    assert.ok(Math.abs(got.pictureS - 1.5) < 0.05, `${output}: the picture turns white at ${got.pictureS} s of the output, as at 1.5 s of the input`);
  }
  // Live mode and the test pattern write video only (nothing to keep in sync with a dropped frame).
  const livePath = join(dir, 'live.mp4');
  const live = spawnSync(process.execPath, [repoPath('bin/framewise.js'), 'run', '-i', source, '-o', livePath], { encoding: 'utf8' });
  assert.equal(live.status, 0, live.stderr);
  assert.deepEqual(onsets(livePath).codecs, ['h264']);
});
