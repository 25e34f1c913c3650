// `npm run test:loaded`: the whole suite, run N times (default 2) beside a CPU hog that keeps one core busy, as on a
// shared 2-core CI machine. The hog is `stress-ng --cpu 1` where Debian's stress-ng is installed
// (apt-get install -y stress-ng), else a Node process spinning in a loop; it is started before the first run and
// stopped after the last (or on Ctrl-C). Prints each run's tests, failures and duration; exits 1 if any test failed.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a whole number of at least 1 (got "${values.runs}")`);
  process.exit(2);
}

const root = new URL('..', import.meta.url).pathname;
const files = readdirSync(join(root, 'test'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, 'test', d.name))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => join('test', d.name, f)),
  )
  .sort();

/** The hog: stress-ng on one core, or a spinning Node process where stress-ng is not installed. */
function startHog() {
  const stressNg = spawnSync('stress-ng', ['--version'], { stdio: 'ignore' }).status === 0;
  const child = stressNg
    ? spawn('stress-ng', ['--cpu', '1', '--timeout', '0', '--quiet'], { stdio: 'ignore' })
    : spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return { child, name: stressNg ? 'stress-ng --cpu 1' : 'a Node process spinning on one core' };
}

/** One run of the suite as `npm test` runs it; its TAP output goes to `log`. */
function runSuite(log) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(log);
    let tail = '';
    const failed = [];
    const keep = (d) => {
      out.write(d);
      tail = (tail + d.toString()).slice(-4000);
      for (const m of d.toString().matchAll(/^not ok \d+ - (.*)$/gm)) failed.push(m[1]);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', (d) => out.write(d));
    child.on('exit', (code) => {
      out.end();
      const count = (name) => Number(new RegExp(`^# ${name} (\\d+)`, 'm').exec(tail)?.[1] ?? NaN);
      resolve({ code, tests: count('tests'), fail: count('fail'), failed, minutes: (Date.now() - started) / 60_000 });
    });
  });
}

const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const logs = mkdtempSync(join(tmpdir(), 'framewise-loaded-'));
const hog = startHog();
const stopHog = () => hog.child.kill('SIGKILL');
process.on('SIGINT', () => {
  stopHog();
  process.exit(130);
});
console.log(`framewise: ${files.length} test files, ${runs} run(s) beside ${hog.name}; TAP logs in ${logs}`);
let bad = false;
try {
  for (let i = 1; i <= runs; i++) {
    const r = await runSuite(join(logs, `run-${i}.tap`));
    bad ||= r.code !== 0 || r.fail !== 0;
    console.log(
      `run ${i}: ${r.tests} tests, ${r.fail} failed, ${r.minutes.toFixed(1)} min${r.failed.length ? `\n  failed: ${r.failed.join('\n  failed: ')}` : ''}`,
    );
  }
} finally {
  stopHog();
}
process.exit(bad ? 1 : 0);
