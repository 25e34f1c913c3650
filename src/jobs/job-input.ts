import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FramewiseError } from '../core/errors.ts';
import { MediaSource } from '../io/media-source.ts';
import { scanPackets } from '../io/packet-scan.ts';
import type { JobRecord } from './job.ts';

/**
 * Demuxers a job's input may be read with: containers of video and nothing that names other files (no playlists,
 * concat scripts or image-sequence patterns), so an upload can never make FFmpeg read a file of the server's.
 */
const VIDEO_DEMUXERS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mpegts,avi,flv,ivf,mpeg,mpegvideo,nut,ogg,yuv4mpegpipe,gif,h264,hevc,asf,mxf';

/** FFmpeg options for a job's input: an upload is read from its file alone; a URL over http(s) only (HLS too). */
export function jobInputOptions(kind: 'upload' | 'url'): Record<string, string> {
  return kind === 'upload'
    ? { protocol_whitelist: 'file', format_whitelist: VIDEO_DEMUXERS }
    : { protocol_whitelist: 'http,https,tcp,tls,crypto', format_whitelist: `${VIDEO_DEMUXERS},hls` };
}

/** What a server accepts as a job's input. */
export interface JobLimits {
  /** Largest upload, bytes (default 2 GiB). */
  maxUploadBytes: number;
  /** Longest input, seconds (default 1 hour). */
  maxDurationS: number;
  /** Largest picture, pixels (default 3840x2160). */
  maxPixels: number;
  /**
   * Which URLs a job may name: `public` (default) refuses hosts that resolve to loopback, private or link-local
   * addresses (no job can read the server's own network, such as a cloud metadata service); `any` allows them
   * (tests, a closed network); `none` allows uploads only.
   */
  urls: 'public' | 'any' | 'none';
}

export const DEFAULT_JOB_LIMITS: JobLimits = { maxUploadBytes: 2 * 1024 ** 3, maxDurationS: 3600, maxPixels: 3840 * 2160, urls: 'public' };

/** A limit a job's input is over: the server answers 413 (bytes) or 422 (length, size). */
export class JobLimitError extends FramewiseError {
  constructor(
    readonly status: 413 | 422,
    message: string,
  ) {
    super('invalid-argument', message);
    this.name = 'JobLimitError';
  }
}

/** Refuse a URL a job may not read; resolves the host for the `public` rule. */
export async function checkJobUrl(url: string, limits: JobLimits): Promise<void> {
  if (limits.urls === 'none') throw new FramewiseError('invalid-argument', 'this server takes uploads only: send the video as the body');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FramewiseError('invalid-argument', `"${url.slice(0, 200)}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new FramewiseError('invalid-argument', `a job's URL must be http:// or https:// (got ${parsed.protocol})`);
  if (parsed.username || parsed.password) throw new FramewiseError('invalid-argument', 'a job URL may not carry a user name or password');
  if (limits.urls === 'any') return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new FramewiseError('invalid-argument', `the host "${host}" of the job URL does not resolve`);
  const inner = addresses.find(isInternalAddress);
  if (inner !== undefined)
    throw new FramewiseError('invalid-argument', `the job URL's host resolves to ${inner}, an address of the server's own network: only public hosts are read`);
}

/** Loopback, private, link-local, unspecified, carrier-grade NAT and unique-local addresses. */
export function isInternalAddress(address: string): boolean {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(address);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b < 128) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b < 32) ||
      (a === 192 && b === 168)
    );
  }
  const v6 = address.toLowerCase();
  return (
    v6 === '::' ||
    v6 === '::1' ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('fc') ||
    v6.startsWith('fd')
  );
}

/**
 * Open a job's input as the worker will and check it against the limits: not a video, a truncated or corrupt
 * file (uploads are read through, packet by packet), too long, too large. What it is, for the record.
 */
export async function inspectJobInput(input: string, kind: 'upload' | 'url', limits: JobLimits): Promise<JobRecord['media']> {
  const inputOptions = jobInputOptions(kind);
  const source = new MediaSource({ input, inputOptions, maxPixels: Number.MAX_SAFE_INTEGER, openTimeoutMs: 15_000 });
  let info;
  try {
    info = await source.open();
  } catch (err) {
    if (err instanceof FramewiseError) throw new FramewiseError(err.code, err.message.replace(`"${input}"`, kind === 'upload' ? 'the upload' : `"${input}"`));
    throw err;
  } finally {
    await source.close();
  }
  const pixels = info.width * info.height;
  if (pixels > limits.maxPixels)
    throw new JobLimitError(422, `the video is ${info.width}x${info.height}, over this server's limit of ${limits.maxPixels} pixels: downscale it first`);
  if (info.durationS !== undefined && info.durationS > limits.maxDurationS)
    throw new JobLimitError(422, `the video is ${Math.round(info.durationS)} s long, over this server's limit of ${limits.maxDurationS} s: cut it first`);
  let frames = info.frameCount ?? null;
  if (kind === 'upload') frames = (await scanPackets(input, inputOptions)).videoPackets;
  return {
    width: info.width,
    height: info.height,
    fps: Math.round(info.fps * 1000) / 1000,
    durationS: info.durationS ?? null,
    frames,
    description: info.description.replace(/^\S+/, (demuxer) => demuxer.split(',')[0] ?? demuxer),
  };
}
