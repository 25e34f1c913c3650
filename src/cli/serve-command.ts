import { FramewiseError } from '../core/errors.ts';
import { parseFlags } from './flags.ts';
import { effectUsages } from '../effects/registry.ts';
import { FramewiseServer, type ServerOptions } from '../server/framewise-server.ts';
import type { Transport } from '../server/session-link.ts';
import { positiveNumber } from './numbers.ts';
import { onStopSignal, signalExitCode } from './signals.ts';
import type { LevelWithSilent } from 'pino';
import { createLogger, LOG_LEVELS } from '../server/log.ts';
import { defaultJobsDir } from '../jobs/job-store.ts';
import { redisConnection } from '../jobs/redis-link.ts';

/** Help for `framewise serve`. */
export const SERVE_USAGE = `framewise serve [options]

Runs the live server: open the printed URL, start the camera, and see it processed with its glass-to-glass latency.
WHIP ingest at POST /whip (processed video comes back on the same connection), WHEP viewers at POST /whep/<session>,
Prometheus metrics at /metrics, health at /healthz.

  --port N          TCP port (default 8080; 0 picks a free one)
  --host H          interface (default 127.0.0.1; browsers allow the camera only on localhost or HTTPS)
  --effect E        effect new sessions start with (default passthrough): ${effectUsages()}
  --transport T     WebRTC stack of sessions: libwebrtc (default) or direct (no jitter buffer or pacer, frames shown at
                    once: tens of ms less glass-to-glass; VP8 only, no congestion control: loopback and LAN)
  --backgrounds DIR pictures clients may use as backgrounds, by file name (replace:beach); clients can also upload
                    their own (POST /backgrounds). No other file on this machine can be named from the network
  --max-sessions N  session limit; beyond it offers get 503 + Retry-After (default: from CPU count and effect cost)
  --token T         require "Authorization: Bearer T" on every route but /healthz and the page (or FRAMEWISE_TOKEN)
  --deadline-ms N   live deadline per frame (default 100)
  --duration S      stop after S seconds (default: until Ctrl-C)
  --jobs-dir DIR    where render jobs (POST /jobs) and their results are kept (default ~/.local/state/framewise/jobs,
                    or FRAMEWISE_JOBS_DIR); jobs survive a restart and resume after their last finished segment
  --job-concurrency N  render jobs at once in this process (default one per two cores)
  --queue redis://H:P  queue jobs on BullMQ in Redis instead, for framewise worker processes on any machine (this
                    server then renders none itself; workers fetch inputs and send segments back over /work)
  --segment S       segment length of job renders, s (default 10): the most work a crashed worker loses
  --max-upload-mb N job uploads up to N MiB (default 2048); uploads must arrive within --request-timeout
  --max-job-s S     longest job input, seconds (default 3600)
  --job-urls R      URL inputs of jobs: public (default: public addresses only, checked on every redirect and at
                    connect time), any, or none. The server fetches a URL job's input itself (HLS: a finished
                    playlist's segments) before it is queued; FFmpeg reads only that copy
  --job-url-allow L inner address ranges a URL job may reach all the same, comma-separated CIDRs (10.0.0.5,10.1.0.0/16)
  --request-timeout S  time a request (headers and body) may take to arrive (default 120, room for uploads)
  --log-level L     fatal, error, warn, info (default), debug, trace or silent; logs go to stderr as JSON lines,
                    or as readable lines on a terminal
`;

/** Parse `framewise serve` arguments. */
export function parseServeArgs(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Omit<ServerOptions, 'logger'> & { durationS?: number; logLevel: LevelWithSilent } {
  const parsed = parseFlags(
    args,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      backgrounds: { type: 'string' },
      effect: { type: 'string', short: 'e' },
      transport: { type: 'string' },
      'max-sessions': { type: 'string' },
      token: { type: 'string' },
      'deadline-ms': { type: 'string' },
      duration: { type: 'string' },
      'log-level': { type: 'string' },
      'jobs-dir': { type: 'string' },
      'job-concurrency': { type: 'string' },
      queue: { type: 'string' },
      segment: { type: 'string' },
      'max-upload-mb': { type: 'string' },
      'max-job-s': { type: 'string' },
      'job-urls': { type: 'string' },
      'job-url-allow': { type: 'string' },
      'request-timeout': { type: 'string' },
    },
    'serve',
    SERVE_USAGE,
  );
  const v = parsed.values;
  const port = v.port === undefined ? 8080 : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FramewiseError('invalid-argument', `--port must be 0-65535 (got "${v.port}")`);
  const maxSessions = positiveNumber('--max-sessions', v['max-sessions']);
  if (maxSessions !== undefined && !Number.isInteger(maxSessions)) throw new FramewiseError('invalid-argument', `--max-sessions must be a whole number`);
  const token = v.token ?? env.FRAMEWISE_TOKEN;
  const deadlineMs = positiveNumber('--deadline-ms', v['deadline-ms']);
  const durationS = positiveNumber('--duration', v.duration);
  const logLevel = v['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new FramewiseError('invalid-argument', `--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const concurrency = positiveNumber('--job-concurrency', v['job-concurrency']);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) throw new FramewiseError('invalid-argument', '--job-concurrency must be a whole number');
  const uploadMb = positiveNumber('--max-upload-mb', v['max-upload-mb']);
  const maxJobS = positiveNumber('--max-job-s', v['max-job-s']);
  const urls = v['job-urls'] ?? 'public';
  if (urls !== 'public' && urls !== 'any' && urls !== 'none')
    throw new FramewiseError('invalid-argument', `--job-urls must be public, any or none (got "${urls}")`);
  const segmentS = positiveNumber('--segment', v.segment);
  if (segmentS !== undefined && segmentS < 1) throw new FramewiseError('invalid-argument', '--segment must be at least 1 s');
  if (v.queue !== undefined) redisConnection(v.queue);
  if (v.queue !== undefined && concurrency !== undefined)
    throw new FramewiseError('invalid-argument', '--job-concurrency is for the embedded queue: with --queue, start framewise worker --concurrency N');
  const requestTimeoutS = positiveNumber('--request-timeout', v['request-timeout']) ?? 120;
  return {
    logLevel: logLevel as LevelWithSilent,
    jobs: {
      dir: v['jobs-dir'] ?? defaultJobsDir(),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(v.queue === undefined ? {} : { queue: v.queue }),
      ...(segmentS === undefined ? {} : { segmentS }),
      limits: {
        urls,
        ...(v['job-url-allow'] === undefined
          ? {}
          : {
              allowAddresses: v['job-url-allow']
                .split(',')
                .map((a) => a.trim())
                .filter(Boolean),
            }),
        ...(uploadMb === undefined ? {} : { maxUploadBytes: Math.round(uploadMb * 1024 * 1024) }),
        ...(maxJobS === undefined ? {} : { maxDurationS: maxJobS }),
      },
    },
    connections: { requestTimeoutMs: requestTimeoutS * 1000 },
    port,
    host: v.host ?? '127.0.0.1',
    effect: v.effect ?? 'passthrough',
    ...(v.transport === undefined ? {} : { transport: transportArg(v.transport) }),
    ...(v.backgrounds === undefined ? {} : { backgroundsDir: v.backgrounds }),
    ...(maxSessions === undefined ? {} : { maxSessions }),
    ...(token ? { token } : {}),
    ...(deadlineMs === undefined ? {} : { deadlineMs }),
    ...(durationS === undefined ? {} : { durationS }),
  };
}

/** `framewise serve`: run until Ctrl-C (or --duration), then end every session cleanly. */
export async function serveCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { durationS, logLevel, ...options } = parseServeArgs(args);
  const logger = createLogger(logLevel, io.stderr);
  const server = await FramewiseServer.start({ ...options, logger });
  logger.info({ url: server.url, effect: options.effect, maxSessions: server.registry.maxSessions, token: options.token !== undefined }, 'server listening');
  if (!options.token && !isLoopback(options.host ?? '127.0.0.1'))
    logger.warn(
      { host: options.host },
      `serving on ${options.host} without a token: anyone who can reach this address can publish, watch and list sessions. Set --token (or FRAMEWISE_TOKEN)`,
    );
  io.stdout.write(
    `framewise: live server on ${server.url}  (effect ${options.effect}, up to ${server.registry.maxSessions} sessions${options.token ? ', token required' : ''})\n` +
      `  demo page  ${server.url}/\n  WHIP       POST ${server.url}/whip\n  jobs       POST ${server.url}/jobs\n  metrics    ${server.url}/metrics\n`,
  );
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
    const done = (received: NodeJS.Signals | null): void => {
      stopListening();
      clearTimeout(timer);
      resolve(received);
    };
    const timer = durationS === undefined ? undefined : setTimeout(() => done(null), durationS * 1000);
    const stopListening = onStopSignal(done);
  });
  logger.info({ signal, sessionsServed: server.registry.started }, 'server stopping');
  await server.close();
  io.stdout.write(`framewise: server stopped (${server.registry.started} session(s) served)\n`);
  return signal === null ? 0 : signalExitCode(signal);
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

function transportArg(value: string): Transport {
  if (value === 'libwebrtc' || value === 'direct') return value;
  throw new FramewiseError('invalid-argument', `--transport takes libwebrtc or direct (got "${value}")`);
}
