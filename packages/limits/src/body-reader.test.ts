import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageTooLargeError } from '@mailyard/errors';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readBoundedBody } from './body-reader.js';

const MAX = 1024;

/** A real HTTP server that answers with the body length it read, or 413 and the error's message. */
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    readBoundedBody({ req, res }, { maxBytes: MAX, label: 'the test body' }).then(
      (body) => res.end(`read ${body.length} ${body.toString('utf8', 0, 5)}`),
      (err: unknown) => {
        res.statusCode = err instanceof MessageTooLargeError ? 413 : 500;
        res.end(String((err as Error).message));
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

function streamOf(chunkBytes: number, chunks: number, sent: { count: number }) {
  const chunk = new TextEncoder().encode('x'.repeat(chunkBytes));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent.count++ < chunks) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

describe('readBoundedBody', () => {
  test('returns a body within the limit, and an empty one as an empty buffer', async () => {
    const ok = await fetch(base, { method: 'POST', body: 'hello world' });
    expect(await ok.text()).toBe('read 11 hello');
    const exact = await fetch(base, { method: 'POST', body: 'y'.repeat(MAX) });
    expect(await exact.text()).toBe(`read ${MAX} yyyyy`);
    const empty = await fetch(base, { method: 'POST' });
    expect(await empty.text()).toBe('read 0 ');
  });

  test('a declared Content-Length over the limit is refused with the label in the message', async () => {
    const res = await fetch(base, { method: 'POST', body: 'z'.repeat(MAX + 1) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe(`the test body is larger than ${MAX} bytes`);
  });

  test('a streamed body is cut off near the limit and the connection is closed', async () => {
    const sent = { count: 0 };
    const chunks = 4096;
    const res = await fetch(base, {
      method: 'POST',
      body: streamOf(16 * 1024, chunks, sent),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    // 64 MiB offered: the reply comes long before the client has sent a quarter of it.
    expect(sent.count).toBeLessThan(chunks / 4);
  });
});
