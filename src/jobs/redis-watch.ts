import type { Redis } from 'ioredis';
import { redactedUrl } from './redis-link.ts';

/** A change of the link to Redis: lost (with the first error seen), or back (after how long). */
export type RedisLinkEvent = { state: 'lost'; reason: string } | { state: 'back'; downMs: number };

/**
 * Follows one client's link to Redis and reports each outage once: `lost` at the first error or close after the
 * link was up, `back` when the client is ready again. The client's own reconnects (one every 2 s at most) repeat
 * the same error many times; whoever logs this writes one line per change, not one per retry.
 */
export function watchRedis(client: Redis, onChange: (event: RedisLinkEvent) => void): () => void {
  let lostAt: number | null = null;
  const lost = (reason: string): void => {
    if (lostAt !== null) return;
    lostAt = Date.now();
    onChange({ state: 'lost', reason });
  };
  const onError = (err: Error): void => lost(describe(err));
  const onClose = (): void => lost('the connection closed');
  const onReady = (): void => {
    if (lostAt === null) return;
    const downMs = Date.now() - lostAt;
    lostAt = null;
    onChange({ state: 'back', downMs });
  };
  client.on('error', onError);
  client.on('close', onClose);
  client.on('ready', onReady);
  return () => {
    client.off('error', onError);
    client.off('close', onClose);
    client.off('ready', onReady);
  };
}

/** A client error in a few words: its code where it has one (ECONNREFUSED), else its message. */
function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code !== '' ? `${code}: ${err.message}` : err.message;
}

/** Where link changes are logged (a pino logger has both). */
export interface LinkLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** One log line per change of the link to the Redis at `url` (its password hidden): a warning when lost, info when back. */
export function logRedisLink(log: LinkLog, url: string, who: string): (event: RedisLinkEvent) => void {
  const redis = redactedUrl(url);
  return (event) => {
    if (event.state === 'lost') log.warn({ redis, reason: event.reason }, `${who} lost Redis at ${redis} (${event.reason}): jobs wait, reconnecting`);
    else log.info({ redis, downMs: event.downMs }, `${who} reconnected to Redis at ${redis} after ${(event.downMs / 1000).toFixed(1)} s`);
  };
}
