import { once } from 'node:events';
import { createServer as createHttpServer, get } from 'node:http';
import { connect, createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { closeServer, listen } from './servers.js';

describe('listen and closeServer', () => {
  test('listens on an ephemeral port of 127.0.0.1 that a client can reach', async () => {
    const server = createServer((socket) => socket.end('hello\r\n'));
    const port = await listen(server);
    expect(port).toBeGreaterThan(0);
    const client = connect(port, '127.0.0.1');
    const [data] = await once(client, 'data');
    expect(String(data)).toBe('hello\r\n');
    client.destroy();
    await closeServer(server);
    expect(server.listening).toBe(false);
  });

  test('refuses non-loopback addresses', async () => {
    await expect(listen(createServer(), '0.0.0.0')).rejects.toThrow(/loopback/);
  });

  test('closeServer ends connections a client left open', async () => {
    const server = createServer(() => {});
    const port = await listen(server);
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const clientClosed = once(client, 'close');
    await closeServer(server);
    await clientClosed;
    expect(server.listening).toBe(false);
  });

  test('closes an HTTP server with a keep-alive connection', async () => {
    const server = createHttpServer((_req, res) => res.end('ok'));
    const port = await listen(server);
    const body = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', headers: { connection: 'keep-alive' } }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('ok');
    await closeServer(server);
    expect(server.listening).toBe(false);
  });

  test('closing a server that never listened resolves', async () => {
    await expect(closeServer(createServer())).resolves.toBeUndefined();
  });
});
