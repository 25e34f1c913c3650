import type { LevelWithSilent } from 'pino';
import { FramewiseError } from '../core/errors.ts';
import { redactedUrl } from '../jobs/redis-link.ts';
import { RedisWorker } from '../jobs/redis-worker.ts';
import { logRedisLink } from '../jobs/redis-watch.ts';
import { createLogger, LOG_LEVELS } from '../server/log.ts';
import { ServerPictures } from '../server/server-pictures.ts';
import { parseFlags } from './flags.ts';
import { positiveNumber } from './numbers.ts';
import { onStopSignal, signalExitCode } from './signals.ts';

/** Help for `framewise worker`. */
export const WORKER_USAGE = `framewise worker --queue redis://HOST:6379 --server http://HOST:8080 [options]

Renders the jobs of a server started with framewise serve --queue redis://...: takes them from the BullMQ queue,
fetches each job's input from the server, renders it in checkpointed segments and sends every finished segment
back at once. Start as many as you like, on any machine that reaches Redis and the server. A worker that dies
(even with SIGKILL) has its jobs taken by another within about 8 s; they resume after the segments already sent.
Ctrl-C or SIGTERM puts running jobs back in the queue.

  --queue URL        the server's Redis (or FRAMEWISE_QUEUE)
  --server URL       the Framewise server, as this machine reaches it (or FRAMEWISE_SERVER)
  --concurrency N    jobs at once (default one per two cores)
  --work-dir DIR     where copies are kept while rendering (default the system's temp folder)
  --backgrounds DIR  the pictures jobs may name (replace:beach), as on the server
  --log-level L      fatal, error, warn, info (default), debug, trace or silent
`;

/** `framewise worker`: run until Ctrl-C / SIGTERM. */
export async function workerCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, env = process.env): Promise<number> {
  const { values: v } = parseFlags(
    args,
    {
      queue: { type: 'string' },
      server: { type: 'string' },
      concurrency: { type: 'string' },
      'work-dir': { type: 'string' },
      backgrounds: { type: 'string' },
      'log-level': { type: 'string' },
    },
    'worker',
    WORKER_USAGE,
  );
  const url = v.queue ?? env.FRAMEWISE_QUEUE;
  const server = v.server ?? env.FRAMEWISE_SERVER;
  if (url === undefined) throw new FramewiseError('invalid-argument', "framewise worker needs --queue redis://host:6379 (the server's --queue)");
  if (server === undefined)
    throw new FramewiseError('invalid-argument', 'framewise worker needs --server http://host:8080 (where it fetches inputs and sends results)');
  const concurrency = positiveNumber('--concurrency', v.concurrency);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) throw new FramewiseError('invalid-argument', '--concurrency must be a whole number');
  const logLevel = v['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new FramewiseError('invalid-argument', `--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const logger = createLogger(logLevel as LevelWithSilent, io.stderr);
  const pictures = new ServerPictures(v.backgrounds === undefined ? {} : { backgroundsDir: v.backgrounds });
  const worker = await RedisWorker.start({
    url,
    server,
    effectContext: { pictures },
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(v['work-dir'] === undefined ? {} : { workDir: v['work-dir'] }),
    onJob: (id, outcome) => logger.info({ job: id, outcome }, `job ${id}: ${outcome}`),
    onLink: logRedisLink(logger, url, 'worker'),
  });
  io.stdout.write(`framewise: worker taking jobs from ${redactedUrl(url)} for ${server} (${worker.concurrency} at once)\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = onStopSignal((received) => {
      stop();
      resolve(received);
    });
  });
  logger.info({ signal }, 'worker stopping: running jobs go back to the queue');
  await worker.close();
  io.stdout.write('framewise: worker stopped\n');
  return signalExitCode(signal);
}
