import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { expect, test } from 'vitest';
import { closeServer, listenServer } from './listen-server.js';

test('an HTTP server listens on a free port, serves, and closes even with an idle keep-alive connection open', async () => {
  const server = createHttpServer((_req, res) => res.end('ok'));
  const port = await listenServer(server, 0, '127.0.0.1');
  expect(port).toBeGreaterThan(0);
  const reply = await fetch(`http://127.0.0.1:${port}/`, { keepalive: true });
  expect(await reply.text()).toBe('ok');
  await closeServer(server);
  expect(server.listening).toBe(false);
  await closeServer(server);
});

test('a TCP server closes once its last connection ends; one never listened closes at once', async () => {
  const server = createNetServer((socket) => socket.write('hello\r\n'));
  const port = await listenServer(server, 0, '127.0.0.1');
  const client = connect(port, '127.0.0.1');
  await once(client, 'data');
  let closed = false;
  const closing = closeServer(server).then(() => {
    closed = true;
  });
  expect(server.listening).toBe(false);
  await new Promise((resolve) => setImmediate(resolve));
  expect(closed).toBe(false);
  client.end();
  await closing;
  expect(closed).toBe(true);
  await closeServer(createNetServer());
  await closeServer(undefined);
});

test('a port already taken rejects', async () => {
  const first = createHttpServer();
  const port = await listenServer(first, 0, '127.0.0.1');
  await expect(listenServer(createNetServer(), port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
  await closeServer(first);
});
