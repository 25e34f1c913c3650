import { FramewiseError } from '../core/errors.ts';
import { JobLimitError } from './job-limits.ts';

/** A media playlist: what one variant's recording is made of. */
export interface MediaPlaylist {
  kind: 'media';
  /** The fMP4 init section (#EXT-X-MAP), when there is one. */
  init?: URL;
  segments: URL[];
  /** Sum of #EXTINF durations, s. */
  durationS: number;
  /** #EXT-X-ENDLIST seen: a finished recording (VOD), not a live window. */
  ended: boolean;
}

/** A master playlist: variants of one programme. */
export interface MasterPlaylist {
  kind: 'master';
  /** The variant a job reads: the highest bandwidth whose picture is within `maxPixels` (unknown sizes count as within). */
  pick(maxPixels: number): URL;
}

/** Attributes of a tag (`BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"`). */
export function tagAttributes(list: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (let match = pattern.exec(list); match; match = pattern.exec(list)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) attributes.set(name, value.startsWith('"') ? value.slice(1, -1) : value);
  }
  return attributes;
}

function resolved(uri: string, base: URL): URL {
  try {
    return new URL(uri, base);
  } catch {
    throw new FramewiseError('invalid-argument', `the playlist at ${base.href.slice(0, 200)} names "${uri.slice(0, 100)}", which is not a URL`);
  }
}

/**
 * Read an HLS playlist (RFC 8216) as far as a job needs: a master's variants, or a media playlist's segments, init
 * section, duration and end. What a job cannot use is refused in words: encrypted segments, byte ranges, more than
 * one init section.
 */
export function parsePlaylist(text: string, base: URL): MediaPlaylist | MasterPlaylist {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const where = base.href.slice(0, 200);
  if (lines[0] !== '#EXTM3U') throw new FramewiseError('invalid-argument', `${where} is not an HLS playlist (no #EXTM3U first)`);
  const variants: { url: URL; bandwidth: number; pixels: number | null }[] = [];
  const segments: URL[] = [];
  let init: URL | undefined;
  let durationS = 0;
  let ended = false;
  let pendingVariant: Map<string, string> | null = null;
  for (const line of lines.slice(1)) {
    if (!line.startsWith('#')) {
      const url = resolved(line, base);
      if (pendingVariant) {
        const resolution = /^(\d+)x(\d+)$/.exec(pendingVariant.get('RESOLUTION') ?? '');
        variants.push({
          url,
          bandwidth: Number(pendingVariant.get('BANDWIDTH') ?? 0) || 0,
          pixels: resolution ? Number(resolution[1]) * Number(resolution[2]) : null,
        });
        pendingVariant = null;
      } else segments.push(url);
      continue;
    }
    const colon = line.indexOf(':');
    const tag = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    switch (tag) {
      case '#EXT-X-STREAM-INF':
        pendingVariant = tagAttributes(value);
        break;
      case '#EXTINF': {
        const seconds = Number.parseFloat(value);
        if (!Number.isFinite(seconds) || seconds < 0)
          throw new FramewiseError('invalid-argument', `the playlist at ${where} has a bad #EXTINF "${value.slice(0, 40)}"`);
        durationS += seconds;
        break;
      }
      case '#EXT-X-ENDLIST':
        ended = true;
        break;
      case '#EXT-X-KEY':
      case '#EXT-X-SESSION-KEY': {
        const method = tagAttributes(value).get('METHOD') ?? 'NONE';
        if (method !== 'NONE')
          throw new FramewiseError(
            'invalid-argument',
            `the playlist at ${where} is encrypted (${method}): a job needs media it can read; send a decrypted file`,
          );
        break;
      }
      case '#EXT-X-BYTERANGE':
        throw new FramewiseError(
          'invalid-argument',
          `the playlist at ${where} uses byte ranges (#EXT-X-BYTERANGE), which jobs do not read: send the file itself`,
        );
      case '#EXT-X-MAP': {
        const attributes = tagAttributes(value);
        if (attributes.has('BYTERANGE'))
          throw new FramewiseError('invalid-argument', `the playlist at ${where} has a byte-range init section, which jobs do not read`);
        const uri = attributes.get('URI');
        if (uri === undefined) throw new FramewiseError('invalid-argument', `the playlist at ${where} has an #EXT-X-MAP without a URI`);
        const url = resolved(uri, base);
        if (init && init.href !== url.href)
          throw new FramewiseError('invalid-argument', `the playlist at ${where} switches init sections mid-stream, which jobs do not join: send one file`);
        init = url;
        break;
      }
    }
  }
  if (variants.length > 0) {
    return {
      kind: 'master',
      pick(maxPixels: number): URL {
        const fitting = variants.filter((v) => v.pixels === null || v.pixels <= maxPixels);
        const best = fitting.sort((a, b) => b.bandwidth - a.bandwidth)[0];
        if (!best) throw new JobLimitError(422, `every variant of the playlist at ${where} is over this server's limit of ${maxPixels} pixels`);
        return best.url;
      },
    };
  }
  return { kind: 'media', ...(init ? { init } : {}), segments, durationS, ended };
}
