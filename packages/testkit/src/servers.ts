/**
 * Servers on an ephemeral port of a loopback address. `listen` tracks every accepted connection so that
 * `closeServer` can end them; otherwise net.Server#close waits for clients a failing test never closes.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server, Socket } from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1']);
const openSockets = new WeakMap<Server, Set<Socket>>();

/** Listens on port 0 of `host` (127.0.0.1 or ::1 only) and resolves with the port the system chose. */
export async function listen(server: Server | HttpServer, host = '127.0.0.1'): Promise<number> {
  if (!LOOPBACK.has(host)) throw new Error(`tests listen on loopback only (127.0.0.1 or ::1), not ${host}`);
  track(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

/** Closes the server and ends its open connections; resolves once it is closed (also if it never listened). */
export async function closeServer(server: Server | HttpServer): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => {
    server.close((err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(err);
      else resolve();
    });
  });
  if ('closeAllConnections' in server) server.closeAllConnections();
  for (const socket of openSockets.get(server) ?? []) socket.destroy();
  await closed;
}

function track(server: Server): void {
  if (openSockets.has(server)) return;
  const sockets = new Set<Socket>();
  openSockets.set(server, sockets);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}
