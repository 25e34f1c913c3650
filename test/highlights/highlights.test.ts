import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Pipeline } from '../../src/core/pipeline.ts';
import { render } from '../../src/core/policy.ts';
import { makeHighlights } from '../../src/highlights/highlights.ts';
import type { HighlightsReport } from '../../src/highlights/report.ts';
import { renderReel } from '../../src/highlights/reel-render.ts';
import { FrameIdSink } from '../../src/io/frame-id-sink.ts';
import { readLoudness } from '../../src/io/loudness.ts';
import { MediaSink } from '../../src/io/media-sink.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { TestPatternSource } from '../../src/io/test-pattern-source.ts';
import { repoPath, scratchDir } from '../helpers.ts';
import { activeSeconds, buildTestClip, pieceTimes } from './test-clip.ts';

const dir = scratchDir('highlights');
let clip: string | null = null;
/** The quiet-and-active clip, built once for the file. */
function testClip(): string {
  clip ??= buildTestClip(dir);
  return clip;
}

function framewise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath('bin/framewise.js'), ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function streamDuration(path: string, kind: 'v' | 'a'): number {
  return Number(
    execFileSync('ffprobe', ['-v', 'error', '-select_streams', `${kind}:0`, '-show_entries', 'stream=duration', '-of', 'csv=p=0', path], {
      encoding: 'utf8',
    }).trim(),
  );
}

/** Seconds wholly inside the clips of a report. */
function chosenSeconds(report: HighlightsReport): Set<number> {
  const out = new Set<number>();
  for (const c of report.clips) for (let s = Math.ceil(c.startS - 1e-9); s + 1 <= c.endS + 1e-9; s++) out.add(s);
  return out;
}

test(
  'framewise highlights on quiet and active stretches picks the active seconds, renders them in sync with their sound and explains each clip',
  { timeout: 300_000 },
  async () => {
    const input = testClip();
    const reel = join(dir, 'reel.mp4');
    const r = framewise('highlights', '-i', input, '-o', reel, '--length', '30', '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as HighlightsReport;
    assert.deepEqual(JSON.parse(readFileSync(`${reel}.json`, 'utf8')), report, 'the JSON beside the reel is the report printed');

    // Which seconds were chosen, against the stretches known to be active.
    const active = activeSeconds();
    const chosen = chosenSeconds(report);
    const hits = [...chosen].filter((s) => active.has(s)).length;
    const precision = hits / chosen.size;
    const recall = hits / active.size;
    console.log(
      `highlights: ${report.clips.length} clips, ${report.reelS} s; chosen seconds precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)} ` +
        `(${hits} of ${chosen.size} chosen are active, ${active.size} active); analysis ${report.timings.analysisS} s, total ${report.timings.totalS} s, RTF ${report.timings.realTimeFactor}`,
    );
    assert.ok(precision >= 0.7, `precision ${precision}`);
    assert.ok(recall >= 0.85, `recall ${recall}`);
    assert.ok(report.reelS <= 30 + 1e-6 && report.reelS >= 20, `reel ${report.reelS} s`);

    // Shots: the squats were cut in from another camera at 6 s and cut away at 19 s; the room is one camera.
    const starts = report.shots.map((s) => s.startS);
    assert.equal(starts.length, 3, `shots at ${starts.join(', ')}`);
    assert.ok(Math.abs((starts[1] as number) - 6) <= 0.15 && Math.abs((starts[2] as number) - 19) <= 0.15, `shots at ${starts.join(', ')}`);
    for (const c of report.clips)
      assert.ok(!starts.some((cut) => cut > c.startS + 1e-6 && cut < c.endS - 1e-6), `clip ${c.startS}-${c.endS} crosses a cut (${starts.join(', ')})`);

    // The reel: as long as the clips, pictures and sound the same length.
    const video = streamDuration(reel, 'v');
    const audio = streamDuration(reel, 'a');
    assert.ok(Math.abs(video - report.reelS) <= 0.06, `video ${video} s vs report ${report.reelS} s`);
    assert.ok(Math.abs(audio - video) <= 0.05, `audio ${audio} s vs video ${video} s`);

    // In sync: the tone is heard exactly where the reel shows an active stretch, silence where it shows a quiet one.
    const loudness = await readLoudness(reel);
    assert.ok(loudness);
    const pieces = pieceTimes();
    let checkedLoud = 0;
    let checkedQuiet = 0;
    for (const c of report.clips) {
      for (const p of pieces) {
        const from = Math.max(c.startS, p.startS);
        const to = Math.min(c.endS, p.endS);
        // Well inside the stretch: the momentary window is 400 ms long and ends at its tick.
        for (let t = from + 0.6; t < to - 0.3; t += 0.1) {
          const reelT = c.reelStartS + (t - c.startS);
          const lufs = loudness.lufs[Math.round(reelT / loudness.tickS)] as number;
          if (p.piece.active) {
            checkedLoud++;
            assert.ok(lufs > -30, `reel ${reelT.toFixed(1)} s (input ${t.toFixed(1)} s, ${p.piece.what}) should be loud: ${lufs} LUFS`);
          } else {
            checkedQuiet++;
            assert.ok(lufs < -50, `reel ${reelT.toFixed(1)} s (input ${t.toFixed(1)} s, ${p.piece.what}) should be silent: ${lufs} LUFS`);
          }
        }
      }
    }
    assert.ok(checkedLoud > 100 && checkedQuiet > 5, `${checkedLoud} loud and ${checkedQuiet} quiet ticks checked`);

    // The explanation: every clip says why, the page draws the timeline and lists the clips.
    for (const c of report.clips) {
      assert.match(c.why, /loudness|movement|body activity|people/);
      assert.ok(c.score > 0.2 && c.score <= 1);
      const sum = Object.values(c.contributions).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - c.score) < 0.02, `contributions ${sum} vs score ${c.score}`);
    }
    const html = readFileSync(`${reel}.html`, 'utf8');
    assert.match(html, /<svg[^>]*class="chart"/);
    assert.equal((html.match(/<tr><td>#\d+<\/td>/g) ?? []).length, report.clips.length);
    assert.equal(report.seconds.length, Math.ceil(report.durationS));
  },
);

test('reel cuts are frame-exact: every picture of every clip, in order, none from outside', { timeout: 120_000 }, async () => {
  const input = join(dir, 'coded.mp4');
  await new Pipeline({
    source: new TestPatternSource({ width: 320, height: 240, fps: 30, durationS: 10, paced: false }),
    sink: new MediaSink({ output: input, bitrateKbps: 1500 }),
    policy: render(),
  }).run();
  const output = join(dir, 'coded-reel.mp4');
  const clips = [
    { startS: 1, endS: 2 },
    { startS: 5.5, endS: 6 },
    { startS: 8, endS: 9.2 },
  ];
  const made = await renderReel({ input, clips, fps: 30, output });
  assert.equal(made.frames, 30 + 15 + 36);
  const ids: (number | null)[] = [];
  await new Pipeline({ source: new MediaSource({ input: output }), sink: new FrameIdSink((id) => ids.push(id)), policy: render() }).run();
  const expected = [...clips.flatMap((c) => Array.from({ length: Math.round((c.endS - c.startS) * 30) }, (_, i) => Math.round(c.startS * 30) + i))];
  assert.deepEqual(ids, expected);
});

test('a highlights run with a work folder keeps its analysis: run again, it goes straight to the reel', { timeout: 180_000 }, async () => {
  const input = testClip();
  const workDir = join(dir, 'work');
  const phases: string[] = [];
  const options = {
    input,
    output: join(dir, 'resumed.mp4'),
    lengthS: 15,
    signals: ['motion', 'audio'] as const,
    workDir,
    onProgress: (p: { phase: string }) => phases.push(p.phase),
  };
  const first = await makeHighlights({ ...options, signals: [...options.signals] });
  assert.ok(phases.includes('analysing'));
  phases.length = 0;
  const second = await makeHighlights({ ...options, signals: [...options.signals] });
  assert.ok(!phases.includes('analysing'), 'the kept analysis is used');
  assert.deepEqual(
    second.report.clips.map((c) => [c.startS, c.endS]),
    first.report.clips.map((c) => [c.startS, c.endS]),
  );
  assert.equal(first.report.weights.people, 0, 'signals not run weigh nothing');
  // Other signals asked for: measured again.
  phases.length = 0;
  await makeHighlights({ ...options, signals: ['motion'] });
  assert.ok(phases.includes('analysing'));
});

test('highlights mistakes get one clear line: length, signals, weights, a text file, nothing worth a reel', { timeout: 120_000 }, () => {
  const input = testClip();
  const out = join(dir, 'bad.mp4');
  const cases: [string[], RegExp, number][] = [
    [['highlights', '-i', input, '-o', out, '--length', '0'], /--length must be a positive number/, 2],
    [['highlights', '-i', input, '-o', out, '--signals', 'colour'], /unknown signal "colour"/, 2],
    [['highlights', '-i', input, '-o', out, '--weights', 'motion=0,audio=0,people=0,pose=0'], /every signal is switched off/, 2],
    [['highlights', '-i', input, '-o', join(dir, 'reel.gif')], /the output must be \.mp4 \.mkv \.webm \.mov/, 2],
    // One person at most in view: people alone never scores above 0.5.
    [['highlights', '-i', input, '-o', out, '--min-score', '0.9', '--signals', 'people', '--model-fps', '0.5'], /nothing worth a reel/, 2],
  ];
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'not a video\n');
  cases.push([['highlights', '-i', text, '-o', out], /cannot open input|no video stream|cannot read stream info/, 1]);
  for (const [args, message, code] of cases) {
    const r = framewise(...args);
    assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
