import { urlScheme } from './media-location.ts';

/**
 * FFmpeg options that make opening (and reading) a network input give up after `timeoutMs` instead of waiting for
 * ever for a sender that never comes: each protocol names its own option and unit. Options the user set win.
 */
export function networkTimeoutOptions(input: string, timeoutMs: number, userOptions: Readonly<Record<string, string>> = {}): Record<string, string> {
  const scheme = urlScheme(input);
  const us = String(Math.round(timeoutMs * 1000));
  const query = new URLSearchParams(input.includes('?') ? input.slice(input.indexOf('?') + 1) : '');
  const listening = userOptions.listen === '1' || query.get('listen') === '1' || userOptions.mode === 'listener' || query.get('mode') === 'listener';
  let options: Record<string, string> = {};
  switch (scheme) {
    case 'udp':
    case 'rtp':
    case 'tcp':
    case 'rtsp':
    case 'rtsps':
    case 'http':
    case 'https':
      options = { timeout: us };
      break;
    case 'rtmp':
    case 'rtmps':
      // Listen mode waits this many seconds for the publisher; a client connection is bounded by the AVIO timeout.
      options = listening ? { timeout: String(Math.max(1, Math.round(timeoutMs / 1000))) } : { rw_timeout: us };
      break;
    case 'srt':
      options = listening ? { listen_timeout: us } : { connect_timeout: String(Math.round(timeoutMs)) };
      break;
    default:
      return {};
  }
  // A timeout given in the URL's query or as an input option is the user's choice.
  for (const key of Object.keys(options)) if (key in userOptions || query.has(key)) delete options[key];
  return options;
}
