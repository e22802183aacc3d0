// Cross-tenant capture end to end (issue 12 item 2): another account adds a domain it does not own and creates
// victim@ there; mail that a user of this server submits to that address must go out by MX like any remote mail,
// never into the claimer's mailbox, and the MX must not accept mail for it. Once the domain is verified (its
// ownership record found, or an administrator's mark), mail for it is delivered locally again.
import { randomBytes } from 'node:crypto';
import type { Alias } from '@mailyard/control';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, message, PASSWORD, startHarness } from './harness.js';
import { Wire } from './wire.js';

const CLAIMED = 'gmail.test';

let h: Harness;
let submission: SubmissionServer;
let mx: SmtpListener;
let ports: { implicitTls: number; mx: number };
let victim: Alias;
let domainId: string;

beforeAll(async () => {
  h = await startHarness();
  submission = createSubmissionServer(h.deps());
  const listening = await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1');
  mx = createMxServer(h.deps());
  ports = { implicitTls: listening.implicitTls, mx: await mx.listen(0, '127.0.0.1') };
  const mallory = await h.control.createAccount({ email: 'mallory@elsewhere.test', password: 'mallory password' });
  const domain = await h.control.createDomain({
    accountId: mallory.id,
    name: CLAIMED,
    verificationToken: 'token',
    dkim: h.hostedKey,
  });
  domainId = domain.id;
  const alias = await h.control.createAlias(domain.id, { name: 'victim', hasImap: true });
  const mailboxId = randomBytes(8).toString('hex');
  await h.mailstore.createMailbox(mailboxId, PASSWORD);
  await h.control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
  victim = { ...alias, mailboxId };
});

afterAll(async () => {
  await submission.close(1000);
  await mx.close(1000);
  await h.close();
});

async function submitAsAlice(subject: string): Promise<void> {
  const transport = createTransport({
    host: '127.0.0.1',
    port: ports.implicitTls,
    secure: true,
    auth: { user: `alice@${HOSTED}`, pass: PASSWORD },
    tls: { rejectUnauthorized: false },
  });
  try {
    const raw = message({ from: `alice@${HOSTED}`, to: `victim@${CLAIMED}`, subject });
    await transport.sendMail({ envelope: { from: `alice@${HOSTED}`, to: [`victim@${CLAIMED}`] }, raw });
  } finally {
    transport.close();
  }
}

describe('a domain claimed without verification captures no mail', () => {
  test('submitted mail to it is queued for remote delivery, not put into the claimer’s mailbox', async () => {
    await submitAsAlice('for the real gmail user');
    expect(await h.mailbox(victim)).toEqual([]);
    const [queued] = await h.control.listRecent(1);
    expect(queued?.recipients.map((r) => r.address)).toEqual([`victim@${CLAIMED}`]);
  });

  test('the MX refuses mail for it as for any domain it does not host', async () => {
    const wire = await Wire.open(ports.mx);
    expect((await wire.reply()).code).toBe(220);
    await wire.command('EHLO client.test');
    await wire.command('MAIL FROM:<someone@sender.test>');
    expect((await wire.command(`RCPT TO:<victim@${CLAIMED}>`)).lines[0]).toMatch(/^550 5\.7\.1 /);
    await wire.command('QUIT');
  });

  test('once verified, the same submission is delivered into the mailbox', async () => {
    await h.control.setDomainVerification(domainId, 'admin');
    await submitAsAlice('after verification');
    const delivered = await h.mailbox(victim);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.toString()).toContain('Subject: after verification');
  });
});
