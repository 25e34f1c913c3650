import { FramewiseError } from '../../core/errors.ts';
import { gatheredOffer } from './peer.ts';
import type { PeerConnection } from './wrtc.ts';

/** Options of a WHIP/WHEP exchange. */
export interface HttpSignalingOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  timeoutMs?: number;
}

function headers(options: HttpSignalingOptions, extra: Record<string, string> = {}): Record<string, string> {
  return options.token ? { ...extra, authorization: `Bearer ${options.token}` } : extra;
}

/**
 * The WHIP (RFC 9725) / WHEP exchange, client side: POST `pc`'s gathered offer to `endpointUrl`, apply the answer,
 * and return the URL of the session resource (from Location) that `endResource` deletes, with the answer's headers
 * (services put more there, e.g. where to watch the output).
 */
export async function negotiate(
  pc: PeerConnection,
  endpointUrl: string,
  options: HttpSignalingOptions = {},
): Promise<{ resourceUrl: string; headers: Headers }> {
  const offer = await gatheredOffer(pc);
  let response: Response;
  try {
    response = await fetch(endpointUrl, {
      method: 'POST',
      headers: headers(options, { 'content-type': 'application/sdp' }),
      body: offer,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new FramewiseError('input-unreadable', `cannot reach ${endpointUrl}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const body = await response.text();
  if (response.status !== 201) {
    const retry = response.headers.get('retry-after');
    throw new FramewiseError(
      'input-unreadable',
      `${endpointUrl} answered ${response.status} ${response.statusText}${retry ? ` (retry after ${retry} s)` : ''}: ${body.trim().slice(0, 300)}`,
    );
  }
  const location = response.headers.get('location');
  if (!location) throw new FramewiseError('input-unreadable', `${endpointUrl} answered 201 without a Location header: it does not follow WHIP/WHEP`);
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
  return { resourceUrl: new URL(location, endpointUrl).toString(), headers: response.headers };
}

/** DELETE a WHIP/WHEP session resource; true when the server knew it. Never throws (teardown must go on). */
export async function endResource(resourceUrl: string, options: HttpSignalingOptions = {}): Promise<boolean> {
  try {
    const response = await fetch(resourceUrl, { method: 'DELETE', headers: headers(options), signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
