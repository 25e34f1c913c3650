import WebSocket from 'ws';
import { describeError, FramewiseError } from '../../core/errors.ts';

/** Wait until `socket` is open; a clear error when it fails or does not open within `timeoutMs` (`what` names it). */
export function socketOpened(socket: WebSocket, timeoutMs: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new FramewiseError('timeout', `no WebSocket connection to ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new FramewiseError('input-unreadable', `cannot connect to ${what}: ${describeError(err)}`));
    });
  });
}

/**
 * After it opened: keep the first reason the connection failed or was closed by the other side (not by us) in
 * `onFailure`; `closing()` tells whether we are closing it.
 */
export function watchSocket(socket: WebSocket, who: string, closing: () => boolean, onFailure: (reason: string) => void): void {
  socket.on('error', (err) => onFailure(`the connection to ${who} failed: ${describeError(err)}`));
  socket.on('close', (code, reason) => {
    if (!closing())
      onFailure(
        `${who} closed the connection (code ${code}${reason.length > 0 ? `, "${reason.toString('utf8').slice(0, 200)}"` : ''}) while the probe was still sending`,
      );
  });
}

/** Close a WebSocket politely and wait for it; after `timeoutMs` without the peer's answer it is cut off. */
export async function closeSocket(socket: WebSocket | null, timeoutMs = 1000): Promise<void> {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(1000);
  });
}
