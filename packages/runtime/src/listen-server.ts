import type { Server } from 'node:http';

/** Listens on `port` (0 picks a free one) and resolves with the port actually bound. */
export function listenHttpServer(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stops accepting, lets requests in flight finish, and closes idle keep-alive connections at once. */
export function closeHttpServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server?.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}
