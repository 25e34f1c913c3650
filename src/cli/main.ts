import { describeError, FramewiseError } from '../core/errors.ts';
import { MODELS_USAGE, modelsCommand } from './models-command.ts';
import { PROBE_USAGE, probeCommand } from './probe-command.ts';
import { parseRunArgs, RUN_USAGE, runPipeline } from './run-command.ts';
import { SCOPE_USAGE, scopeCommand } from './scope-command.ts';
import { SERVE_USAGE, serveCommand } from './serve-command.ts';

const USAGE = `framewise <command> [options]

Commands:
  serve    run the live server (WebRTC WHIP/WHEP) with its demo page: camera in, processed video back
  run      run a pipeline on a file, URL or test pattern and print its latency stats
  probe    measure a system under camera-like load: LIVE, NEAR-LIVE or GENERATION, with the evidence
  scope    turn product requirements into the category and latency budget they need
  models   list, build and inspect the model zoo (ONNX, built from npm packages)
  help     show this help, or "framewise help <command>"

${SERVE_USAGE}
${RUN_USAGE}
${PROBE_USAGE}
${SCOPE_USAGE}
${MODELS_USAGE}`;

/** CLI entry: returns the process exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr };
  try {
    switch (command) {
      case 'run':
        await runPipeline(parseRunArgs(rest), io);
        return 0;
      case 'probe':
        return await probeCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io);
      case 'models':
        return await modelsCommand(rest, io);
      case 'scope':
        return await scopeCommand(rest, { ...io, stdin: process.stdin });
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write({ run: RUN_USAGE, probe: PROBE_USAGE, scope: SCOPE_USAGE, serve: SERVE_USAGE, models: MODELS_USAGE }[rest[0] ?? ''] ?? USAGE);
        return 0;
      default:
        io.stderr.write(`framewise: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof FramewiseError && err.userFacing) {
      io.stderr.write(`framewise: ${err.message}\n`);
      return err.code === 'invalid-argument' ? 2 : 1;
    }
    io.stderr.write(`framewise: unexpected error: ${describeError(err)}\n${err instanceof Error ? (err.stack ?? '') : ''}\n`);
    return 1;
  }
}
