import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Limits on the connections a server accepts. */
export interface ConnectionLimits {
  /** Open connections from one client address (default 64). */
  perAddress?: number;
  /** Open connections in all (default 1024: far below the process's file limit, so sessions keep theirs). */
  total?: number;
  /** A request's headers must arrive within this (default 5 s): a client trickling them is cut off. */
  headersTimeoutMs?: number;
  /** A whole request (headers and body) must arrive within this (default 15 s). */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** Requests one connection may carry before it is closed (default 1000). */
  maxRequestsPerSocket?: number;
}

/**
 * Keeps a connection flood from taking the server down: connections over the per-address or total cap are closed at
 * once (before any byte is read, so they cost the flooder, not the server), and slow or idle ones are timed out. The
 * counts are what the guard saw, for /metrics.
 */
export class ConnectionGuard {
  private readonly byAddress = new Map<string, number>();
  private open = 0;
  /** Connections refused because a cap was reached. */
  refused = 0;

  constructor(
    server: Server,
    private readonly limits: ConnectionLimits = {},
  ) {
    server.headersTimeout = limits.headersTimeoutMs ?? 5000;
    server.requestTimeout = limits.requestTimeoutMs ?? 15_000;
    server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 5000;
    server.maxRequestsPerSocket = limits.maxRequestsPerSocket ?? 1000;
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** Connections open now. */
  get connections(): number {
    return this.open;
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.byAddress.get(address) ?? 0;
    if (fromAddress >= (this.limits.perAddress ?? 64) || this.open >= (this.limits.total ?? 1024)) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.open++;
    this.byAddress.set(address, fromAddress + 1);
    // A connection that never sends a byte is not seen by Node's header timeout: give it the same time to start.
    const silent = setTimeout(() => socket.destroy(), this.limits.headersTimeoutMs ?? 5000);
    silent.unref();
    socket.once('data', () => clearTimeout(silent));
    socket.once('close', () => {
      clearTimeout(silent);
      this.open--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
    });
  }
}
