/**
 * The rspamd client and check against the real rspamd (Debian rspamd, private configuration on 127.0.0.1, see
 * scanner-daemons.ts): GTUBE is a reject, its add-header and rewrite-subject variants are Junk, a soft reject is
 * a deferral, a clean message and real corpus messages are no action, bytes that are no mail are scanned too,
 * and rspamd down, hung, or answering nonsense is an ExternalError within the time limit.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { ExternalError } from '@mailyard/errors';
import { closeServer, corpusMessages, listen } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRspamdClient, type RspamdScan, rspamdCheck } from '../src/spam/rspamd.js';
import type { SpamInput } from '../src/spam/verdict.js';
import { daemonAvailable, type Rspamd, startRspamd } from './scanner-daemons.js';

const GTUBE_BODY = 'JS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

function message(subject: string, body: string): Buffer {
  const lines = [
    'From: Alice Sender <alice@remote.test>',
    'To: bob@hosted.test',
    `Subject: ${subject}`,
    'Message-ID: <1234.5678@remote.test>',
    'Date: Sat, 05 Dec 2026 05:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

async function* pieces(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 1000) yield bytes.subarray(at, at + 1000);
}

function scan(bytes: Buffer): RspamdScan {
  return {
    ip: '192.0.2.10',
    helo: 'mail.remote.test',
    hostname: 'mail.remote.test',
    from: 'alice@remote.test',
    to: ['bob@hosted.test'],
    size: bytes.length,
    body: pieces(bytes),
  };
}

function input(bytes: Buffer): SpamInput {
  return {
    client: { ip: '192.0.2.10', helo: 'mail.remote.test' },
    envelope: { from: 'alice@remote.test', to: ['bob@hosted.test'] },
    auth: { spf: 'none', dkim: 'none', dmarc: 'none', arc: 'none', dmarcPolicy: 'none' },
    headers: [],
    header: bytes.subarray(0, bytes.indexOf('\r\n\r\n') + 4),
    size: bytes.length,
    scanned: bytes,
    read: () => pieces(bytes),
    signal: new AbortController().signal,
  };
}

const CLEAN = message('Lunch tomorrow', 'Hi Bob, shall we meet at noon by the fountain? Alice');

const available = daemonAvailable('rspamd');

describe.skipIf(!available)('rspamd /checkv2 against the real rspamd', () => {
  let rspamd: Rspamd;
  beforeAll(async () => {
    rspamd = await startRspamd();
  }, 120_000);
  afterAll(async () => {
    await rspamd?.stop();
  });

  test("GTUBE is rspamd's reject, with rspamd's reason", async () => {
    const client = createRspamdClient({ url: rspamd.url, timeoutMs: 10_000 });
    const result = await client.check(scan(message('offer', `X${GTUBE_BODY}`)));
    expect(result).toMatchObject({ action: 'reject', smtpMessage: 'Gtube pattern' });
    const checked = await rspamdCheck(client, { maxScanBytes: 1024 * 1024 }).check(
      input(message('x', `X${GTUBE_BODY}`)),
    );
    expect(checked.action).toBe('reject');
    expect(checked.reason).toBe('Message refused as spam: Gtube pattern');
    expect(checked.symbols[0]).toMatchObject({ name: 'RSPAMD_REJECT', score: 0 });
  });

  test('add header and rewrite subject are Junk, soft reject is a deferral, no action is nothing forced', async () => {
    const check = rspamdCheck(createRspamdClient({ url: `${rspamd.url}/`, timeoutMs: 10_000 }), {
      maxScanBytes: 1024 * 1024,
    });
    const addHeader = await check.check(input(message('x', `Y${GTUBE_BODY}`)));
    expect(addHeader).toMatchObject({ action: 'junk', symbols: [{ name: 'RSPAMD_ADD_HEADER' }] });
    const rewrite = await check.check(input(message('x', `Z${GTUBE_BODY}`)));
    expect(rewrite).toMatchObject({ action: 'junk', symbols: [{ name: 'RSPAMD_REWRITE_SUBJECT' }] });
    const deferred = await check.check(input(message('please defer-me', 'hello')));
    expect(deferred).toMatchObject({ action: 'defer', reason: 'Try again later: Test deferral' });
    const clean = await check.check(input(CLEAN));
    expect(clean.action).toBeUndefined();
    expect(clean.symbols[0]?.name).toBe('RSPAMD_NO_ACTION');
    expect(clean.symbols[0]?.description).toMatch(/^rspamd: no action, score -?\d/);
  });

  test('a message over maxScanBytes is not sent: RSPAMD_NOT_SCANNED', async () => {
    const check = rspamdCheck(createRspamdClient({ url: rspamd.url, timeoutMs: 10_000 }), { maxScanBytes: 100 });
    const result = await check.check(input(message('x', `X${GTUBE_BODY}`)));
    expect(result.action).toBeUndefined();
    expect(result.symbols).toEqual([expect.objectContaining({ name: 'RSPAMD_NOT_SCANNED', score: 0 })]);
  });

  test('corpus messages, non-ASCII envelope addresses and bytes that are no mail all get an answer', async () => {
    const client = createRspamdClient({ url: rspamd.url, timeoutMs: 10_000 });
    for (const path of corpusMessages().slice(0, 10)) {
      const result = await client.check(scan(await readFile(path)));
      expect(result.action, path).not.toBe('reject');
    }
    const utf8 = await client.check({ ...scan(CLEAN), from: 'jörg@remote.test', to: ['bøb@hosted.test'] });
    expect(utf8.action).toBeDefined();
    const garbage = Buffer.alloc(50_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    expect((await client.check(scan(garbage))).action).toBeDefined();
    expect((await client.check({ ...scan(Buffer.alloc(0)), from: '' })).action).toBeDefined();
  });

  test('a paused (hung) rspamd is an ExternalError at the time limit, and answers again after', async () => {
    const client = createRspamdClient({ url: rspamd.url, timeoutMs: 500 });
    rspamd.pause();
    try {
      await expect(client.check(scan(CLEAN))).rejects.toThrow(/did not answer within 500 ms/);
    } finally {
      rspamd.resume();
    }
    const patient = createRspamdClient({ url: rspamd.url, timeoutMs: 10_000 });
    expect((await patient.check(scan(CLEAN))).action).toBeDefined();
  });
});

test('rspamd down (refused port) is an ExternalError', async () => {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  const client = createRspamdClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
  const error = await client.check(scan(CLEAN)).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(ExternalError);
  expect((error as Error).message).toMatch(/ECONNREFUSED/);
});

test('a server that accepts and never answers is an ExternalError at the time limit; an aborted signal ends it', async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  const port = await listen(server);
  try {
    const client = createRspamdClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 });
    await expect(client.check(scan(CLEAN))).rejects.toThrow(/did not answer within 300 ms/);
    const slow = createRspamdClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = slow.check({ ...scan(CLEAN), signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow(/ran out of time/);
  } finally {
    await closeServer(server);
  }
});

test('HTTP errors and replies that are no rspamd JSON are ExternalErrors', async () => {
  const replies = [
    { status: 500, body: 'internal error' },
    { status: 200, body: '<html>not json</html>' },
    { status: 200, body: '{"error":"cannot parse"}' },
    { status: 200, body: '{"score":1}' },
  ];
  let next = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = replies[next++] ?? { status: 500, body: '' };
      res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(reply.body);
    });
  });
  const port = await listen(server);
  try {
    const client = createRspamdClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
    const expected = [
      /HTTP 500: internal error/,
      /not JSON/,
      /could not scan the message: cannot parse/,
      /without an action/,
    ];
    for (const pattern of expected) {
      const error = await client.check(scan(CLEAN)).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ExternalError);
      expect((error as Error).message).toMatch(pattern);
    }
  } finally {
    await closeServer(server);
  }
});
