import { createRequire } from 'node:module';
import { describeError, FramewiseError } from '../core/errors.ts';
import { HelpRequested } from './flags.ts';
import { signalExitCode } from './signals.ts';
import { MODELS_USAGE, modelsCommand } from './models-command.ts';
import { JOBS_USAGE, jobsCommand, RENDER_USAGE, renderCommand } from './jobs-command.ts';
import { HIGHLIGHTS_USAGE, highlightsCommand } from './highlights-command.ts';
import { PROBE_USAGE, probeCommand } from './probe-command.ts';
import { parseRunArgs, RUN_USAGE, runPipeline } from './run-command.ts';
import { SCOPE_USAGE, scopeCommand } from './scope-command.ts';
import { SERVE_USAGE, serveCommand } from './serve-command.ts';
import { WORKER_USAGE, workerCommand } from './worker-command.ts';

const USAGE = `framewise <command> [options]

Commands:
  serve       run the live server (WebRTC WHIP/WHEP) with its demo page: camera in, processed video back
  run         run a pipeline on a file, URL, picture or test pattern and print its latency stats
  render      render a video through effects as a job (checkpointed segments, audio kept), here or on a server
  jobs        list, follow and cancel a server's render jobs
  highlights  make a highlight reel: score every second (motion, loudness, people, pose), pick clips, render them
  worker      render the jobs of a server that queues them in Redis (framewise serve --queue redis://...)
  probe       measure a system under camera-like load: LIVE, NEAR-LIVE or GENERATION, with the evidence
  scope       turn product requirements into the category and latency budget they need
  models      list, build and inspect the model zoo (ONNX, built from npm packages)
  help        show this help, or "framewise help <command>"

  --version   print the version
  Each command has its own help: framewise <command> --help
`;

const COMMAND_USAGE: Readonly<Record<string, string>> = {
  run: RUN_USAGE,
  render: RENDER_USAGE,
  jobs: JOBS_USAGE,
  highlights: HIGHLIGHTS_USAGE,
  probe: PROBE_USAGE,
  scope: SCOPE_USAGE,
  serve: SERVE_USAGE,
  worker: WORKER_USAGE,
  models: MODELS_USAGE,
};

/** The package's version, from its package.json (two folders up from src/cli or dist/cli). */
export function version(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** CLI entry: returns the process exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr };
  try {
    switch (command) {
      case 'run': {
        const { signal } = await runPipeline(parseRunArgs(rest), io);
        return signal === null ? 0 : signalExitCode(signal);
      }
      case 'render':
        return await renderCommand(rest, io);
      case 'jobs':
        return await jobsCommand(rest, io);
      case 'highlights':
        return await highlightsCommand(rest, io);
      case 'probe':
        return await probeCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io);
      case 'worker':
        return await workerCommand(rest, io);
      case 'models':
        return await modelsCommand(rest, io);
      case 'scope':
        return await scopeCommand(rest, { ...io, stdin: process.stdin });
      case '--version':
      case '-V':
      case 'version':
        io.stdout.write(`framewise ${version()}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return 0;
      case 'help': {
        const topic = rest[0];
        if (topic === undefined) {
          io.stdout.write(USAGE);
          return 0;
        }
        const usage = COMMAND_USAGE[topic];
        if (usage === undefined || !Object.hasOwn(COMMAND_USAGE, topic)) {
          io.stderr.write(`framewise: no help for "${topic}": the commands are ${Object.keys(COMMAND_USAGE).join(', ')}\n`);
          return 2;
        }
        io.stdout.write(usage);
        return 0;
      }
      default:
        io.stderr.write(`framewise: unknown command "${command}": see framewise --help\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout.write(err.usage);
      return 0;
    }
    if (err instanceof FramewiseError && err.userFacing) {
      io.stderr.write(`framewise: ${err.message}\n`);
      return err.code === 'invalid-argument' ? 2 : 1;
    }
    io.stderr.write(`framewise: unexpected error: ${describeError(err)}\n${err instanceof Error ? (err.stack ?? '') : ''}\n`);
    return 1;
  }
}
