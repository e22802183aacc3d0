import { createServer } from 'node:http';
import { expect, test } from 'vitest';
import { closeHttpServer, listenHttpServer } from './http-server.js';

test('listens on a free port, serves, and closes even with an idle keep-alive connection open', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  const port = await listenHttpServer(server, 0, '127.0.0.1');
  expect(port).toBeGreaterThan(0);
  const reply = await fetch(`http://127.0.0.1:${port}/`, { keepalive: true });
  expect(await reply.text()).toBe('ok');
  await closeHttpServer(server);
  expect(server.listening).toBe(false);
  await closeHttpServer(server);
});

test('a port already taken rejects', async () => {
  const first = createServer();
  const port = await listenHttpServer(first, 0, '127.0.0.1');
  await expect(listenHttpServer(createServer(), port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
  await closeHttpServer(first);
});
