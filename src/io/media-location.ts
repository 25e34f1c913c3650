import { stat } from 'node:fs/promises';
import { FramewiseError } from '../core/errors.ts';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The URL scheme of `location` ("rtsp", "srt", ...), or null for a local path. */
export function urlScheme(location: string): string | null {
  const match = SCHEME.exec(location);
  return match ? (match[1] as string).toLowerCase() : null;
}

/** Fail early, with a clear message, when a local input path does not name a readable file. */
export async function assertLocalInput(location: string): Promise<void> {
  if (urlScheme(location) !== null) return;
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new FramewiseError(
      'input-not-found',
      `input "${location}" does not exist: check the path, or pass a URL (rtsp://, srt://, https://...) or "testsrc"`,
    );
  }
  if (!info.isFile()) throw new FramewiseError('input-unreadable', `input "${location}" is not a file`);
  if (info.size === 0) throw new FramewiseError('input-unreadable', `input "${location}" is empty (0 bytes)`);
}
