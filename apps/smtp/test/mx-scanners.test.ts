/**
 * rspamd and clamd at the MX, end to end: the real daemons (scanner-daemons.ts), the MX as its factory builds it
 * with config rspamd.* and clamd.*, nodemailer as the sending client, and the mailbox read back. Each message must
 * end where the verdict says (INBOX, Junk, 550, 451, 554) with X-Spam-* and X-Virus-* headers that say why; a
 * scanner that is down or hangs fails open (spam always; viruses unless clamd.failClosed, then 451), with a
 * warning logged; a message over a scan limit is delivered with a header saying it was not scanned.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Config, DeepPartial } from '@mailyard/config';
import { closeServer, listen } from '@mailyard/testkit';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, message, startHarness } from './harness.js';
import {
  type Clamd,
  daemonAvailable,
  EICAR,
  EICAR_SIGNATURE,
  type Rspamd,
  startClamd,
  startRspamd,
} from './scanner-daemons.js';

const GTUBE_TAIL = 'JS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

interface Mx {
  h: Harness;
  server: SmtpListener;
  port: number;
}

const open: Mx[] = [];

async function startMx(overrides: DeepPartial<Config>): Promise<Mx> {
  const h = await startHarness({ smtp: { maxConnectionsPerIp: 1000 }, ...overrides });
  const server = createMxServer(h.deps());
  const port = await server.listen(0, '127.0.0.1');
  const mx = { h, server, port };
  open.push(mx);
  return mx;
}

afterAll(async () => {
  for (const mx of open.splice(0)) {
    await mx.server.close(1000);
    await mx.h.close();
  }
});

interface Sent {
  code: number;
  response: string;
}

async function send(mx: Mx, raw: Buffer, to = `alice@${HOSTED}`): Promise<Sent> {
  const transport = createTransport({
    host: '127.0.0.1',
    port: mx.port,
    secure: false,
    name: 'mail.remote.test',
    tls: { rejectUnauthorized: false },
  });
  try {
    const info = await transport.sendMail({ envelope: { from: 'sender@remote.test', to: [to] }, raw });
    return { code: Number(info.response.slice(0, 3)), response: info.response };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string };
    if (e.responseCode === undefined) throw err;
    return { code: e.responseCode, response: e.response ?? '' };
  } finally {
    transport.close();
  }
}

function text(subject: string, body: string, extra?: string): Buffer {
  return message({
    from: 'Sender <sender@remote.test>',
    to: `alice@${HOSTED}`,
    subject,
    body,
    ...(extra ? { extra } : {}),
  });
}

function withAttachment(content: string, extra?: string): Buffer {
  const lines = [
    'From: Sender <sender@remote.test>',
    `To: alice@${HOSTED}`,
    'Subject: the file you asked for',
    `Date: ${new Date().toUTCString()}`,
    'Message-ID: <attachment.1@remote.test>',
    ...(extra ? [extra] : []),
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="part"',
    '',
    '--part',
    'Content-Type: text/plain',
    '',
    'See the attachment.',
    '--part',
    'Content-Type: application/octet-stream; name="tool.com"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="tool.com"',
    '',
    Buffer.from(content, 'latin1').toString('base64'),
    '--part--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** The header block of the last message in `folder` of alice's mailbox. */
async function lastHeader(mx: Mx, folder = 'INBOX'): Promise<string> {
  const messages = await mx.h.mailbox(mx.h.aliases.alice, folder);
  const last = messages.at(-1);
  if (!last) throw new Error(`no message in ${folder}`);
  return last.subarray(0, last.indexOf('\r\n\r\n') + 2).toString('latin1');
}

async function count(mx: Mx, folder: string): Promise<number> {
  return (await mx.h.mailbox(mx.h.aliases.alice, folder)).length;
}

function warned(mx: Mx, pattern: RegExp): boolean {
  return mx.h.logs.some((line) => line.level === 40 && pattern.test(line.msg));
}

/** A TCP server that accepts connections and never answers: a hung daemon. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  return { server, port: await listen(server) };
}

async function refusedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

describe.skipIf(!daemonAvailable('rspamd'))('rspamd as the spam engine of the MX', () => {
  let rspamd: Rspamd;
  let mx: Mx;
  beforeAll(async () => {
    rspamd = await startRspamd();
    mx = await startMx({ rspamd: { url: rspamd.url } });
  }, 120_000);
  afterAll(async () => {
    await rspamd?.stop();
  });

  test("GTUBE: rspamd's reject is a 550 5.7.1 with its reason, and nothing is stored", async () => {
    const before = await count(mx, 'INBOX');
    const sent = await send(mx, text('offer', `X${GTUBE_TAIL}`));
    expect(sent.code).toBe(550);
    expect(sent.response).toMatch(/5\.7\.1 Message refused as spam: Gtube pattern/);
    expect(await count(mx, 'INBOX')).toBe(before);
    expect(await count(mx, 'Junk')).toBe(0);
  });

  test("a clean message is delivered to INBOX; the headers carry rspamd's score and action", async () => {
    const sent = await send(mx, text('Lunch tomorrow', 'Hi Alice, shall we meet at noon by the fountain?'));
    expect(sent.code).toBe(250);
    const header = await lastHeader(mx);
    expect(header).toMatch(/X-Spam-Status: No, score=-?\d+\.\d required=5\.0 tests=[\s\S]*RSPAMD_NO_ACTION/);
    expect(header).not.toMatch(/X-Spam-Flag/);
  });

  test("rspamd's add header and rewrite subject file the message in Junk, flagged; the subject is kept", async () => {
    expect((await send(mx, text('first', `Y${GTUBE_TAIL}`))).code).toBe(250);
    expect((await send(mx, text('second', `Z${GTUBE_TAIL}`))).code).toBe(250);
    const junk = await mx.h.mailbox(mx.h.aliases.alice, 'Junk');
    expect(junk).toHaveLength(2);
    const [first, second] = junk.map((m) => m.subarray(0, m.indexOf('\r\n\r\n')).toString('latin1'));
    expect(first).toMatch(/X-Spam-Flag: YES/);
    expect(first).toMatch(/RSPAMD_ADD_HEADER/);
    expect(second).toMatch(/RSPAMD_REWRITE_SUBJECT/);
    expect(second).toMatch(/\r\nSubject: second\r\n/);
  });

  test("rspamd's soft reject is a 451 4.7.1 deferral; nothing is stored", async () => {
    const before = await count(mx, 'INBOX');
    const sent = await send(mx, text('please defer-me', 'hello'));
    expect(sent.code).toBe(451);
    expect(sent.response).toMatch(/4\.7\.1 Try again later: Test deferral/);
    expect(await count(mx, 'INBOX')).toBe(before);
  });

  test('a message over rspamd.maxScanBytes is not sent to rspamd: the built-in checks decide', async () => {
    const small = await startMx({ rspamd: { url: rspamd.url, maxScanBytes: 200 } });
    const sent = await send(small, text('add header in a long message', `Y${GTUBE_TAIL}`));
    expect(sent.code).toBe(250);
    const header = await lastHeader(small);
    expect(header).toMatch(/RSPAMD_NOT_SCANNED/);
    expect(header).toMatch(/X-Spam-Status: No/);
  });

  test('rspamd hung (stopped): the MX fails open after spam.timeoutMs, with the built-in score and a warning', async () => {
    const impatient = await startMx({ rspamd: { url: rspamd.url }, spam: { timeoutMs: 1000 } });
    rspamd.pause();
    try {
      const started = Date.now();
      expect((await send(impatient, text('hello', 'An ordinary message.'))).code).toBe(250);
      expect(Date.now() - started).toBeLessThan(8000);
      // The built-in filter still refuses GTUBE on its own.
      expect((await send(impatient, text('offer', `X${GTUBE_TAIL}`))).code).toBe(550);
    } finally {
      rspamd.resume();
    }
    expect(await lastHeader(impatient)).toMatch(/RSPAMD_FAILED/);
    expect(warned(impatient, /rspamd unavailable/)).toBe(true);
  });
});

test('rspamd down (refused port): the message is delivered on the built-in score, a warning is logged', async () => {
  const mx = await startMx({ rspamd: { url: `http://127.0.0.1:${await refusedPort()}` } });
  expect((await send(mx, text('hello', 'An ordinary message.'))).code).toBe(250);
  const header = await lastHeader(mx);
  expect(header).toMatch(/X-Spam-Status: No, [\s\S]*RSPAMD_FAILED/);
  expect(warned(mx, /rspamd unavailable/)).toBe(true);
  const gtube = await send(mx, text('offer', `X${GTUBE_TAIL}`));
  expect(gtube.code).toBe(550);
});

describe.skipIf(!daemonAvailable('clamd'))('clamd virus scanning at the MX', () => {
  let clamd: Clamd;
  beforeAll(async () => {
    clamd = await startClamd();
  }, 90_000);
  afterAll(async () => {
    await clamd?.stop();
  });

  test('an EICAR attachment is refused with 554 5.7.1 naming the signature; nothing is stored', async () => {
    const mx = await startMx({ clamd: { socket: clamd.socket } });
    const sent = await send(mx, withAttachment(EICAR));
    expect(sent.code).toBe(554);
    expect(sent.response).toContain(`5.7.1 Message refused: virus found (${EICAR_SIGNATURE}.UNOFFICIAL)`);
    expect(await count(mx, 'INBOX')).toBe(0);
  });

  test('a clean message over TCP is delivered with X-Virus-Scanned and X-Virus-Status: clean; forged ones go', async () => {
    const mx = await startMx({ clamd: { address: `${clamd.host}:${clamd.port}` } });
    const forged = 'X-Virus-Status: clean (trust me)';
    expect((await send(mx, withAttachment('a harmless text file', forged))).code).toBe(250);
    const header = await lastHeader(mx);
    expect(header).toContain('X-Virus-Scanned: clamd at mx.hosted.test\r\n');
    expect(header).toContain('X-Virus-Status: clean\r\n');
    expect(header).not.toContain('trust me');
  });

  test('a message over clamd.maxScanBytes is delivered with a header saying it was not scanned', async () => {
    const mx = await startMx({ clamd: { socket: clamd.socket, maxScanBytes: 300 } });
    expect((await send(mx, withAttachment(EICAR))).code).toBe(250);
    expect(await lastHeader(mx)).toMatch(/X-Virus-Status: not scanned \(the message of \d+ bytes is larger than 300/);
  });
});

describe('clamd down or hung', () => {
  test('down, fail open (default): delivered with X-Virus-Status: not scanned and a warning', async () => {
    const mx = await startMx({ clamd: { address: `127.0.0.1:${await refusedPort()}` } });
    expect((await send(mx, withAttachment('hello'))).code).toBe(250);
    expect(await lastHeader(mx)).toContain('X-Virus-Status: not scanned (virus scanner unavailable)\r\n');
    expect(warned(mx, /virus scanner unavailable/)).toBe(true);
  });

  test('down with clamd.failClosed: 451 4.7.1, nothing stored', async () => {
    const mx = await startMx({ clamd: { socket: '/nonexistent/clamd.sock', failClosed: true } });
    const sent = await send(mx, withAttachment('hello'));
    expect(sent.code).toBe(451);
    expect(sent.response).toMatch(/4\.7\.1 Virus scanner unavailable, try again later/);
    expect(await count(mx, 'INBOX')).toBe(0);
  });

  test('hung (accepts, never answers) with clamd.failClosed: 451 at clamd.timeoutMs', async () => {
    const silent = await silentServer();
    try {
      const mx = await startMx({ clamd: { address: `127.0.0.1:${silent.port}`, failClosed: true, timeoutMs: 500 } });
      const started = Date.now();
      expect((await send(mx, withAttachment('hello'))).code).toBe(451);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      await closeServer(silent.server);
    }
  });
});
