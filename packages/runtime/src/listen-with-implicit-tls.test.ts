import { connect, createServer, type Server } from 'node:net';
import { expect, test } from 'vitest';
import { type Listener, listenWithImplicitTls } from './listen-with-implicit-tls.js';

/** A plain TCP server behind the Listener shape, remembering whether it was created as the TLS one. */
function tcpListener(secure: boolean, created: Array<{ secure: boolean; server: Server }>): Listener {
  const server = createServer((socket) => socket.end(secure ? 'tls\n' : 'plain\n'));
  created.push({ secure, server });
  return {
    listen: (port, host) => new Promise((resolve) => server.listen(port, host, () => resolve(portOf(server)))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

test('listens the plain and the implicit-TLS server, and the returned stop closes both', async () => {
  const created: Array<{ secure: boolean; server: Server }> = [];
  const stop = await listenWithImplicitTls(
    (secure) => tcpListener(secure, created),
    { port: 0, tlsPort: 0 },
    '127.0.0.1',
  );
  expect(created.map((c) => c.secure)).toEqual([false, true]);
  const [plain, implicitTls] = created.map((c) => c.server) as [Server, Server];
  expect(await greeting(portOf(plain))).toBe('plain\n');
  expect(await greeting(portOf(implicitTls))).toBe('tls\n');
  expect(stop.ports).toEqual({ port: portOf(plain), tlsPort: portOf(implicitTls) });
  await stop();
  expect(plain.listening).toBe(false);
  expect(implicitTls.listening).toBe(false);
});
