// Graceful shutdown of the data-plane server. On SIGTERM: stop accepting connections at once,
// close idle keep-alive connections, let every in-flight request finish (up to a grace period),
// close each remaining keep-alive connection right after its current response, and only then
// cut what is still running. A deploy that restarts the gateway then cuts no response that
// could finish within the grace period.

import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface DrainResult {
  /** Requests in flight when the drain began. */
  inFlightAtStart: number;
  /** Of those (and any that arrived on open connections meanwhile), how many finished. */
  finished: number;
  /** Cut when the grace period ran out. */
  cut: number;
}

export interface InFlightTracker {
  /** Requests currently being answered. */
  inFlight(): number;
  /** True once drain() was called. */
  readonly draining: boolean;
  /** Stops accepting, waits for in-flight requests up to `graceMs`, then cuts the rest. */
  drain(graceMs: number): Promise<DrainResult>;
}

/**
 * Counts in-flight requests per connection of `server`. Install it right after the server is
 * created: requests that started before it are not seen.
 */
export function trackInFlight(server: Server): InFlightTracker {
  const active = new Set<ServerResponse>();
  const perSocket = new Map<Socket, number>();
  let draining = false;
  let finished = 0;
  let onIdle: (() => void) | undefined;

  const release = (res: ServerResponse, socket: Socket) => {
    if (!active.delete(res)) return;
    finished++;
    const n = (perSocket.get(socket) ?? 1) - 1;
    if (n <= 0) perSocket.delete(socket);
    else perSocket.set(socket, n);
    if (draining && n <= 0 && !socket.destroyed) {
      // The connection's current response is complete: close it (gracefully) so the client's
      // next request opens a new connection, to a gateway that is up.
      setImmediate(() => {
        if (!perSocket.has(socket) && !socket.destroyed) socket.end();
      });
    }
    if (active.size === 0) onIdle?.();
  };

  server.on('request', (req, res: ServerResponse) => {
    const socket = req.socket;
    active.add(res);
    perSocket.set(socket, (perSocket.get(socket) ?? 0) + 1);
    // A response that starts during the drain says it closes the connection.
    if (draining) res.shouldKeepAlive = false;
    res.once('finish', () => release(res, socket));
    res.once('close', () => release(res, socket));
  });

  return {
    inFlight: () => active.size,
    get draining() {
      return draining;
    },
    drain(graceMs: number): Promise<DrainResult> {
      const inFlightAtStart = active.size;
      const before = finished;
      draining = true;
      for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false;
      return new Promise((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const done = (cut: number) => {
          if (timer) clearTimeout(timer);
          onIdle = undefined;
          resolve({ inFlightAtStart, finished: finished - before, cut });
        };
        // Refuse new connections now; the callback (all connections gone) is not waited for.
        server.close(() => {});
        server.closeIdleConnections();
        if (active.size === 0) return done(0);
        onIdle = () => done(0);
        timer = setTimeout(() => {
          const cut = active.size;
          onIdle = undefined;
          server.closeAllConnections();
          done(cut);
        }, graceMs);
        timer.unref();
      });
    },
  };
}
