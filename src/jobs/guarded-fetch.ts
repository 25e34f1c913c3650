import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { FramewiseError } from '../core/errors.ts';
import type { AddressCheck } from './address-rule.ts';
import { JobLimitError } from './job-limits.ts';

/** Redirects followed for one fetch, each hop checked like the first (as browsers cap theirs, at a small number). */
export const MAX_REDIRECTS = 5;

/** How a guarded fetch may reach the network. */
export interface GuardedFetchOptions {
  /** Says why a resolved address may not be reached (null: it may). Checked at connect time, on every hop. */
  check: AddressCheck;
  /** Most bytes of a body (the job's upload limit). */
  maxBytes: number;
  /** The whole transfer's time limit, ms. */
  timeoutMs: number;
  /** No data for this long ends the transfer, ms (default 15 s). */
  idleMs?: number;
  /** Name resolution (default: the system's, as `dns.lookup`); tests give their own. */
  lookup?: typeof dnsLookup;
  signal?: AbortSignal;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** An address the rule refuses, found while connecting. */
class RefusedAddress extends Error {}

/**
 * A `lookup` for Node's HTTP client that hands back only addresses the rule allows: the client connects to exactly
 * what was checked, so a host that resolves differently later (DNS rebinding) cannot slip an inner address in. One
 * refused address refuses the host (a name that mixes public and inner addresses is not trusted with either).
 */
function guardedLookup(check: AddressCheck, resolve: typeof dnsLookup): LookupFunction {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses;
      for (const { address } of list) {
        const why = check(address);
        if (why !== null) return callback(new RefusedAddress(`the host "${hostname}" resolves to an address jobs may not reach: ${why}`), []);
      }
      if (list.length === 0) return callback(Object.assign(new Error(`"${hostname}" does not resolve`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** A URL a job may fetch: http(s), no credentials; an IP literal is checked here (the client does no lookup for it). */
function checkedUrl(text: string, base: URL | undefined, check: AddressCheck): URL {
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text);
  } catch {
    throw new FramewiseError('invalid-argument', `"${text.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FramewiseError(
      'invalid-argument',
      `a job's URL must be http:// or https:// (got ${url.protocol}${base ? ` in a redirect from ${base.href}` : ''})`,
    );
  if (url.username || url.password) throw new FramewiseError('invalid-argument', 'a job URL may not carry a user name or password');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = check(host);
    if (why !== null) throw new FramewiseError('invalid-argument', `the job URL ${url.href.slice(0, 200)} names an address jobs may not reach: ${why}`);
  }
  return url;
}

/** One GET, no redirect followed: resolves with the response head, or rejects with an error in words. */
function getOnce(url: URL, options: GuardedFetchOptions, deadline: AbortSignal): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, {
      method: 'GET',
      agent: false,
      lookup: guardedLookup(options.check, options.lookup ?? dnsLookup),
      headers: { 'user-agent': 'framewise', accept: '*/*', 'accept-encoding': 'identity' },
      timeout: options.idleMs ?? 15_000,
      signal: deadline,
    });
    req.on('socket', (socket) => {
      // The address connected to, checked again: whatever resolved it, this is where the bytes come from.
      socket.once('connect', () => {
        const why = socket.remoteAddress === undefined ? 'an unknown address' : options.check(socket.remoteAddress);
        if (why !== null) req.destroy(new RefusedAddress(`the connection to ${url.host} reached an address jobs may not reach: ${why}`));
      });
    });
    req.on('timeout', () => req.destroy(new FramewiseError('timeout', `${url.host} sent nothing for ${(options.idleMs ?? 15_000) / 1000} s`)));
    req.on('response', resolve);
    req.on('error', (err) => reject(fetchError(err, url, deadline)));
    req.end();
  });
}

function fetchError(err: unknown, url: URL, deadline: AbortSignal): FramewiseError {
  if (err instanceof FramewiseError) return err;
  if (err instanceof RefusedAddress) return new FramewiseError('invalid-argument', err.message);
  if (deadline.aborted && deadline.reason instanceof FramewiseError) return deadline.reason;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new FramewiseError('invalid-argument', `the host "${url.hostname}" of the job URL does not resolve`);
  return new FramewiseError('input-unreadable', `cannot fetch ${url.href.slice(0, 200)}: ${(err as Error).message ?? String(err)}`);
}

/** What a guarded fetch got: the body (to be read), the URL it finally came from, and its declared type. */
export interface FetchedResponse {
  body: IncomingMessage;
  url: URL;
  contentType: string;
  /** Stops the transfer's clock (call when done with the body). */
  done: () => void;
  /** Aborted when the time limit passes (its reason says so). */
  signal: AbortSignal;
}

/**
 * GET a URL the way a job's input is fetched: every hop's address checked at connect time, redirects followed by
 * hand (at most MAX_REDIRECTS, each one checked as the first), an error in words for any status but 2xx. The time
 * limit covers the hops and the body.
 */
export async function guardedGet(text: string, options: GuardedFetchOptions, base?: URL): Promise<FetchedResponse> {
  const clock = new AbortController();
  const timer = setTimeout(
    () =>
      clock.abort(
        new FramewiseError('timeout', `fetching the job's input took longer than ${Math.round(options.timeoutMs / 1000)} s: upload the file instead`),
      ),
    options.timeoutMs,
  );
  const stopOuter = (): void => clock.abort(new FramewiseError('invalid-state', 'the fetch was cancelled'));
  options.signal?.addEventListener('abort', stopOuter, { once: true });
  const done = (): void => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stopOuter);
  };
  try {
    let url = checkedUrl(text, base, options.check);
    for (let hop = 0; ; hop++) {
      const response = await getOnce(url, options, clock.signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.resume();
        if (hop >= MAX_REDIRECTS)
          throw new FramewiseError('invalid-argument', `the job URL redirects more than ${MAX_REDIRECTS} times (last to ${location.slice(0, 200)})`);
        url = checkedUrl(location, url, options.check);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw new FramewiseError(
          'input-unreadable',
          `${url.href.slice(0, 200)} answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}: check the URL`,
        );
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        response.destroy();
        throw new JobLimitError(413, `${url.href.slice(0, 200)} is ${declared} bytes, over this server's limit of ${options.maxBytes} bytes`);
      }
      return { body: response, url, contentType: String(response.headers['content-type'] ?? '').toLowerCase(), done, signal: clock.signal };
    }
  } catch (err) {
    done();
    throw err;
  }
}

/**
 * Append a fetched body to a file, counting bytes against `limit` (bytes already in the file count: `already`).
 * Returns the bytes written; on any failure the body is destroyed and the error says why.
 */
export async function appendBody(fetched: FetchedResponse, path: string, already: number, limit: number): Promise<number> {
  const file = createWriteStream(path, { flags: 'a' });
  let size = already;
  try {
    for await (const chunk of fetched.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > limit)
        throw new JobLimitError(
          413,
          `the input at ${fetched.url.href.slice(0, 200)} is over this server's limit of ${limit} bytes (a live stream cannot be a job: use framewise run -i URL)`,
        );
      if (!file.write(chunk)) await new Promise<void>((resolve) => file.once('drain', resolve));
    }
    const complete = fetched.body.complete;
    if (!complete) throw new FramewiseError('input-unreadable', `${fetched.url.href.slice(0, 200)} ended before its body was complete`);
  } catch (err) {
    fetched.body.destroy();
    await new Promise<void>((resolve) => file.end(resolve));
    await rm(path, { force: true });
    if (fetched.signal.aborted && fetched.signal.reason instanceof FramewiseError) throw fetched.signal.reason;
    throw err instanceof FramewiseError
      ? err
      : new FramewiseError('input-unreadable', `fetching ${fetched.url.href.slice(0, 200)} failed: ${(err as Error).message}`);
  } finally {
    fetched.done();
  }
  await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return size - already;
}
