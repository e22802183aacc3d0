/**
 * The clamd client against the real clamd (Debian clamav-daemon) with a test signature database: EICAR found
 * over the unix socket and over TCP, a clean message passes, a message over clamd's StreamMaxLength is an
 * error (clamd refuses it), bytes that are no mail are scanned all the same, and a clamd that is down or hangs
 * is an ExternalError within the time limit.
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { ExternalError } from '@mailyard/errors';
import { closeServer, corpusMessages, listen } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClamdClient } from '../src/spam/clamd.js';
import { type Clamd, daemonAvailable, EICAR, EICAR_SIGNATURE, startClamd } from './scanner-daemons.js';

async function* pieces(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part, 'latin1');
}

function attachment(content: string): string {
  const encoded = Buffer.from(content, 'latin1').toString('base64');
  return [
    'From: sender@remote.test',
    'To: alice@hosted.test',
    'Subject: the file',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'See attached.',
    '--b1',
    'Content-Type: application/octet-stream; name="file.com"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="file.com"',
    '',
    encoded,
    '--b1--',
    '',
  ].join('\r\n');
}

const available = daemonAvailable('clamd');

describe.skipIf(!available)('clamd INSTREAM against the real clamd', () => {
  let clamd: Clamd;
  beforeAll(async () => {
    clamd = await startClamd({ streamMaxBytes: 256 * 1024 });
  }, 90_000);
  afterAll(async () => {
    await clamd?.stop();
  });

  test('an EICAR attachment is found over the unix socket and over TCP, named by its signature', async () => {
    const message = attachment(EICAR);
    for (const address of [{ socket: clamd.socket }, { host: clamd.host, port: clamd.port }]) {
      const client = createClamdClient({ address, timeoutMs: 10_000 });
      const result = await client.scan(pieces(message));
      expect(result).toEqual({ infected: true, signature: `${EICAR_SIGNATURE}.UNOFFICIAL` });
    }
  });

  test('a clean message passes, also when the stream arrives in many small pieces', async () => {
    const client = createClamdClient({ address: { socket: clamd.socket }, timeoutMs: 10_000 });
    expect(await client.scan(pieces(attachment('just some text, nothing to see')))).toEqual({ infected: false });
    const message = Buffer.from(attachment(EICAR), 'latin1');
    const bytes = Array.from({ length: Math.ceil(message.length / 7) }, (_, i) => message.subarray(i * 7, i * 7 + 7));
    expect(await client.scan(pieces(...bytes))).toMatchObject({ infected: true });
  });

  test('real corpus messages scan clean, and so do bytes that are no mail at all', async () => {
    const client = createClamdClient({ address: { socket: clamd.socket }, timeoutMs: 10_000 });
    for (const path of corpusMessages().slice(0, 10)) {
      expect(await client.scan(pieces(await readFile(path))), path).toEqual({ infected: false });
    }
    const garbage = Buffer.alloc(100_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 251;
    expect(await client.scan(pieces(garbage))).toEqual({ infected: false });
    expect(await client.scan(pieces())).toEqual({ infected: false });
  });

  test("a stream over clamd's StreamMaxLength is refused by clamd: an ExternalError saying so", async () => {
    const client = createClamdClient({ address: { socket: clamd.socket }, timeoutMs: 10_000 });
    const big = Buffer.alloc(1024 * 1024, 'a');
    const error = await client.scan(pieces(big)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toMatch(/size limit exceeded|StreamMaxLength/i);
  });
});

test('clamd down (no socket, refused port) is an ExternalError', async () => {
  const missing = createClamdClient({ address: { socket: join('/nonexistent', 'clamd.sock') }, timeoutMs: 5000 });
  await expect(missing.scan(pieces('x'))).rejects.toBeInstanceOf(ExternalError);
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  const refused = createClamdClient({ address: { host: '127.0.0.1', port }, timeoutMs: 5000 });
  await expect(refused.scan(pieces('x'))).rejects.toThrow(/ECONNREFUSED/);
});

test('a clamd that accepts and never answers is an ExternalError at the time limit', async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  const port = await listen(server);
  try {
    const client = createClamdClient({ address: { host: '127.0.0.1', port }, timeoutMs: 300 });
    const started = Date.now();
    await expect(client.scan(pieces(attachment('hello')))).rejects.toThrow(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  } finally {
    await closeServer(server);
  }
});

test('a reply that is not clamd protocol is an ExternalError', async () => {
  const server = createServer((socket) => {
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  });
  const port = await listen(server);
  try {
    const client = createClamdClient({ address: { host: '127.0.0.1', port }, timeoutMs: 5000 });
    await expect(client.scan(pieces('hello'))).rejects.toThrow(/unknown reply/);
  } finally {
    await closeServer(server);
  }
});
