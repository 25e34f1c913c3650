import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { FrameIdSink } from '../../src/io/frame-id-sink.ts';
import { MediaSource } from '../../src/io/media-source.ts';
import { Pipeline, render, type PipelineStats } from '../../src/core/index.ts';
import { repoPath, testdata, scratchDir } from '../helpers.ts';

function framewise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath('bin/framewise.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('framewise run on the test pattern prints JSON stats of a live run', () => {
  const r = framewise('run', '--input', 'testsrc:320x240@30', '--effect', 'delay:10', '--duration', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { stats: PipelineStats; source: { width: number } };
  assert.equal(out.source.width, 320);
  assert.equal(out.stats.framesIn, 60);
  assert.ok(out.stats.framesOut >= 58, `${out.stats.framesOut} frames out`);
  assert.ok(out.stats.latencyMs.p50 >= 10);
  assert.equal(out.stats.stages[0]?.name, 'delay:10');
});

test('framewise run --mode render encodes a real video to a file with every frame', async () => {
  const output = join(scratchDir('cli'), 'out.mp4');
  const r = framewise('run', '-i', testdata('videos/desk_person_school.mkv'), '--mode', 'render', '-o', output);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /frames {6}72 in, 72 out, 0 dropped/);
  assert.match(r.stdout, /latency ms {2}p50/);
  const back = await new Pipeline({ source: new MediaSource({ input: output }), sink: new FrameIdSink(), policy: render() }).run();
  assert.equal(back.stats.framesOut, 72);
});

test('framewise run chains effects, and testsrc frames keep their ids through an encoded file', async () => {
  const output = join(scratchDir('cli'), 'pattern.webm');
  const r = framewise('run', '-i', 'testsrc', '-e', 'passthrough,delay:1', '--mode', 'render', '--duration', '1', '-o', output);
  assert.equal(r.status, 0, r.stderr);
  const reader = new FrameIdSink();
  await new Pipeline({ source: new MediaSource({ input: output }), sink: reader, policy: render() }).run();
  assert.equal(reader.results().readable, 30);
});

test('--realtime under the render policy shows a live feed queueing: nothing dropped, latency drifting up', () => {
  const r = framewise('run', '--input', 'testsrc:320x240@30', '--effect', 'delay:50', '--duration', '3', '--mode', 'render', '--realtime', '--json');
  assert.equal(r.status, 0, r.stderr);
  const { stats } = JSON.parse(r.stdout) as { stats: PipelineStats };
  assert.equal(stats.framesOut, 90);
  assert.equal(stats.dropped, 0);
  assert.ok(stats.driftMsPerS > 100, `drift ${stats.driftMsPerS} ms/s`);
});

test('user mistakes get one clear line and a usage exit code, no stack trace', () => {
  const cases: [string[], RegExp, number][] = [
    [['run', '--input', 'missing-file.mp4'], /framewise: input "missing-file.mp4" does not exist/, 1],
    [
      ['run', '--input', 'testsrc', '--effect', 'sparkle'],
      /unknown effect "sparkle": use one of passthrough, grayscale, mirror, blur\[:<radius px>\], replace:.*, delay:<ms>/,
      2,
    ],
    [['run', '--input', 'testsrc', '--mode', 'fast'], /--mode must be live or render/, 2],
    [['run', '--input', 'testsrc', '--fps', '0'], /--fps must be a positive number/, 2],
    [['run', '--input', 'testsrc:12x9'], /test pattern size 12x9 is not usable/, 2],
    [['run'], /--input is required/, 2],
    [['run', '--bogus'], /^framewise: unknown flag --bogus: see framewise run --help\n$/, 2],
    [['run', '--input', 'testsrc', '--fps', '-5'], /^framewise: --fps must be a positive number \(got "-5"\)\n$/, 2],
    [['run', '--input', 'testsrc', '--fps', 'fast'], /^framewise: --fps must be a positive number \(got "fast"\)\n$/, 2],
    [['run', '--input'], /^framewise: --input needs a value: see framewise run --help\n$/, 2],
    [['run', '--input', 'testsrc', '--loop=yes'], /^framewise: --loop takes no value: see framewise run --help\n$/, 2],
    [['run', '--input', 'testsrc', 'extra'], /^framewise: unexpected argument "extra": see framewise run --help\n$/, 2],
    [['probe', 'local:passthrough', '--duration', '-1'], /--duration must be a positive number \(got "-1"\)/, 2],
    [['serve', '--port', 'http'], /--port must be 0-65535 \(got "http"\)/, 2],
    [['help', 'nonsense'], /^framewise: no help for "nonsense": the commands are run, render, jobs, highlights, probe, scope, serve, worker, models\n$/, 2],
    [['run', '--input', 'testsrc', '--effect', '__proto__'], /^framewise: unknown effect "__proto__": use one of/, 2],
    [['run', '--input', 'testsrc', '--effect', 'constructor'], /^framewise: unknown effect "constructor": use one of/, 2],
    [['run', '--input', 'testsrc', '--effect', 'passthrough:extra'], /^framewise: effect "passthrough" takes no argument \(got "extra"\)\n$/, 2],
    [['run', '--input', 'testsrc', '--input-option', 'listen'], /--input-option must look like key=value/, 2],
    [['explode'], /^framewise: unknown command "explode": see framewise --help\n$/, 2],
    [['worker'], /^framewise: framewise worker needs --queue redis:\/\/host:6379/, 2],
    [
      ['worker', '--queue', 'http://127.0.0.1:6379', '--server', 'http://127.0.0.1:8080'],
      /--queue takes redis:\/\/host:port or rediss:\/\/host:port \(got "http:"\)/,
      2,
    ],
    [['worker', '--queue', 'redis://127.0.0.1:6379'], /needs --server http:\/\/host:8080/, 2],
    [['serve', '--queue', 'redis://127.0.0.1:6379', '--job-concurrency', '2'], /--job-concurrency is for the embedded queue/, 2],
  ];
  for (const [args, message, code] of cases) {
    const r = framewise(...args);
    assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^framewise: (live|render) run, /.test(l));
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.equal(r.stdout, '', 'errors go to stderr only');
  }
});

test('help and version: --help and -h of every command print its help to stdout and exit 0', () => {
  for (const command of ['run', 'render', 'jobs', 'highlights', 'probe', 'scope', 'serve', 'worker', 'models']) {
    for (const flag of ['--help', '-h']) {
      const r = framewise(command, flag);
      assert.equal(r.status, 0, `${command} ${flag}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^framewise ${command}`), `${command} ${flag} prints its own help`);
      assert.equal(r.stderr, '');
    }
    const topic = framewise('help', command);
    assert.equal(topic.status, 0);
    assert.match(topic.stdout, new RegExp(`^framewise ${command}`));
  }
  // Help wins over other mistakes on the same line, as in gh and git.
  assert.equal(framewise('run', '--bogus', '--help').status, 0);
  const version = framewise('--version');
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^framewise \d+\.\d+\.\d+\n$/);
});

test('framewise help lists every command', () => {
  const r = framewise('help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\n {2}run {9}run a pipeline/);
  assert.match(r.stdout, /\n {2}highlights {2}make a highlight reel/);
});

test('models: build into a folder, info runs the built model, unknown names are a usage error', () => {
  const dir = scratchDir('cli-models');
  const built = framewise('models', 'build', 'selfie', '--dir', dir);
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stdout, /selfie: .*selfie\.onnx \(\d+ kB, sha256 [0-9a-f]{16}/);
  const info = framewise('models', 'info', 'selfie', '--dir', dir);
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /provider cpu, first run [\d.]+ ms/);
  const bad = framewise('models', 'info', 'nope', '--dir', dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown model "nope": the zoo has selfie/);
});

test('framewise run --meta writes what the effect found in each frame as JSON lines; a bad path is one clear line', async () => {
  const { readFile } = await import('node:fs/promises');
  const meta = join(scratchDir('cli-meta'), 'faces.jsonl');
  const r = framewise('run', '-i', testdata('videos/facing_camera_720p.mp4'), '-e', 'faces', '-m', 'render', '--duration', '1', '--meta', meta);
  assert.equal(r.status, 0, r.stderr);
  const lines = (await readFile(meta, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; faces?: { score: number; box: { width: number } }[] });
  assert.equal(lines.length, 25, 'one line per frame of the 25 fps clip');
  lines.forEach((line, i) => {
    assert.equal(line.seq, i);
    assert.equal(line.faces?.length, 1, `frame ${i}: one face`);
    assert.ok((line.faces?.[0]?.box.width ?? 0) > 100);
  });
  const bad = framewise('run', '-i', 'testsrc', '--duration', '1', '--meta', '/nonexistent/dir/x.jsonl');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /cannot write \/nonexistent\/dir\/x\.jsonl: ENOENT.*\(does its folder exist\?\)/);
});

test('odd inputs get the right one-line error: y4m headers with impossible sizes, an output that is the input', async () => {
  const { writeFileSync, readFileSync, symlinkSync, copyFileSync } = await import('node:fs');
  const dir = scratchDir('cli-odd');
  const y4m = (w: string, h: string): Buffer => Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\nFRAME\n`), Buffer.alloc(4096)]);
  writeFileSync(join(dir, 'wide.y4m'), y4m('100000', '480'));
  writeFileSync(join(dir, 'negative.y4m'), y4m('-64', '480'));
  const wide = framewise('run', '-i', join(dir, 'wide.y4m'));
  assert.equal(wide.status, 1);
  assert.match(wide.stderr, /is 100000x480, larger than the limit of \d+ pixels/);
  const negative = framewise('run', '-i', join(dir, 'negative.y4m'));
  assert.equal(negative.status, 1);
  assert.match(negative.stderr, /YUV4MPEG2 file whose header gives width "-64": it must be a whole number from 1 to 16384/);
  assert.doesNotMatch(negative.stderr, /Device or resource busy/);
  // The output is the input, by the same name or through a link: refused, and the input is untouched.
  const input = join(dir, 'clip.mkv');
  copyFileSync(testdata('videos/desk_person_again.mkv'), input);
  symlinkSync(input, join(dir, 'link.mkv'));
  const original = readFileSync(input);
  for (const output of [input, join(dir, 'link.mkv'), join(dir, '.', 'clip.mkv')]) {
    const r = framewise('run', '-i', input, '-m', 'render', '-o', output);
    assert.equal(r.status, 2, `${output}: ${r.stderr}`);
    assert.match(r.stderr, /the output ".*" is the input itself: write to another file/);
  }
  assert.ok(readFileSync(input).equals(original), 'the input is intact');
});
