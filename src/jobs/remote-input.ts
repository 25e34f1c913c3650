import { open, readFile, rm, stat } from 'node:fs/promises';
import { FramewiseError } from '../core/errors.ts';
import { addressCheck } from './address-rule.ts';
import { appendBody, guardedGet, type GuardedFetchOptions } from './guarded-fetch.ts';
import { JobLimitError, type JobLimits } from './job-limits.ts';
import { parsePlaylist, type MediaPlaylist } from './hls-playlist.ts';

/** Largest playlist read (a two-hour VOD playlist of 2 s segments is ~200 KB). */
const MAX_PLAYLIST_BYTES = 1024 * 1024;
/** Most segments a playlist may list. */
const MAX_SEGMENTS = 20_000;

/** What was fetched for a URL job. */
export interface FetchedInput {
  bytes: number;
  /** The URL the media finally came from (after redirects; the variant for a master playlist). */
  from: string;
  /** `hls` when the URL was a playlist whose segments were fetched and joined. */
  kind: 'file' | 'hls';
}

/**
 * Fetch a URL job's input into `path` so FFmpeg reads only a local file, never the network: the whole file, or for
 * an HLS playlist (VOD: it must end with #EXT-X-ENDLIST) the init section and every segment of one variant joined
 * in order. Every request goes through guardedGet (addresses checked at connect time on every hop and redirect),
 * the bytes in all count against the upload limit, and the playlist's duration against the length limit before a
 * segment is fetched. A live stream is refused: a job needs an end.
 */
export async function fetchJobInput(
  url: string,
  path: string,
  limits: JobLimits,
  extra: Pick<GuardedFetchOptions, 'lookup' | 'signal'> = {},
): Promise<FetchedInput> {
  if (limits.urls === 'none') throw new FramewiseError('invalid-argument', 'this server takes uploads only: send the video as the body');
  const options: GuardedFetchOptions = {
    check: addressCheck({ urls: limits.urls, ...(limits.allowAddresses ? { allow: limits.allowAddresses } : {}) }),
    maxBytes: limits.maxUploadBytes,
    timeoutMs: limits.fetchTimeoutMs,
    ...extra,
  };
  try {
    const first = await guardedGet(url, options);
    const bytes = await appendBody(first, path, 0, limits.maxUploadBytes);
    if (!(await startsWithPlaylist(path))) return { bytes, from: first.url.href, kind: 'file' };
    if (bytes > MAX_PLAYLIST_BYTES)
      throw new FramewiseError('invalid-argument', `the playlist at ${first.url.href.slice(0, 200)} is over ${MAX_PLAYLIST_BYTES} bytes`);
    const text = await readFile(path, 'utf8');
    await rm(path, { force: true });
    return await fetchHls(text, first.url, path, limits, options);
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

async function startsWithPlaylist(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return /^(\uFEFF)?#EXTM3U/.test(head.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

async function fetchText(url: URL, options: GuardedFetchOptions, path: string): Promise<string> {
  const response = await guardedGet(url.href, { ...options, maxBytes: MAX_PLAYLIST_BYTES });
  const scratch = `${path}.playlist`;
  try {
    await appendBody(response, scratch, 0, MAX_PLAYLIST_BYTES);
    return await readFile(scratch, 'utf8');
  } finally {
    await rm(scratch, { force: true });
  }
}

async function fetchHls(text: string, at: URL, path: string, limits: JobLimits, options: GuardedFetchOptions): Promise<FetchedInput> {
  let playlist = parsePlaylist(text, at);
  let from = at;
  if (playlist.kind === 'master') {
    const variant = playlist.pick(limits.maxPixels);
    from = variant;
    playlist = parsePlaylist(await fetchText(variant, options, path), variant);
    if (playlist.kind === 'master') throw new FramewiseError('invalid-argument', `the variant ${variant.href.slice(0, 200)} is itself a master playlist`);
  }
  checkMedia(playlist, from, limits);
  let bytes = 0;
  for (const part of [...(playlist.init ? [playlist.init] : []), ...playlist.segments]) {
    const response = await guardedGet(part.href, options);
    bytes += await appendBody(response, path, bytes, limits.maxUploadBytes);
  }
  const size = (await stat(path).catch(() => null))?.size ?? 0;
  if (size === 0) throw new FramewiseError('input-unreadable', `the playlist at ${from.href.slice(0, 200)} has no media`);
  return { bytes, from: from.href, kind: 'hls' };
}

function checkMedia(playlist: MediaPlaylist, from: URL, limits: JobLimits): void {
  const where = from.href.slice(0, 200);
  if (!playlist.ended)
    throw new FramewiseError(
      'invalid-argument',
      `${where} is a live HLS playlist (no #EXT-X-ENDLIST): a job needs a recording with an end. Run a live stream with framewise run -i URL`,
    );
  if (playlist.segments.length === 0) throw new FramewiseError('input-unreadable', `the playlist at ${where} lists no segment`);
  if (playlist.segments.length > MAX_SEGMENTS)
    throw new JobLimitError(422, `the playlist at ${where} lists ${playlist.segments.length} segments, over ${MAX_SEGMENTS}`);
  if (playlist.durationS > limits.maxDurationS)
    throw new JobLimitError(
      422,
      `the playlist at ${where} is ${Math.round(playlist.durationS)} s long, over this server's limit of ${limits.maxDurationS} s: cut it first`,
    );
}
