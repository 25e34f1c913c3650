import { FramewiseError } from '../../core/errors.ts';

/** Video codecs this build of libwebrtc can decode and encode (it has no H.264). */
export const SUPPORTED_VIDEO_CODECS = ['VP8', 'VP9', 'AV1'] as const;

/** Largest SDP accepted (a browser offer is 4-10 kB; this leaves room for many codecs and candidates). */
export const MAX_SDP_BYTES = 64 * 1024;

/** What `checkOffer` found in a valid offer. */
export interface OfferSummary {
  /** Directions of the video m= sections, in order. */
  videoDirections: string[];
  /** Video codec names offered (upper case). */
  videoCodecs: string[];
}

function invalid(message: string): FramewiseError {
  return new FramewiseError('invalid-argument', `malformed SDP offer: ${message}`);
}

/**
 * Check an SDP offer before libwebrtc sees it, so a bad one gets a message that says what to fix rather than
 * libwebrtc's parser error. `wants` is the video direction the endpoint needs from the offerer: 'send' (WHIP: the
 * offerer sends video) or 'receive' (WHEP: the offerer receives it).
 */
export function checkOffer(sdp: string, wants: 'send' | 'receive'): OfferSummary {
  if (sdp.length > MAX_SDP_BYTES) throw invalid(`it is ${sdp.length} bytes; the limit is ${MAX_SDP_BYTES}`);
  // SDP is text: a NUL or another control character (tab aside) is never part of a real offer.
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(sdp);
  if (control) throw invalid(`it contains the control character 0x${control[0].charCodeAt(0).toString(16).padStart(2, '0')} at offset ${control.index}`);
  const lines = sdp.split(/\r?\n/).filter((l) => l !== '');
  if (lines[0] !== 'v=0') throw invalid('it must start with "v=0" (send the offer\'s SDP text with Content-Type: application/sdp)');
  const bad = lines.find((l) => !/^[a-z]=/.test(l));
  if (bad !== undefined) throw invalid(`line "${printable(bad)}" is not of the form <letter>=<value>`);
  checkOrigin(lines);
  for (const line of lines) if (line.startsWith('c=')) checkConnection(line);
  const sections = splitSections(lines);
  const video = sections.filter((s) => s.media === 'video');
  if (video.length === 0) throw invalid('it has no video section (m=video): add a video track or transceiver before creating the offer');
  const session = sections[0]?.media === null ? (sections[0]?.lines ?? []) : [];
  const has = (section: string[], prefix: string): boolean => section.some((l) => l.startsWith(prefix)) || session.some((l) => l.startsWith(prefix));
  const directions: string[] = [];
  const codecs = new Set<string>();
  for (const section of video) {
    if (!has(section.lines, 'a=ice-ufrag:') || !has(section.lines, 'a=ice-pwd:'))
      throw invalid('a video section has no ICE credentials (a=ice-ufrag and a=ice-pwd)');
    if (!has(section.lines, 'a=fingerprint:')) throw invalid('a video section has no DTLS fingerprint (a=fingerprint): WebRTC needs DTLS-SRTP');
    directions.push(section.lines.find((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l))?.slice(2) ?? 'sendrecv');
    for (const line of section.lines) {
      const codec = /^a=rtpmap:\d+ ([^/]+)\//.exec(line)?.[1];
      if (codec) codecs.add(codec.toUpperCase());
    }
  }
  const usable = directions.some((d) => d === 'sendrecv' || d === (wants === 'send' ? 'sendonly' : 'recvonly'));
  if (!usable) {
    throw invalid(
      `no video section can ${wants === 'send' ? 'send' : 'receive'} video (directions: ${directions.join(', ')}); use sendrecv or ${wants === 'send' ? 'sendonly' : 'recvonly'}`,
    );
  }
  const common = [...codecs].filter((c) => (SUPPORTED_VIDEO_CODECS as readonly string[]).includes(c));
  if (common.length === 0) {
    throw new FramewiseError(
      'unsupported-format',
      `the offer's video codecs (${[...codecs].join(', ') || 'none'}) are not supported here: offer ${SUPPORTED_VIDEO_CODECS.join(', ')}`,
    );
  }
  return { videoDirections: directions, videoCodecs: [...codecs] };
}

function splitSections(lines: string[]): { media: string | null; lines: string[] }[] {
  const sections: { media: string | null; lines: string[] }[] = [{ media: null, lines: [] }];
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push({ media: line.slice(2).split(' ')[0] ?? '', lines: [] });
    else sections[sections.length - 1]?.lines.push(line);
  }
  return sections;
}

/** An excerpt of a line from the outside, safe to put in a message. */
function printable(line: string): string {
  return line.slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
}

/** RFC 8866 origin: `o=<username> <sess-id> <sess-version> IN IP4|IP6 <address>`, once, in the session part. */
function checkOrigin(lines: string[]): void {
  const origins = lines.filter((l) => l.startsWith('o='));
  if (origins.length !== 1) throw invalid(`it needs exactly one origin line (o=), found ${origins.length}`);
  const fields = (origins[0] as string).slice(2).split(' ');
  if (
    fields.length !== 6 ||
    !/^\d{1,20}$/.test(fields[1] ?? '') ||
    !/^\d{1,20}$/.test(fields[2] ?? '') ||
    fields[3] !== 'IN' ||
    !/^IP[46]$/.test(fields[4] ?? '')
  )
    throw invalid(`the origin line "${printable(origins[0] as string)}" must read o=<user> <session id> <version> IN IP4|IP6 <address>`);
}

/** RFC 8866 connection data: `c=IN IP4 <dotted quad>` or `c=IN IP6 <address>`, with an address that exists. */
function checkConnection(line: string): void {
  const m = /^c=IN (IP4|IP6) (\S+)$/.exec(line);
  const fail = (): FramewiseError =>
    invalid(`the connection line "${printable(line)}" does not name a valid address (c=IN IP4 <a.b.c.d> or c=IN IP6 <address>)`);
  if (!m) throw fail();
  const address = (m[2] as string).split('/')[0] as string;
  if (m[1] === 'IP4') {
    const parts = address.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw fail();
  } else if (!/^[0-9a-f:.]+$/i.test(address) || !address.includes(':')) throw fail();
}
