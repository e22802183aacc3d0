/** Submission end to end: AUTH only after TLS, own-domain senders only, DKIM signing, local/remote/Sent copies. */
import { dkimVerify } from 'mailauth';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, message, PASSWORD, REMOTE, startHarness } from './harness.js';
import { Wire } from './wire.js';

let h: Harness;
let submission: SubmissionServer;
let ports: { starttls: number; implicitTls: number };

beforeAll(async () => {
  h = await startHarness({ smtp: { authFailuresPerIpPerHour: 3, dailySendLimit: 6 } });
  submission = createSubmissionServer(h.deps());
  ports = await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1');
});

afterAll(async () => {
  await submission.close(1000);
  await h.close();
});

const alice = `alice@${HOSTED}`;
/** Source address of the test that earns a failed-login block (any 127.x address reaches the listener). */
const GUESSER = '127.0.0.77';
const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');

async function greeted(opts: { tls?: boolean; localAddress?: string } = {}): Promise<Wire> {
  const wire = await Wire.open(opts.tls ? ports.implicitTls : ports.starttls, opts);
  expect((await wire.reply()).code).toBe(220);
  return wire;
}

async function overTls(opts: { localAddress?: string } = {}): Promise<Wire> {
  const wire = await greeted(opts);
  await wire.command('EHLO client.test');
  expect((await wire.command('STARTTLS')).code).toBe(220);
  await wire.startTls();
  return wire;
}

function transport(port = ports.implicitTls) {
  return createTransport({
    host: '127.0.0.1',
    port,
    secure: port === ports.implicitTls,
    auth: { user: alice, pass: PASSWORD },
    tls: { rejectUnauthorized: false },
  });
}

describe('submission AUTH', () => {
  test('before TLS: AUTH is not offered and is refused with 530 5.7.0; MAIL needs AUTH', async () => {
    const wire = await greeted();
    const ehlo = await wire.command('EHLO client.test');
    expect(ehlo.text).toContain('STARTTLS');
    expect(ehlo.text).not.toMatch(/AUTH/);
    expect((await wire.command(`AUTH PLAIN ${plain(alice, PASSWORD)}`)).lines[0]).toMatch(/^530 5\.7\.0 /);
    expect((await wire.command(`MAIL FROM:<${alice}>`)).lines[0]).toMatch(/^530 5\.7\.0 /);
    wire.destroy();
  });

  test('after STARTTLS: AUTH PLAIN LOGIN offered; relaying without AUTH is refused', async () => {
    const wire = await overTls();
    const ehlo = await wire.command('EHLO client.test');
    expect(ehlo.lines.some((l) => l.slice(4) === 'AUTH PLAIN LOGIN')).toBe(true);
    expect((await wire.command(`MAIL FROM:<${alice}>`)).lines[0]).toMatch(/^530 /);
    wire.destroy();
  });

  test('wrong passwords: 535 5.7.8, logged for fail2ban, then 454 once past the hourly limit', async () => {
    // From its own loopback address, so the block it earns does not touch the later tests' logins.
    const wire = await overTls({ localAddress: GUESSER });
    await wire.command('EHLO client.test');
    for (let i = 0; i < 3; i++) {
      expect((await wire.command(`AUTH PLAIN ${plain(alice, 'wrong')}`)).lines[0]).toMatch(/^535 5\.7\.8 /);
    }
    expect((await wire.command(`AUTH PLAIN ${plain(alice, PASSWORD)}`)).lines[0]).toMatch(/^454 4\.7\.0 /);
    wire.destroy();
    const failures = h.logs.filter((l) => l.msg === 'authentication failed');
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatchObject({ protocol: 'smtp', ip: GUESSER, user: alice });
    expect(JSON.stringify(h.logs)).not.toContain('wrong');
  });
});

describe('submission sending', () => {
  test('foreign From header or envelope sender: 550 5.7.1', async () => {
    const t = transport();
    await expect(
      t.sendMail({
        envelope: { from: alice, to: [`bob@${HOSTED}`] },
        raw: message({ from: 'ceo@bank.test', to: `bob@${HOSTED}` }),
      }),
    ).rejects.toMatchObject({ response: expect.stringMatching(/^550 5\.7\.1 /) });
    await expect(
      t.sendMail({
        envelope: { from: 'ceo@bank.test', to: [`bob@${HOSTED}`] },
        raw: message({ from: alice, to: `bob@${HOSTED}` }),
      }),
    ).rejects.toMatchObject({ response: expect.stringMatching(/^550 5\.7\.1 /) });
  });

  test('signed with DKIM, delivered locally, queued remotely, copied to Sent', async () => {
    const raw = message({ from: `Alice <${alice}>`, to: `bob@${HOSTED}, carol@${REMOTE}` });
    const info = await transport(ports.starttls).sendMail({
      envelope: { from: alice, to: [`bob@${HOSTED}`, `carol@${REMOTE}`] },
      raw,
    });
    expect(info.accepted).toHaveLength(2);
    const atBob = (await h.mailbox(h.aliases.bob)).at(-1) ?? Buffer.alloc(0);
    expect(atBob.subarray(atBob.length - raw.length).equals(raw)).toBe(true);
    expect(atBob.toString()).toMatch(/^DKIM-Signature: .*a=rsa-sha256/s);
    expect(atBob.toString()).toMatch(/c=relaxed\/relaxed/);
    const verified = await dkimVerify(atBob, { resolver: submission.state.ctx.dns.mailauth });
    expect(verified.results[0]?.status.result).toBe('pass');
    expect(verified.results[0]?.signingDomain).toBe(HOSTED);
    const sent = (await h.mailbox(h.aliases.alice, 'Sent')).at(-1);
    expect(sent?.equals(atBob)).toBe(true);
    const [queued] = await h.control.listRecent(1);
    expect(queued).toMatchObject({
      envelopeFrom: alice,
      recipients: [{ address: `carol@${REMOTE}`, status: 'pending' }],
    });
  });

  test('a missing Date and Message-ID are added (RFC 6409 §8.2, §8.3) and signed; DSN parameters are queued', async () => {
    const raw = Buffer.from(`From: ${alice}\r\nTo: bob@${HOSTED}\r\nSubject: bare\r\n\r\nno date, no id\r\n`);
    const dsn: SMTPConnection.DSNOptions = {
      envid: 'env 7+x',
      ret: 'HDRS',
      notify: ['FAILURE', 'DELAY'],
      orcpt: `rfc822;d.o.r.a@${REMOTE}`,
    };
    const mail: Mail.Options & { dsn: SMTPConnection.DSNOptions } = {
      envelope: { from: alice, to: [`bob@${HOSTED}`, `dora@${REMOTE}`] },
      raw,
      dsn,
    };
    await transport().sendMail(mail);
    const atBob = (await h.mailbox(h.aliases.bob)).at(-1) ?? Buffer.alloc(0);
    const header = atBob.toString().split('\r\n\r\n')[0] ?? '';
    expect(header).toMatch(/\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n/);
    expect(header).toMatch(new RegExp(`\r\nMessage-ID: <[0-9a-f]{32}@${HOSTED.replace('.', '\\.')}>`));
    expect(atBob.subarray(atBob.length - raw.length).equals(raw)).toBe(true);
    const verified = await dkimVerify(atBob, { resolver: submission.state.ctx.dns.mailauth });
    expect(verified.results[0]?.status.result).toBe('pass');
    const signatureHeaders = /DKIM-Signature:[\s\S]*?\bh=([^;]*)/.exec(header)?.[1] ?? '';
    expect(signatureHeaders).toMatch(/\bdate\b/i);
    expect(signatureHeaders).toMatch(/\bmessage-id\b/i);
    const [queued] = await h.control.listRecent(1);
    expect(queued?.dsn).toEqual({
      ret: 'HDRS',
      envid: 'env 7+x',
      recipients: { [`dora@${REMOTE}`]: { notify: ['FAILURE', 'DELAY'], orcpt: `rfc822;d.o.r.a@${REMOTE}` } },
    });
  });

  test('a message with its own Date and Message-ID keeps them and gets no second one', async () => {
    const raw = message({ from: alice, to: `bob@${HOSTED}` });
    await transport().sendMail({ envelope: { from: alice, to: [`bob@${HOSTED}`] }, raw });
    const atBob = (await h.mailbox(h.aliases.bob)).at(-1) ?? Buffer.alloc(0);
    const header = atBob.toString().split('\r\n\r\n')[0] ?? '';
    expect(header.match(/\r\nDate: /g)).toHaveLength(1);
    expect(header.match(/\r\nMessage-ID: /g)).toHaveLength(1);
  });

  test('unknown local recipient: 550 5.1.1', async () => {
    await expect(
      transport().sendMail({
        envelope: { from: alice, to: [`nobody@${HOSTED}`] },
        raw: message({ from: alice, to: 'x' }),
      }),
    ).rejects.toMatchObject({ response: expect.stringMatching(/^550 5\.1\.1 /) });
  });

  test('daily limit per alias: 451 4.7.0 once used up', async () => {
    const t = transport();
    const send = () =>
      t.sendMail({
        envelope: { from: alice, to: [`bob@${HOSTED}`] },
        raw: message({ from: alice, to: `bob@${HOSTED}` }),
      });
    let refused: unknown;
    for (let i = 0; i < 5 && !refused; i++) await send().catch((err: unknown) => (refused = err));
    expect(refused).toMatchObject({ response: expect.stringMatching(/^451 4\.7\.0 Daily sending limit/) });
  });
});
