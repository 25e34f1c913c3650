import { type ChildProcess, spawn } from 'node:child_process';
import { repoPath } from './helpers.ts';

const BIN = repoPath('bin/framewise.js');

/** `framewise worker` as its own process; resolves once it takes jobs. */
export async function spawnWorker(redisUrl: string, serverUrl: string, workDir: string, concurrency = 1, logLevel = 'warn'): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--queue', redisUrl, '--server', serverUrl, '--concurrency', String(concurrency), '--work-dir', workDir, '--log-level', logLevel],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('worker taking jobs')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  return child;
}

/** Send `signal` (default SIGTERM) to a child and wait until it has exited. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
