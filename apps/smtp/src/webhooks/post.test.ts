import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postWebhook, SIGNATURE_HEADER } from './post.js';

let server: Server;
let port: number;
const seen: Array<{ signature: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/ok') return res.end('thanks');
      if (req.url === '/gone') {
        res.statusCode = 404;
        return res.end('no such hook');
      }
      // A flood: far more than the bytes read of an answer.
      res.statusCode = 503;
      const block = Buffer.alloc(64 * 1024, 0x78);
      let left = 200;
      const pump = () => {
        while (left > 0) {
          left -= 1;
          if (!res.write(block)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
  });
  port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('postWebhook', () => {
  const body = Buffer.from('{"a":1}');
  const opts = { allowPrivate: true };

  test('2xx delivers; the signature is the HMAC-SHA256 of the body', async () => {
    expect(await postWebhook(`http://127.0.0.1:${port}/ok`, body, 'k3y', opts)).toEqual({
      kind: 'delivered',
      status: 200,
    });
    const last = seen.at(-1);
    expect(last?.body).toBe('{"a":1}');
    expect(last?.signature).toBe(`sha256=${createHmac('sha256', 'k3y').update(body).digest('hex')}`);
  });

  test('a flood of an answer is cut short and retried; a 404 is refused; a closed port is retried', async () => {
    const flood = await postWebhook(`http://127.0.0.1:${port}/busy`, body, 'k', opts);
    expect(flood.kind).toBe('retry');
    expect(flood.kind === 'retry' && flood.error.length).toBeLessThan(300);
    const gone = await postWebhook(`http://127.0.0.1:${port}/gone`, body, 'k', opts);
    expect(gone).toEqual({ kind: 'refused', error: 'HTTP 404: no such hook' });
    const spare = createServer();
    const sparePort = await new Promise<number>((resolve) => {
      spare.listen(0, '127.0.0.1', () => {
        const address = spare.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    await new Promise((resolve) => spare.close(resolve));
    const closed = await postWebhook(`http://127.0.0.1:${sparePort}/x`, body, 'k', opts);
    expect(closed.kind).toBe('retry');
  });

  test('without allowPrivate, loopback is refused before any connection', async () => {
    const before = seen.length;
    const refused = await postWebhook(`http://127.0.0.1:${port}/ok`, body, 'k', { allowPrivate: false });
    expect(refused).toEqual({ kind: 'refused', error: '127.0.0.1 resolves to the non-public address 127.0.0.1' });
    expect(seen.length).toBe(before);
  });
});
