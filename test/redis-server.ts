import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Redis of its own for a test file: Debian's redis-server on a free loopback port, stopped at the end. */
export interface TestRedis {
  url: string;
  /** Shut it down (SIGTERM: with `persist`, it saves its data as a packaged Redis does). */
  stop(): Promise<void>;
  /** Start it again on the same port and folder, after stop(). */
  start(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A Redis for this test file, stopped when it ends. */
export async function startRedis(options: { persist?: boolean } = {}): Promise<TestRedis> {
  // Stopped before its folder goes: a Redis that cannot write its files refuses to shut down.
  const dir = mkdtempSync(join(tmpdir(), 'framewise-redis-'));
  const redis = await spawnRedis(dir, options);
  after(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return redis;
}

/**
 * redis-server on a free loopback port with its files in `dir` (benchmarks use it too); call stop() when done.
 * Without `persist` it keeps nothing on disk; with it, every write goes to its append-only file first.
 */
export async function spawnRedis(dir: string, options: { persist?: boolean } = {}): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).status !== 0)
    throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run installs it)');
  const port = await freePort();
  const persistence = options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--save', '', '--appendonly', 'no'];
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 15_000);
      started.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
    });
    started.stdout.resume();
    started.stderr.resume();
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    // A Redis that cannot save refuses SIGTERM; a test's Redis is never worth a hang.
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start };
}
