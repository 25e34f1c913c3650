import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Log levels `--log-level` takes. */
export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A logger that writes nothing (the library's default: an embedding program passes its own). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The server's logger (pino): one JSON object per line, unless `stream` is a terminal, where each line is
 * "time level message key=value ..." for people.
 */
export function createLogger(level: LevelWithSilent = 'info', stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Logger {
  if (stream.isTTY !== true) return pino({ level, base: { name: 'framewise' } }, stream);
  return pino({ level, base: null }, { write: (line: string) => stream.write(humanLine(line)) });
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino JSON line as a terminal line. */
function humanLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, ...rest } = entry;
  const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${at} ${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)} ${typeof msg === 'string' ? msg : JSON.stringify(msg ?? '')}${fields ? `  ${fields}` : ''}\n`;
}
