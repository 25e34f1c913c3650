import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
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

/**
 * Refuse an output that is the input itself (the same file, after resolving links): encoding over the file being
 * read destroys it.
 */
export async function assertDistinctOutput(input: string, output: string): Promise<void> {
  if (urlScheme(input) !== null || urlScheme(output) !== null) return;
  const real = async (path: string): Promise<string> => realpath(path).catch(() => resolve(path));
  const [a, b] = await Promise.all([real(input), real(output)]);
  let same = a === b;
  if (!same) {
    const [sa, sb] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
    same = sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
  }
  if (same) throw new FramewiseError('invalid-argument', `the output "${output}" is the input itself: write to another file (the input would be destroyed)`);
}
