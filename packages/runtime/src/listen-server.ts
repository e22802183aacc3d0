// The one way a Mailyard server binds and unbinds its port, for every protocol: SMTP (through smtp-server's inner
// net.Server), IMAP and POP3 (net and tls servers), the API and the dashboard (HTTP servers).
// What happens to sessions still open at close is the protocol's own (IMAP BYE, SMTP 421, POP3 sign-off); this
// only stops accepting and reports when the listening socket is gone.
import type { Server } from 'node:net';

/** Listens on `port` (0 picks a free one) and resolves with the port actually bound; a bind error rejects. */
export function listenServer(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Stops accepting and resolves once every connection is gone; a server that is not listening resolves at once.
 * An HTTP server's idle keep-alive connections are closed at once, so only requests in flight are waited for.
 */
export function closeServer(server: Server | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server?.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    if (hasIdleConnections(server)) server.closeIdleConnections();
  });
}

function hasIdleConnections(server: Server): server is Server & { closeIdleConnections(): void } {
  return typeof (server as { closeIdleConnections?: unknown }).closeIdleConnections === 'function';
}
